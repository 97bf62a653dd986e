"""What careless and hostile clients send: always a 4xx in the contract's shape, never a 5xx."""

from __future__ import annotations

import json

import pytest

from campaign_status.settings import settings
from tests.integration.test_api import JSON, post_webhook, record, recipient, status, status_payload


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"]), body
    return body["error"]


class TestWebhookBodies:
    @pytest.mark.parametrize("timestamp", ["253402300800", "99999999999999999999", "-5"])
    def test_impossible_timestamp_is_kept_aside_and_blocks_nothing(self, gateway, timestamp):
        record(gateway, "c-ts", [recipient("L-1", "wamid.KNOWN")])
        bad = status_payload({**status("wamid.KNOWN", "sent", 0), "timestamp": timestamp},
                             {**status("wamid.UNSEEN", "sent", 0), "timestamp": timestamp})
        response = post_webhook(gateway, bad)
        assert (response.status, response.json()) == (200, {"status": "quarantined"})
        # The unknown message can still be recorded: nothing unreadable was held for it.
        assert record(gateway, "c-ts", [recipient("L-2", "wamid.UNSEEN")]).status == 200
        (item,) = gateway.handle("GET", "/quarantine").json()["items"]
        assert "statuses[0].timestamp" in item["reason"]

    def test_one_unreadable_status_does_not_cost_the_others(self, gateway):
        record(gateway, "c-mixed", [recipient("L-1", "wamid.GOOD")])
        body = status_payload(status("wamid.GOOD", "delivered", 1793527300),
                              {**status("wamid.GOOD", "read", 1793527301), "timestamp": "soon"})
        assert post_webhook(gateway, body).json() == {"status": "quarantined"}
        assert gateway.handle("GET", "/campaigns/c-mixed/recipients/L-1").json()["delivery_status"] == "delivered"
        (item,) = gateway.handle("GET", "/quarantine").json()["items"]
        assert "entry[0].changes[0].statuses[1].timestamp" in item["reason"]


class TestApiBodies:
    def test_body_that_is_not_utf8_is_400(self, gateway):
        response = gateway.handle("POST", "/campaigns/c-x/recipients", JSON, b"\xff\xfe")
        assert response.status == 400 and error_of(response)["code"] == "bad_request"

    def test_absurdly_nested_body_is_400(self, gateway):
        response = gateway.handle("POST", "/campaigns/c-x/recipients", JSON, b'{"recipients":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
        assert response.status == 400

    def test_invalid_json_names_the_body(self, gateway):
        response = gateway.handle("POST", "/campaigns/c-x/recipients", JSON, b'{"recipients": [')
        assert response.status == 422 and error_of(response)["details"][0]["field"] == "body"

    @pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
    def test_a_body_that_is_not_json_is_415(self, gateway, content_type):
        body = json.dumps({"recipients": [recipient("L-1")]}).encode()
        response = gateway.handle("POST", "/campaigns/c-x/recipients", {"content-type": content_type}, body)
        assert response.status == 415 and error_of(response)["code"] == "unsupported_media_type"

    def test_media_type_is_case_insensitive(self, gateway):
        body = json.dumps({"recipients": [recipient("L-1")]}).encode()
        response = gateway.handle("POST", "/campaigns/c-x/recipients", {"Content-Type": "Application/JSON; charset=UTF-8"}, body)
        assert response.status == 200

    def test_unexpected_fault_is_500_in_the_contract_shape(self, gateway, monkeypatch):
        record(gateway, "c-x", [recipient("L-1")])
        monkeypatch.setattr("campaign_status.queries.campaign_summary", lambda _: 1 / 0)
        response = gateway.handle("GET", "/campaigns/c-x/summary")
        assert response.status == 500 and error_of(response)["code"] == "internal_error"
        assert "ZeroDivision" not in response.body.decode()


    @pytest.mark.parametrize("body", [b"{}", b'{"hello": "world"}', b'{"object": "whatsapp_business_account"}'])
    def test_a_signed_body_without_entries_is_kept_aside(self, gateway, body):
        assert post_webhook(gateway, body).json() == {"status": "quarantined"}
        (item,) = gateway.handle("GET", "/quarantine").json()["items"]
        assert "entry" in item["reason"] and item["retryable"] is False

    def test_an_error_text_of_any_length_is_stored_cut_and_the_status_applies(self, gateway):
        record(gateway, "c-huge", [recipient("H-1", "wamid.HUGE")])
        item = status("wamid.HUGE", "failed", 1793527300, 131026)
        item["errors"][0]["error_data"]["details"] = "x" * 450_000
        item["errors"][0]["title"] = "t" * 10_000
        assert post_webhook(gateway, status_payload(item)).json() == {"status": "applied"}
        row = gateway.handle("GET", "/campaigns/c-huge/recipients/H-1").json()
        assert row["delivery_status"] == "failed"
        (event,) = row["events"]
        assert (len(event["error_title"]), len(event["error_details"])) == (256, 1024)

    def test_value_level_errors_are_counted_by_code_and_disturb_nothing(self, gateway, monkeypatch, capsys):
        from tests.conftest import load_event

        monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
        assert post_webhook(gateway, load_event("webhooks/13-value-level-error-no-statuses.json")).json() == {
            "status": "applied"}
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
        reported = [line for line in lines if "ReportedErrorsByCode" in line]
        assert [(line["error_code"], line["ReportedErrorsByCode"]) for line in reported] in (
            [("130429", 1.0)], [("130429", [1.0])])
        assert gateway.handle("GET", "/quarantine").json()["items"] == []

class TestWebhookLastResort:
    def test_a_body_that_cannot_even_be_kept_is_500_so_meta_retries(self, gateway, monkeypatch):
        def store_down(body, reason):
            raise ConnectionError("S3 is unreachable")

        monkeypatch.setattr("campaign_status.quarantine_store.keep", store_down)
        response = post_webhook(gateway, b"not json at all")
        assert response.status == 500 and error_of(response)["code"] == "internal_error"
        assert "S3" not in response.body.decode()

    def test_a_method_the_webhook_does_not_serve_is_405(self, aws):
        event = {"version": "2.0", "rawPath": "/webhooks/whatsapp", "headers": {},
                 "requestContext": {"http": {"method": "PUT", "path": "/webhooks/whatsapp"}}}
        answer = aws.function("functions/webhook").invoke(event)
        assert answer["statusCode"] == 405
        assert json.loads(answer["body"])["error"]["code"] == "method_not_allowed"


class TestIdentifiers:
    @pytest.mark.parametrize("lead", ["L 4", "L/4", "L#4", "L%4", "L+4", "दिवाली", "L?4"])
    def test_any_lead_id_can_be_fetched_url_encoded(self, gateway, lead):
        from urllib.parse import quote

        assert record(gateway, "c-ids", [recipient(lead, f"wamid.{quote(lead, safe='')}")]).status == 200
        response = gateway.handle("GET", f"/campaigns/c-ids/recipients/{quote(lead, safe='')}")
        assert response.status == 200 and response.json()["lead_id"] == lead

    def test_one_message_for_two_leads_in_a_request_is_422(self, gateway):
        response = record(gateway, "c-dup", [recipient("D-1", "wamid.D"), recipient("D-2", "wamid.D")])
        assert response.status == 422 and error_of(response)["details"][0]["index"] == 1
        assert gateway.handle("GET", "/campaigns/c-dup/summary").status == 404

    def test_a_message_already_recorded_for_another_lead_is_409(self, gateway):
        record(gateway, "c-one", [recipient("A-1", "wamid.OWNED")])
        response = record(gateway, "c-two", [recipient("B-1", "wamid.FREE"), recipient("B-2", "wamid.OWNED")])
        assert response.status == 409 and error_of(response)["details"][0]["index"] == 1
        assert gateway.handle("GET", "/campaigns/c-two/summary").status == 404  # nothing applied
        assert record(gateway, "c-one", [recipient("A-1", "wamid.OWNED")]).status == 200  # same lead again: fine


    def test_an_attempt_code_with_a_hash_is_its_own_filter_and_pages_cleanly(self, gateway):
        def skipped(lead: str, code: str) -> dict:
            return recipient(lead, None, attempt_error={"code": code, "message": "never sent"})

        leads = {"a": ["H-1", "H-2", "H-3"], "a#b": ["H-4", "H-5"]}
        record(gateway, "c-hash", [skipped(lead, code) for code, some in leads.items() for lead in some])
        from urllib.parse import quote

        for code, expected in leads.items():
            rows, cursor = [], None
            while True:  # one row a page: every cursor lands inside the index
                suffix = f"&cursor={cursor}" if cursor else ""
                page = gateway.handle("GET", f"/campaigns/c-hash/recipients?error_code={quote(code)}&limit=1{suffix}")
                assert page.status == 200, page.body
                rows += [r["lead_id"] for r in page.json()["items"]]
                cursor = page.json()["next_cursor"]
                if cursor is None:
                    break
            assert sorted(rows) == expected, code

    @pytest.mark.parametrize("lead", ["é" * 200, "/" * 256, "a b" * 85, "😀" * 128])
    def test_a_lead_id_within_its_limits_can_be_fetched_however_long_its_encoding(self, gateway, lead):
        from urllib.parse import quote

        assert record(gateway, "c-long", [recipient(lead, "wamid.LONG")]).status == 200
        response = gateway.handle("GET", f"/campaigns/c-long/recipients/{quote(lead, safe='')}")
        assert response.status == 200 and response.json()["lead_id"] == lead

    def test_a_lead_id_past_its_limits_is_422_in_the_path_too(self, gateway):
        from urllib.parse import quote

        record(gateway, "c-long", [recipient("L-1")])
        for lead in ("x" * 257, "😀" * 129):
            response = gateway.handle("GET", f"/campaigns/c-long/recipients/{quote(lead, safe='')}")
            assert response.status == 422 and error_of(response)["details"][0]["field"] == "lead_id"

    @pytest.mark.parametrize("item", [
        recipient("😀" * 129, "wamid.BIG"),  # 129 characters, 516 bytes: over 512 bytes
        recipient("L-big", None, attempt_error={"code": "é" * 65, "message": ""}),  # 130 bytes
    ])
    def test_what_would_not_fit_a_key_is_422_and_nothing_is_written(self, gateway, item):
        response = record(gateway, "c-keys", [recipient("L-ok", "wamid.OK"), item])
        assert response.status == 422 and error_of(response)["details"][0]["index"] == 1
        assert "bytes" in error_of(response)["details"][0]["message"]
        assert gateway.handle("GET", "/campaigns/c-keys/summary").status == 404

    def test_the_longest_lead_id_takes_every_status_and_every_index_entry(self, gateway):
        from urllib.parse import quote

        # 512-byte lead ids, and an attempt code of 128 bytes that triples when escaped in the index.
        lead, other, code = "😀" * 128, "😁" * 128, "%#" * 64
        assert record(gateway, "c-max", [recipient(lead, "wamid.MAX"),
                                         recipient(other, None, attempt_error={"code": code, "message": "m"})]).status == 200
        answer = post_webhook(gateway, status_payload(status("wamid.MAX", "failed", 1793527300, 131026)))
        assert answer.json() == {"status": "applied"}
        failed = gateway.handle("GET", "/campaigns/c-max/recipients?delivery_status=failed").json()["items"]
        skipped = gateway.handle("GET", f"/campaigns/c-max/recipients?error_code={quote(code)}").json()["items"]
        assert [r["lead_id"] for r in failed] == [lead] and len(skipped) == 1

    def test_a_numeric_attempt_code_is_found_by_error_code_alone(self, gateway):
        record(gateway, "c-num", [recipient("N-1", None, attempt_error={"code": "131026", "message": "sender's own"}),
                                  recipient("N-2", "wamid.N2")])
        post_webhook(gateway, status_payload(status("wamid.N2", "failed", 1793527300, 131026)))
        rows, cursor = [], None
        while True:
            suffix = f"&cursor={cursor}" if cursor else ""
            page = gateway.handle("GET", f"/campaigns/c-num/recipients?error_code=131026&limit=1{suffix}").json()
            rows += [(r["lead_id"], r["delivery_status"]) for r in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert sorted(rows) == [("N-1", "not_attempted"), ("N-2", "failed")]

    @pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59",
                                        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z"])
    def test_a_step_time_outside_1970_to_2100_is_422(self, gateway, moment):
        response = record(gateway, "c-time", [recipient("T-1", "wamid.T", ts=moment)])
        assert response.status == 422
        assert error_of(response)["details"][0]["field"] == "recipients[0].step.timestamp"

    @pytest.mark.parametrize("campaign", [".", "..", "..."])
    def test_a_campaign_id_of_dots_only_is_422(self, gateway, campaign):
        response = record(gateway, campaign, [recipient("L-1")])
        assert response.status == 422 and error_of(response)["details"][0]["field"] == "campaign_id"
        assert gateway.handle("POST", "/campaigns/.a/recipients", JSON,
                              json.dumps({"recipients": [recipient("L-1")]}).encode()).status == 200

class TestSmallThings:
    def test_empty_cursor_is_400(self, gateway):
        record(gateway, "c-x", [recipient("L-1")])
        assert gateway.handle("GET", "/campaigns/c-x/recipients?cursor=").status == 400

    def test_error_code_must_be_a_whole_number(self, gateway):
        assert gateway.handle("GET", "/error-codes/131026.0").status == 422
        assert gateway.handle("GET", "/error-codes/131026").status == 200

    def test_handshake_without_challenge_is_400(self, gateway):
        token = settings().verify_token
        assert gateway.handle("GET", f"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={token}").status == 400

    def test_a_null_timezone_is_the_default(self, gateway):
        record(gateway, "c-x", [recipient("L-1")])
        response = gateway.handle("POST", "/campaigns/c-x/reports", JSON, b'{"timezone": null}')
        assert response.status == 202

    @pytest.mark.parametrize("zone", ["localtime", "posixrules", "../etc/passwd", ""])
    def test_timezone_must_be_an_iana_name(self, gateway, zone):
        record(gateway, "c-x", [recipient("L-1")])
        response = gateway.handle("POST", "/campaigns/c-x/reports", JSON, json.dumps({"timezone": zone}).encode())
        assert response.status == 422
