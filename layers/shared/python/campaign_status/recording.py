"""Recording what the campaign sender did: one step per recipient."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from . import campaign_store, delivery_store as store
from .errors import Conflict, InvalidInput, StoreConflict
from .models import RecipientIn
from .rules import record_step

_MAX_OPTIMISTIC_TRIES = 12
_WRITERS = 16


def _check_message_ids(campaign_id: str, recipients: list[RecipientIn], links: dict) -> None:
    """A WhatsApp message belongs to one lead: refuse the request before anything is written."""
    owner: dict[str, str] = {}
    for index, recipient in enumerate(recipients):
        message_id = recipient.message_id
        if message_id is None:
            continue
        if owner.setdefault(message_id, recipient.lead_id) != recipient.lead_id:
            raise InvalidInput(
                f"message_id of recipients[{index}] is also given to lead {owner[message_id]!r}",
                [{"index": index, "field": f"recipients[{index}].message_id", "message": "used by two leads"}],
            )
        link = links.get(message_id)
        if link is not None and link.linked and (link.campaign_id, link.lead_id) != (campaign_id, recipient.lead_id):
            raise Conflict(
                f"message_id of recipients[{index}] is already recorded for another lead",
                [{"index": index, "field": f"recipients[{index}].message_id",
                  "message": f"recorded for lead {link.lead_id!r} of campaign {link.campaign_id!r}"}],
            )


def record_recipients(campaign_id: str, recipients: list[RecipientIn]) -> int:
    links = store.get_message_links([r.message_id for r in recipients if r.message_id])
    _check_message_ids(campaign_id, recipients, links)
    campaign_store.ensure_campaign(campaign_id, store.utcnow().isoformat())
    # One lead's steps are applied in request order by one worker; leads run in parallel.
    by_lead: dict[str, list[RecipientIn]] = {}
    for recipient in recipients:
        by_lead.setdefault(recipient.lead_id, []).append(recipient)
    rows = store.get_rows([(campaign_id, lead) for lead in by_lead])

    def record_lead(lead_id: str) -> None:
        row = rows.get((campaign_id, lead_id))
        for recipient in by_lead[lead_id]:
            row = _record_one(campaign_id, row, recipient, links.get(recipient.message_id or ""))

    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        list(pool.map(record_lead, list(by_lead)))
    return len(recipients)


def _record_one(campaign_id: str, row, recipient: RecipientIn, link):
    """Write the step, then point its message at the row, folding in statuses that came first.

    The row is written before the link: once a message is linked, statuses go straight to
    the row. If we die between the two, the sender's retry finds the early statuses again.
    """
    key = (campaign_id, recipient.lead_id)
    for _ in range(_MAX_OPTIMISTIC_TRIES):
        early = link.pending if link is not None and not link.linked else []
        updated = record_step(campaign_id, row, recipient, early)
        if updated is not None:
            if not store.put_row(updated, row.version if row else None):
                row = store.get_rows([key]).get(key)
                continue
            row = updated.model_copy(update={"version": (row.version if row else 0) + 1})
        message_id = recipient.message_id
        if message_id is None or (link is not None and link.linked and (link.campaign_id, link.lead_id) == key):
            return row
        if store.link_message(message_id, campaign_id, recipient.lead_id, link.pending_count if link else 0):
            return row
        link = store.get_message_links([message_id]).get(message_id)
        row = store.get_rows([key]).get(key)
    raise StoreConflict(f"lead {recipient.lead_id} kept changing under concurrent writers")
