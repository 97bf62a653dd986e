"""How stored rows are shown: the API's Row and the CSV share these texts."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo

from .error_catalog import describe_delivery_error
from .models import EventView, RecipientDetail, RecipientRow, RowView
from .rules import event_history


def iso(moment: datetime, zone: tzinfo = timezone.utc) -> str:
    """ISO 8601 with offset; UTC is written with `Z`."""
    text = moment.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def error_message(row: RecipientRow) -> str | None:
    """Why the row is not delivered: Meta's delivery error, or the sender's attempt error."""
    if row.delivery_status == "failed":
        return describe_delivery_error(row.delivery_error_code, row.delivery_error_title, row.delivery_error_details)
    if row.delivery_status == "not_attempted" and row.attempt_error:
        message = row.attempt_error.message or row.attempt_error.code
        return f"{message} ({row.attempt_error.code})"
    return None


def row_view(row: RecipientRow) -> RowView:
    return RowView(
        lead_id=row.lead_id,
        phone=row.phone,
        last_step_timestamp=iso(row.step.timestamp),
        last_step_executed=row.step.name,
        last_step_status=row.step.status,
        last_step_details=row.step.details,
        delivery_status=row.delivery_status,
        delivery_error_code=row.delivery_error_code if row.delivery_status == "failed" else None,
        delivery_error_message=error_message(row),
        attempt_error_code=row.attempt_error.code if row.attempt_error else None,
        attempt_error_message=row.attempt_error.message if row.attempt_error else None,
        message_id=row.message_id,
        updated_at=iso(row.updated_at),
    )


def detail_view(row: RecipientRow) -> RecipientDetail:
    events = [
        EventView(
            message_id=message_id,
            status=event.status,
            timestamp=iso(datetime.fromtimestamp(event.timestamp, tz=timezone.utc)),
            error_code=event.error_code,
            error_title=event.error_title,
            error_details=event.error_details,
        )
        for message_id, event in event_history(row)
    ]
    return RecipientDetail(**row_view(row).model_dump(), events=events)
