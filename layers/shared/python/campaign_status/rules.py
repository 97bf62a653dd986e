"""The delivery status rules: pure functions over models, no I/O.

A row's delivery fields are *derived* from the set of events stored for its current
message, never accumulated step by step; that is what makes the final state the same
for any order and any number of duplicates.
"""

from __future__ import annotations

from datetime import datetime, timezone

from .models import RecipientIn, RecipientRow, StatusEvent

# pending < sent < failed < delivered < read: a late `sent` never un-fails a message,
# and a message that failed on one device but reached another counts as delivered.
STATUS_RANK: dict[str, int] = {"pending": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}
STATUS_ALIASES: dict[str, str] = {"played": "read"}


def effective_status(status: str) -> str | None:
    """The delivery status an event's value counts as, or None when unknown."""
    status = STATUS_ALIASES.get(status, status)
    return status if status in STATUS_RANK and status != "pending" else None


def _epoch(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def derive_delivery(row: RecipientRow) -> RecipientRow:
    """Recompute delivery_status, error and updated_at from the current message's events."""
    if row.message_id is None:
        return row.model_copy(
            update={
                "delivery_status": "not_attempted",
                "delivery_error_code": None,
                "delivery_error_title": None,
                "delivery_error_details": None,
                "updated_at": row.step.timestamp,
            }
        )
    events = row.events.get(row.message_id, [])
    status = "pending"
    for event in events:
        candidate = effective_status(event.status)
        if candidate and STATUS_RANK[candidate] > STATUS_RANK[status]:
            status = candidate
    error = None
    if status == "failed":
        # A failed without errors never erases one that came with errors; among
        # several, the latest wins, ties broken by content: whatever the order.
        errored = [e for e in events if effective_status(e.status) == "failed" and e.error_code is not None]
        if errored:
            error = max(errored, key=lambda e: (e.timestamp, e.error_code, e.error_title or "", e.error_details or ""))
    # Unknown status values stay in the history but move nothing, not even updated_at.
    updated = max((e.timestamp for e in events if effective_status(e.status)), default=None)
    return row.model_copy(
        update={
            "delivery_status": status,
            "delivery_error_code": error.error_code if error else None,
            "delivery_error_title": error.error_title if error else None,
            "delivery_error_details": error.error_details if error else None,
            "updated_at": _epoch(updated) if updated is not None else row.step.timestamp,
        }
    )


def add_events(row: RecipientRow, message_id: str, events: list[StatusEvent]) -> RecipientRow | None:
    """The row with these events stored for `message_id`, or None when they are all known already."""
    known = row.events.get(message_id, [])
    fresh = [e for e in dict.fromkeys(events) if e not in known]
    if not fresh:
        return None
    history = {**row.events, message_id: [*known, *fresh]}
    return derive_delivery(row.model_copy(update={"events": history}))


def _step_order(recipient: RecipientIn | RecipientRow) -> tuple:
    # Ties on the timestamp are broken by content so that the winner does not depend on arrival order.
    attempt = recipient.attempt_error.model_dump_json() if recipient.attempt_error else ""
    return (recipient.step.timestamp, recipient.step.model_dump_json(), recipient.message_id or "", attempt, recipient.phone)


def record_step(
    campaign_id: str,
    current: RecipientRow | None,
    recipient: RecipientIn,
    early_events: list[StatusEvent] = (),
) -> RecipientRow | None:
    """The row after recording one step, or None when nothing changes.

    `early_events` are statuses that arrived for `recipient.message_id` before it was
    recorded. An older step recorded late only adds those events to the history.
    """
    if current is None:
        base = RecipientRow(
            campaign_id=campaign_id,
            lead_id=recipient.lead_id,
            phone=recipient.phone,
            step=recipient.step,
            message_id=recipient.message_id,
            attempt_error=recipient.attempt_error,
            delivery_status="pending",
            updated_at=recipient.step.timestamp,
        )
    elif _step_order(recipient) > _step_order(current):
        base = current.model_copy(
            update={
                "phone": recipient.phone,
                "step": recipient.step,
                "message_id": recipient.message_id,
                "attempt_error": recipient.attempt_error,
            }
        )
    else:
        base = current
    if early_events and recipient.message_id:
        base = add_events(base, recipient.message_id, list(early_events)) or base
    if base is current:
        return None
    return derive_delivery(base)


def event_history(row: RecipientRow) -> list[tuple[str, StatusEvent]]:
    """Every stored event with its message id, oldest first."""
    pairs = [(mid, e) for mid, events in row.events.items() for e in events]
    return sorted(pairs, key=lambda p: (p[1].timestamp, STATUS_RANK.get(effective_status(p[1].status) or "", -1)))
