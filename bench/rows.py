"""Synthetic stored rows, as the product holds them after a campaign (no AWS imports here:
the report worker imports this module and is measured for memory)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from campaign_status.models import AttemptError, RecipientRow, StatusEvent, Step

from .workload import EPOCH, ERRORS, STEP_DETAILS, message_id_for


def synthetic_rows(campaign_id: str, n: int, seed: int, failed: float = 0.01, not_attempted: float = 0.01,
                   sends_per_second: int | None = 80):
    """Stored rows as the product would hold them after a campaign: a status history per
    message, `failed` rows with Meta's error, `not_attempted` rows with the sender's.

    Step timestamps are whole seconds, as in the sample events, with `sends_per_second` rows
    per second (80: Meta's default throughput tier); None gives every row its own
    millisecond instead (the worst case for anything that caches per timestamp)."""
    rnd = random.Random(f"rows/{campaign_id}/{seed}")
    start = datetime.fromtimestamp(EPOCH, tz=timezone.utc)
    for i in range(n):
        lead = f"L-{i:07d}"
        phone = f"+91{rnd.randrange(6000000000, 9999999999)}"
        step = Step(name="Diwali offer", status="Executed", details=STEP_DETAILS[i % len(STEP_DETAILS)],
                    timestamp=start - timedelta(seconds=60) + (
                        timedelta(seconds=i // sends_per_second) if sends_per_second else timedelta(milliseconds=i)))
        draw = rnd.random()
        if draw < not_attempted:
            yield RecipientRow(campaign_id=campaign_id, lead_id=lead, phone="12345",
                               step=step.model_copy(update={"status": "Skipped"}),
                               attempt_error=AttemptError(code="invalid_number", message="Invalid number"),
                               delivery_status="not_attempted", updated_at=step.timestamp, version=1)
            continue
        message_id = message_id_for(campaign_id, phone, i)
        t = EPOCH + i // 1000
        if draw < not_attempted + failed:
            code, title, details = ERRORS[rnd.randrange(len(ERRORS))]
            events = [StatusEvent(status="sent", timestamp=t + 1),
                      StatusEvent(status="failed", timestamp=t + 3, error_code=code, error_title=title, error_details=details)]
            extra = {"delivery_status": "failed", "delivery_error_code": code, "delivery_error_title": title,
                     "delivery_error_details": details}
        else:
            names = ["sent", "delivered", "read"][: 1 + (draw > 0.15) + (draw > 0.45)]
            events = [StatusEvent(status=name, timestamp=t + 1 + k * 5) for k, name in enumerate(names)]
            extra = {"delivery_status": names[-1]}
        yield RecipientRow(campaign_id=campaign_id, lead_id=lead, phone=phone, step=step, message_id=message_id,
                           updated_at=datetime.fromtimestamp(events[-1].timestamp, tz=timezone.utc),
                           events={message_id: events}, version=1, **extra)
