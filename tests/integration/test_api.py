"""The API's handlers in-process against the embedded AWS, through the local API Gateway."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campaign_status.signature import signature_for
from campaign_status.settings import settings
from tests.conftest import EVENTS, recipients_body

CAMPAIGN = "c-diwali-2026"
JSON = {"content-type": "application/json"}


def post_webhook(gateway, raw: bytes, secret: str | None = None):
    headers = {**JSON, "X-Hub-Signature-256": signature_for(raw, secret or settings().app_secret)}
    return gateway.handle("POST", "/webhooks/whatsapp", headers, raw)


def record(gateway, campaign: str, recipients: list[dict]):
    return gateway.handle("POST", f"/campaigns/{campaign}/recipients", JSON, json.dumps({"recipients": recipients}).encode())


def replay_sample_campaign(gateway) -> None:
    assert record(gateway, CAMPAIGN, recipients_body()["recipients"]).status == 200
    for path in sorted((EVENTS / "webhooks").glob("*.json")):
        assert post_webhook(gateway, path.read_bytes()).status == 200


def all_rows(gateway, campaign: str, query: str = "", limit: int = 7) -> list[dict]:
    rows, cursor = [], None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        page = gateway.handle("GET", f"/campaigns/{campaign}/recipients?limit={limit}{query}{suffix}").json()
        rows.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


def recipient(lead: str, message_id: str | None = "wamid.X", ts: str = "2026-11-01T10:00:00Z", **extra) -> dict:
    item = {"lead_id": lead, "phone": "+919876543210",
            "step": {"name": "Diwali offer", "status": "Executed", "details": "", "timestamp": ts}}
    if message_id:
        item["message_id"] = message_id
    return {**item, **extra}


def status_payload(*statuses: dict) -> bytes:
    value = {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
             "statuses": list(statuses)}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(body).encode()


def status(message_id: str, value: str, ts: int, code: int | None = None) -> dict:
    item = {"id": message_id, "status": value, "timestamp": str(ts), "recipient_id": "919876543210"}
    if code:
        item["errors"] = [{"code": code, "title": "t", "error_data": {"details": "d"}}]
    return item


class TestSampleCampaign:
    def test_rows_and_summary_match_the_replayed_events(self, gateway):
        replay_sample_campaign(gateway)
        expected = json.loads((EVENTS / "expected.json").read_text())
        rows = {r["lead_id"]: r for r in all_rows(gateway, CAMPAIGN)}
        assert len(rows) == 24
        for lead, want in expected["leads"].items():
            assert rows[lead]["delivery_status"] == want["delivery_status"], lead
            assert rows[lead]["delivery_error_code"] == want["delivery_error_code"], lead
        summary = gateway.handle("GET", f"/campaigns/{CAMPAIGN}/summary").json()
        assert summary["delivery_status"] == expected["summary"]
        assert summary["recipients"] == 24
        assert {e["code"]: e["count"] for e in summary["attempt_errors"]} == expected["attempt_errors"]
        assert {str(e["code"]): e["count"] for e in summary["delivery_errors"]} == expected["delivery_errors"]
        counts = [e["count"] for e in summary["delivery_errors"]]
        assert counts == sorted(counts, reverse=True)
        # The counts equal a recount of the rows.
        recount: dict[str, int] = {}
        for row in rows.values():
            recount[row["delivery_status"]] = recount.get(row["delivery_status"], 0) + 1
        assert {k: v for k, v in summary["delivery_status"].items() if v} == recount

    def test_replaying_everything_again_changes_nothing(self, gateway):
        replay_sample_campaign(gateway)
        before = gateway.handle("GET", f"/campaigns/{CAMPAIGN}/summary").json()
        rows_before = all_rows(gateway, CAMPAIGN)
        replay_sample_campaign(gateway)
        assert gateway.handle("GET", f"/campaigns/{CAMPAIGN}/summary").json() == before
        assert all_rows(gateway, CAMPAIGN) == rows_before

    def test_filters_return_exactly_the_matching_rows(self, gateway):
        replay_sample_campaign(gateway)
        rows = all_rows(gateway, CAMPAIGN)
        for status_filter in ("failed", "not_attempted", "delivered", "pending", "read", "sent"):
            listed = all_rows(gateway, CAMPAIGN, f"&delivery_status={status_filter}", limit=2)
            assert sorted(r["lead_id"] for r in listed) == sorted(
                r["lead_id"] for r in rows if r["delivery_status"] == status_filter
            ), status_filter
        by_code = all_rows(gateway, CAMPAIGN, "&delivery_status=failed&error_code=131026", limit=1)
        assert sorted(r["lead_id"] for r in by_code) == ["L-1006", "L-1020"]
        assert all_rows(gateway, CAMPAIGN, "&error_code=invalid_number")[0]["delivery_status"] == "not_attempted"
        assert all_rows(gateway, CAMPAIGN, "&delivery_status=read&error_code=131026") == []

    def test_recipient_detail_lists_every_event_oldest_first(self, gateway):
        replay_sample_campaign(gateway)
        detail = gateway.handle("GET", f"/campaigns/{CAMPAIGN}/recipients/L-1007").json()
        assert detail["delivery_status"] == "read"
        statuses = [e["status"] for e in detail["events"]]
        assert set(statuses) >= {"sent", "delivered", "read"}
        times = [e["timestamp"] for e in detail["events"]]
        assert times == sorted(times)


class TestIngest:
    def test_status_before_recording_is_applied_when_recorded(self, gateway):
        assert post_webhook(gateway, status_payload(status("wamid.EARLY", "delivered", 1793527300))).status == 200
        assert record(gateway, "c-early", [recipient("L-1", "wamid.EARLY")]).status == 200
        row = gateway.handle("GET", "/campaigns/c-early/recipients/L-1").json()
        assert row["delivery_status"] == "delivered"
        assert gateway.handle("GET", "/campaigns/c-early/summary").json()["delivery_status"]["delivered"] == 1

    def test_a_newer_step_is_not_changed_by_the_older_message(self, gateway):
        record(gateway, "c-steps", [recipient("L-1", "wamid.OLD", "2026-11-01T10:00:00Z")])
        record(gateway, "c-steps", [recipient("L-1", "wamid.NEW", "2026-11-02T10:00:00Z")])
        post_webhook(gateway, status_payload(status("wamid.OLD", "read", 1793527300)))
        row = gateway.handle("GET", "/campaigns/c-steps/recipients/L-1").json()
        assert (row["message_id"], row["delivery_status"]) == ("wamid.NEW", "pending")
        assert [e["message_id"] for e in row["events"]] == ["wamid.OLD"]
        # An older step recorded late does not replace the newer one.
        record(gateway, "c-steps", [recipient("L-1", "wamid.OLDER", "2026-10-01T10:00:00Z")])
        assert gateway.handle("GET", "/campaigns/c-steps/recipients/L-1").json()["message_id"] == "wamid.NEW"

    def test_sender_reference_reaches_the_row(self, gateway):
        record(gateway, "c-ref", [recipient("L-9", "wamid.REF")])
        item = status("wamid.REF", "read", 1793527300)
        item["biz_opaque_callback_data"] = "campaign=c-ref&lead=L-9"
        post_webhook(gateway, status_payload(item))
        assert gateway.handle("GET", "/campaigns/c-ref/recipients/L-9").json()["delivery_status"] == "read"

    def test_a_sender_reference_naming_the_wrong_lead_does_not_take_the_status(self, gateway):
        record(gateway, "c-ref", [recipient("P", "wamid.P"), recipient("Q", "wamid.Q")])
        item = status("wamid.P", "failed", 1793527300, 131026)
        item["biz_opaque_callback_data"] = "campaign=c-ref&lead=Q"  # a sender's mistake
        assert post_webhook(gateway, status_payload(item)).json() == {"status": "applied"}
        p, q = (gateway.handle("GET", f"/campaigns/c-ref/recipients/{lead}").json() for lead in ("P", "Q"))
        assert (p["delivery_status"], p["delivery_error_code"]) == ("failed", 131026)
        assert (q["delivery_status"], q["events"]) == ("pending", [])

    def test_a_sender_reference_for_an_older_steps_message_stays_in_its_history(self, gateway):
        record(gateway, "c-ref", [recipient("L-1", "wamid.OLD", ts="2026-11-01T10:00:00Z")])
        record(gateway, "c-ref", [recipient("L-1", "wamid.NEW", ts="2026-11-02T10:00:00Z")])
        item = status("wamid.OLD", "read", 1793527300)
        item["biz_opaque_callback_data"] = "campaign=c-ref&lead=L-1"
        post_webhook(gateway, status_payload(item))
        row = gateway.handle("GET", "/campaigns/c-ref/recipients/L-1").json()
        assert row["delivery_status"] == "pending" and [e["message_id"] for e in row["events"]] == ["wamid.OLD"]

    def test_bad_signature_is_401_and_stores_nothing(self, gateway):
        record(gateway, "c-sig", [recipient("L-1", "wamid.SIG")])
        raw = status_payload(status("wamid.SIG", "read", 1793527300))
        assert post_webhook(gateway, raw, secret="wrong").status == 401
        assert gateway.handle("POST", "/webhooks/whatsapp", JSON, raw).status == 401
        assert gateway.handle("GET", "/campaigns/c-sig/recipients/L-1").json()["delivery_status"] == "pending"
        assert gateway.handle("GET", "/quarantine").json()["items"] == []

    def test_unreadable_signed_body_is_quarantined_then_redriven(self, gateway):
        raw = b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {"statuses": [{"id": "wamid.Q"}]}}]}]}'
        response = post_webhook(gateway, raw)
        assert response.status == 200
        items = gateway.handle("GET", "/quarantine").json()["items"]
        assert len(items) == 1 and "status" in items[0]["reason"] and items[0]["size"] == len(raw)
        redrive = gateway.handle("POST", f"/quarantine/{items[0]['id']}/redrive").json()
        assert redrive["outcome"] == "still_failing"
        assert post_webhook(gateway, b"not json").status == 200
        assert len(gateway.handle("GET", "/quarantine").json()["items"]) == 2

    def test_handshake(self, gateway):
        ok = gateway.handle("GET", f"/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={settings().verify_token}&hub.challenge=1158201444")
        assert (ok.status, ok.body, ok.headers["content-type"]) == (200, b"1158201444", "text/plain")
        assert gateway.handle("GET", "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=no&hub.challenge=1").status == 403


class TestBadInput:
    def test_bad_item_is_422_naming_index_and_field_and_nothing_applies(self, gateway):
        good = recipient("L-1", "wamid.A")
        bad = recipient("L-2", "wamid.B")
        bad["step"]["timestamp"] = "yesterday"
        response = record(gateway, "c-bad", [good, bad])
        assert response.status == 422
        error = response.json()["error"]
        assert any(d.get("index") == 1 and "step.timestamp" in d["field"] for d in error["details"])
        assert gateway.handle("GET", "/campaigns/c-bad/summary").status == 404

    def test_both_message_id_and_attempt_error_is_422(self, gateway):
        both = recipient("L-1", "wamid.A", attempt_error={"code": "invalid_number", "message": "x"})
        response = record(gateway, "c-bad", [both])
        assert response.status == 422
        assert response.json()["error"]["details"][0]["index"] == 0

    @pytest.mark.parametrize("query", ["limit=0", "limit=501", "delivery_status=lost", "cursor=%%%"])
    def test_bad_list_queries_are_4xx(self, gateway, query):
        record(gateway, "c-q", [recipient("L-1")])
        response = gateway.handle("GET", f"/campaigns/c-q/recipients?{query}")
        assert 400 <= response.status < 500
        assert "error" in response.json()

    def test_tampered_cursor_is_400(self, gateway):
        record(gateway, "c-q", [recipient(f"L-{i}", f"wamid.{i}") for i in range(5)])
        cursor = gateway.handle("GET", "/campaigns/c-q/recipients?limit=1").json()["next_cursor"]
        tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]
        assert gateway.handle("GET", f"/campaigns/c-q/recipients?limit=1&cursor={tampered}").status == 400
        other = gateway.handle("GET", f"/campaigns/c-q/recipients?limit=1&delivery_status=failed&cursor={cursor}")
        assert other.status == 400

    def test_unknown_things_are_404(self, gateway):
        assert gateway.handle("GET", "/campaigns/nope/summary").status == 404
        assert gateway.handle("GET", "/campaigns/nope/recipients").status == 404
        record(gateway, "c-q", [recipient("L-1")])
        assert gateway.handle("GET", "/campaigns/c-q/recipients/L-404").status == 404
        assert gateway.handle("GET", "/error-codes/424242").status == 404
        assert gateway.handle("GET", f"/campaigns/c-q/reports/{'0' * 32}").status == 404
        assert gateway.handle("POST", "/campaigns/nope/reports", JSON, b"{}").status == 404

    def test_unknown_timezone_is_422(self, gateway):
        record(gateway, "c-q", [recipient("L-1")])
        response = gateway.handle("POST", "/campaigns/c-q/reports", JSON, b'{"timezone": "Mars/Olympus"}')
        assert response.status == 422


class TestCatalog:
    def test_catalog_lists_the_help_article_codes(self, gateway):
        codes = {e["code"] for e in gateway.handle("GET", "/error-codes").json()["items"]}
        assert {131026, 131042, 131049, 131056, 131048, 131051, 131052} <= codes
        one = gateway.handle("GET", "/error-codes/131049").json()
        assert one["retryable"] is True and one["retry_after_seconds"] >= 86400
