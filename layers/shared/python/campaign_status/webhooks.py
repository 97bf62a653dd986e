"""A signed status webhook's way in: applied, or kept in quarantine with its reason."""

from __future__ import annotations

from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ValidationError

from . import quarantine_store
from .errors import NotFound, StoreConflict
from .ingest import IngestResult, apply_webhook
from .models import MetaWebhook
from .observability import logger

Outcome = Literal["applied", "quarantined"]


def _passing(reason: str) -> bool:
    """Whether a later try may apply the body as it is: the store or our code failed, not the body."""
    return reason.startswith(("store failure", "internal error"))


def _unprocessable_reason(body: bytes) -> tuple[MetaWebhook | None, str | None]:
    try:
        return MetaWebhook.model_validate_json(body), None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        return None, f"unreadable payload: {where}: {first['msg']}"


def _apply(body: bytes) -> tuple[IngestResult | None, str | None]:
    """(result, None) when every status applied; (partial result or None, reason) otherwise."""
    payload, reason = _unprocessable_reason(body)
    if payload is None:
        return None, reason
    try:
        result = apply_webhook(payload)
    except (ClientError, BotoCoreError, StoreConflict) as error:
        return None, f"store failure: {type(error).__name__}: {error}"
    except Exception as error:  # a fault of ours must not cost Meta's data: keep the body
        logger.exception("webhook apply failed")
        return None, f"internal error: {type(error).__name__}: {error}"
    if result.unreadable:
        # The readable statuses are applied; the body is kept for the others.
        return result, "unreadable status: " + "; ".join(result.unreadable[:5])
    return result, None


def receive_status_webhook(body: bytes) -> tuple[Outcome, IngestResult | None]:
    """Apply a signed body; what cannot be applied is kept (raises only if it cannot even be kept)."""
    result, reason = _apply(body)
    if reason is None:
        return "applied", result
    item = quarantine_store.keep(body, reason, retryable=_passing(reason))
    logger.warning("webhook quarantined", extra={"quarantine_id": item.id, "reason": item.reason, "size": item.size})
    return "quarantined", result


def redrive(item_id: str) -> tuple[str, str | None]:
    """Apply a quarantined body again with today's code; applying is idempotent, so a body
    that had partly applied before ends up applied exactly once."""
    found = quarantine_store.get(item_id)
    if found is None:
        raise NotFound(f"quarantine item {item_id!r} is not known")
    _, body = found
    _, reason = _apply(body)
    if reason is None:
        quarantine_store.release(item_id)
        return "applied", None
    quarantine_store.set_reason(item_id, reason, retryable=_passing(reason))
    return "still_failing", reason


def redrive_all(limit: int = 100) -> dict[str, int]:
    """Try the oldest retryable bodies again: what a store outage left behind applies by
    itself once the store is back. Bodies that cannot be read wait for an operator's
    redrive (after a fix is deployed), and never take the place of those that can."""
    outcomes = {"applied": 0, "still_failing": 0}
    for item in quarantine_store.list_items(limit, retryable_only=True):
        outcome, _ = redrive(item.id)
        outcomes[outcome] += 1
    return outcomes
