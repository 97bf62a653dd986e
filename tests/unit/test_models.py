"""Unit tests for the boundary models: Meta's webhook shapes and the recording request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from campaign_status.ingest import sender_reference
from campaign_status.models import (
    MetaStatus,
    MetaWebhook,
    RecipientIn,
    RecordRecipientsRequest,
    StatusEvent,
)

ROOT = Path(__file__).resolve().parents[2]
WEBHOOKS = sorted((ROOT / "events" / "webhooks").glob("*.json"))
SHARED_SAMPLES = Path("/work/shared/samples")
SINGLE_SAMPLES = [p for p in sorted(SHARED_SAMPLES.glob("*.json")) if p.name != "pywa-message-status.json"]
PYWA = SHARED_SAMPLES / "pywa-message-status.json"


def _raw_statuses(payload: dict) -> list[dict]:
    """Every statuses[] item, walked independently of the model."""
    return [
        status
        for entry in payload.get("entry", [])
        for change in entry.get("changes", [])
        for status in change.get("value", {}).get("statuses", [])
    ]


def _check_parsed(webhook: MetaWebhook, payload: dict) -> None:
    raw = _raw_statuses(payload)
    parsed = webhook.statuses()
    assert [s.id for s in parsed] == [s["id"] for s in raw]
    assert [s.status for s in parsed] == [s["status"] for s in raw]
    assert [s.timestamp for s in parsed] == [int(s["timestamp"]) for s in raw]
    assert [s.recipient_id for s in parsed] == [s.get("recipient_id") for s in raw]
    assert [[e.code for e in s.errors] for s in parsed] == [[e["code"] for e in s.get("errors", [])] for s in raw]


def test_sample_files_are_present() -> None:
    assert len(WEBHOOKS) >= 13
    assert SINGLE_SAMPLES and PYWA.exists()


@pytest.mark.parametrize("path", WEBHOOKS, ids=lambda p: p.name)
def test_every_sample_webhook_parses_from_raw_bytes(path: Path) -> None:
    raw = path.read_bytes()
    webhook = MetaWebhook.model_validate_json(raw)
    _check_parsed(webhook, json.loads(raw))


@pytest.mark.parametrize("path", SINGLE_SAMPLES, ids=lambda p: p.name)
def test_every_shared_sample_parses_from_raw_bytes(path: Path) -> None:
    raw = path.read_bytes()
    webhook = MetaWebhook.model_validate_json(raw)
    assert len(webhook.statuses()) >= 1
    _check_parsed(webhook, json.loads(raw))


PYWA_PAYLOADS = json.loads(PYWA.read_bytes())


@pytest.mark.parametrize("key", sorted(PYWA_PAYLOADS))
def test_every_pywa_payload_parses(key: str) -> None:
    payload = PYWA_PAYLOADS[key]
    raw = json.dumps(payload, ensure_ascii=False).encode()
    webhook = MetaWebhook.model_validate_json(raw)
    assert len(webhook.statuses()) >= 1
    _check_parsed(webhook, payload)


def test_pywa_payloads_cover_the_expected_statuses() -> None:
    statuses = {key: MetaWebhook.model_validate(p).statuses() for key, p in PYWA_PAYLOADS.items()}
    assert {"sent", "delivered", "read", "failed"} <= set(statuses)
    for key in ("sent", "delivered", "read", "failed"):
        assert [s.status for s in statuses[key]] == [key]
    failed = statuses["failed"][0]
    assert [e.code for e in failed.errors] == [130472]
    # 'read' carries an earlier timestamp than 'sent'
    assert statuses["read"][0].timestamp < statuses["sent"][0].timestamp


def test_sample_status_counts() -> None:
    counts = {p.name: len(MetaWebhook.model_validate_json(p.read_bytes()).statuses()) for p in WEBHOOKS}
    assert counts["01-sent-wave-1.json"] == 7
    assert counts["02-sent-wave-2-two-entries.json"] == 8  # two entry[] items
    assert counts["03-delivered-batch-with-duplicate.json"] == 11  # the duplicate is kept here
    assert counts["05-failed-two-changes.json"] == 4  # two changes[] items
    assert counts["13-value-level-error-no-statuses.json"] == 0


def test_statuses_flattens_every_entry_change_and_status_in_order() -> None:
    def status(i: str) -> dict:
        return {"id": f"wamid.{i}", "status": "sent", "timestamp": "1793527200", "recipient_id": "919876543210"}

    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "e1", "changes": [
                {"field": "messages", "value": {"statuses": [status("a"), status("b")]}},
                {"field": "messages", "value": {"statuses": [status("c")]}},
            ]},
            {"id": "e2", "changes": [
                {"field": "messages", "value": {}},
                {"field": "messages", "value": {"statuses": [status("d"), status("e")]}},
            ]},
            {"id": "e3", "changes": []},
        ],
    }
    webhook = MetaWebhook.model_validate_json(json.dumps(payload))
    assert [s.id for s in webhook.statuses()] == ["wamid.a", "wamid.b", "wamid.c", "wamid.d", "wamid.e"]


@pytest.mark.parametrize("value", ["1793527200", 1793527200], ids=["string", "int"])
def test_status_timestamp_accepts_string_and_int(value) -> None:
    raw = json.dumps({"id": "wamid.x", "status": "sent", "timestamp": value, "recipient_id": "91"})
    assert MetaStatus.model_validate_json(raw).timestamp == 1793527200


@pytest.mark.parametrize("value", ["yesterday", "", None])
def test_status_timestamp_that_is_not_a_number_is_rejected(value) -> None:
    raw = json.dumps({"id": "wamid.x", "status": "sent", "timestamp": value})
    with pytest.raises(ValidationError):
        MetaStatus.model_validate_json(raw)


def test_status_with_recipient_user_id_and_no_recipient_id_parses() -> None:
    webhook = MetaWebhook.model_validate_json((ROOT / "events/webhooks/10-read-with-recipient-user-id.json").read_bytes())
    by_id = {s.id: s for s in webhook.statuses()}
    user = by_id["wamid.HBgMOTE5NzgyMjEwMDYzFQIAERgUM0M1QzM0NDk0NTM2NzgzQTBDMkUA"]
    assert user.recipient_id is None
    assert user.recipient_user_id == "IN.1349120865530274"
    assert user.status == "read"
    raw = b'{"id":"wamid.y","status":"read","timestamp":"1","recipient_user_id":"IN.1"}'
    assert MetaStatus.model_validate_json(raw).recipient_user_id == "IN.1"


def test_value_level_errors_are_ignored() -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "errors": [{"code": 130429, "title": "Rate limit hit", "error_data": {"details": "x"}}],
        }}]}],
    }
    assert MetaWebhook.model_validate_json(json.dumps(payload)).statuses() == []
    sample = MetaWebhook.model_validate_json((ROOT / "events/webhooks/13-value-level-error-no-statuses.json").read_bytes())
    assert sample.statuses() == []


def test_inbound_messages_and_contacts_do_not_disturb_statuses() -> None:
    raw = (ROOT / "events/webhooks/06-inbound-reply-with-statuses-compact.json").read_bytes()
    statuses = MetaWebhook.model_validate_json(raw).statuses()
    assert [(s.status, s.timestamp) for s in statuses] == [("read", 1793528105), ("delivered", 1793527600)]
    assert statuses[0].biz_opaque_callback_data == "campaign=c-diwali-2026&lead=L-1003"
    # the inbound message's own id is not taken for a status
    assert "wamid.HBgMOTE5NjE3MDIxNTMyFQIAEhgUM0E3RjQyQjE5QzA2RDhFMjFCNTAA" not in {s.id for s in statuses}


def test_contacts_without_profile_are_ignored() -> None:
    raw = (ROOT / "events/webhooks/11-inbound-contact-without-profile.json").read_bytes()
    statuses = MetaWebhook.model_validate_json(raw).statuses()
    assert [(s.id, s.status) for s in statuses] == [("wamid.HBgMOTE2Nzc4MDkwMjgxFQIAERgUMUI0OTAxMUI3MDcyMjMyNzNDNjgA", "sent")]
    payload = {"entry": [{"changes": [{"value": {
        "contacts": [{"wa_id": "919900112233"}],
        "messages": [{"from": "919900112233", "id": "wamid.in", "timestamp": "1", "type": "text"}],
        "statuses": [{"id": "wamid.out", "status": "delivered", "timestamp": "2"}],
    }}]}]}
    assert [s.id for s in MetaWebhook.model_validate(payload).statuses()] == ["wamid.out"]


def test_unknown_fields_anywhere_are_ignored() -> None:
    payload = {"object": "whatsapp_business_account", "new_top": 1, "entry": [{"id": "1", "surprise": [], "changes": [
        {"field": "messages", "value": {"brand_new": {"x": 1}, "statuses": [
            {"id": "wamid.z", "status": "sent", "timestamp": "5", "future_field": True,
             "pricing": {"category": "authentication-international"},
             "errors": [{"code": 131026, "href": "https://x", "extra": 1}]},
        ]}},
    ]}]}
    [status] = MetaWebhook.model_validate_json(json.dumps(payload)).statuses()
    assert (status.id, status.status, status.timestamp, status.errors[0].code) == ("wamid.z", "sent", 5, 131026)


def test_unknown_status_value_parses() -> None:
    raw = (ROOT / "events/webhooks/12-unknown-status-deleted.json").read_bytes()
    assert [s.status for s in MetaWebhook.model_validate_json(raw).statuses()] == ["deleted"]


# --- StatusEvent from Meta's status --------------------------------------------


def test_status_event_from_production_failure() -> None:
    [status] = MetaWebhook.model_validate_json((SHARED_SAMPLES / "production-failed-131026.json").read_bytes()).statuses()
    event = StatusEvent.from_meta(status)
    assert event == StatusEvent(
        status="failed",
        timestamp=1698231447,
        error_code=131026,
        error_title="Receiver is incapable of receiving this message",
        error_details="Message Undeliverable.",
    )


def test_status_event_title_falls_back_to_message() -> None:
    status = MetaStatus.model_validate(
        {"id": "w", "status": "failed", "timestamp": "1", "errors": [{"code": 131049, "message": "Not delivered"}]}
    )
    event = StatusEvent.from_meta(status)
    assert (event.error_code, event.error_title, event.error_details) == (131049, "Not delivered", None)


def test_status_event_without_errors_has_no_error() -> None:
    status = MetaStatus.model_validate({"id": "w", "status": "failed", "timestamp": "9"})
    event = StatusEvent.from_meta(status)
    assert (event.status, event.timestamp, event.error_code, event.error_title, event.error_details) == ("failed", 9, None, None, None)


# --- sender_reference -------------------------------------------------------------


@pytest.mark.parametrize(
    ("opaque", "expected"),
    [
        ("campaign=c-diwali-2026&lead=L-1003", ("c-diwali-2026", "L-1003")),
        ("lead=L-1003&campaign=c-diwali-2026", ("c-diwali-2026", "L-1003")),
        ("campaign=c-42", None),
        ("lead=L-1", None),
        ("campaign=&lead=L-1", None),
        ("tracker-123", None),
        ("", None),
        (None, None),
    ],
)
def test_sender_reference(opaque, expected) -> None:
    assert sender_reference(opaque) == expected


# --- recording request -------------------------------------------------------------

STEP = {"name": "Diwali offer", "status": "Executed", "details": "Template diwali_offer_v2", "timestamp": "2026-11-01T10:00:00Z"}
ATTEMPT_ERROR = {"code": "invalid_number", "message": "Phone number is invalid"}


def recipient(**fields) -> dict:
    return {"lead_id": "L-1001", "phone": "+919876543210", "step": dict(STEP), **fields}


def test_recipient_with_message_id_only_is_valid() -> None:
    item = RecipientIn.model_validate(recipient(message_id="wamid.HBgM"))
    assert (item.message_id, item.attempt_error) == ("wamid.HBgM", None)


def test_recipient_with_attempt_error_only_is_valid() -> None:
    item = RecipientIn.model_validate(recipient(attempt_error=ATTEMPT_ERROR))
    assert item.message_id is None
    assert (item.attempt_error.code, item.attempt_error.message) == ("invalid_number", "Phone number is invalid")


@pytest.mark.parametrize(
    "fields",
    [{"message_id": "wamid.HBgM", "attempt_error": ATTEMPT_ERROR}, {}, {"message_id": None, "attempt_error": None}],
    ids=["both", "neither", "both-null"],
)
def test_recipient_needs_exactly_one_of_message_id_or_attempt_error(fields) -> None:
    with pytest.raises(ValidationError) as caught:
        RecipientIn.model_validate(recipient(**fields))
    text = str(caught.value)
    assert "message_id" in text
    assert "attempt_error" in text


def test_record_request_accepts_1000_recipients() -> None:
    body = {"recipients": [recipient(lead_id=f"L-{i}", message_id=f"wamid.{i}") for i in range(1000)]}
    assert len(RecordRecipientsRequest.model_validate(body).recipients) == 1000


def test_record_request_rejects_1001_recipients() -> None:
    body = {"recipients": [recipient(lead_id=f"L-{i}", message_id=f"wamid.{i}") for i in range(1001)]}
    with pytest.raises(ValidationError) as caught:
        RecordRecipientsRequest.model_validate(body)
    assert any(err["loc"] == ("recipients",) for err in caught.value.errors())


def test_bad_item_error_names_index_and_field() -> None:
    items = [recipient(lead_id=f"L-{i}", message_id=f"wamid.{i}") for i in range(5)]
    items[3]["step"]["timestamp"] = "2026-11-01T10:00:00"  # naive
    with pytest.raises(ValidationError) as caught:
        RecordRecipientsRequest.model_validate({"recipients": items})
    locs = [err["loc"] for err in caught.value.errors()]
    assert locs == [("recipients", 3, "step", "timestamp")]


@pytest.mark.parametrize("timestamp", ["2026-11-01T10:00:00", "2026-11-01 10:00:00"])
def test_naive_step_timestamp_is_rejected(timestamp: str) -> None:
    body = recipient(message_id="wamid.HBgM")
    body["step"]["timestamp"] = timestamp
    with pytest.raises(ValidationError) as caught:
        RecipientIn.model_validate(body)
    assert [err["loc"] for err in caught.value.errors()] == [("step", "timestamp")]


@pytest.mark.parametrize("timestamp", ["2026-11-01T10:00:00Z", "2026-11-01T15:30:00+05:30"])
def test_aware_step_timestamp_is_accepted(timestamp: str) -> None:
    body = recipient(message_id="wamid.HBgM")
    body["step"]["timestamp"] = timestamp
    item = RecipientIn.model_validate(body)
    assert item.step.timestamp.utcoffset() is not None
    assert item.step.timestamp.timestamp() == 1793527200


def test_sample_campaign_recording_is_valid() -> None:
    body = json.loads((ROOT / "events/campaign/recipients.json").read_bytes())
    request = RecordRecipientsRequest.model_validate(body)
    assert len(request.recipients) == 24
    assert sum(r.attempt_error is not None for r in request.recipients) == 4
