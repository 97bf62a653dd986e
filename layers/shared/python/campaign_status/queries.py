"""Read side: the campaign summary, the recipient list, one recipient."""

from __future__ import annotations

from functools import partial

from . import campaign_store, delivery_store as store
from .counting import status_counter
from .cursor import CursorPosition, decode_cursor, encode_cursor
from .error_catalog import lookup
from .errors import NotFound
from .models import AttemptErrorCount, DeliveryErrorCount, RecipientDetail, RowPage, Summary
from .settings import settings
from .views import detail_view, row_view

DELIVERY_STATUSES = ("not_attempted", "pending", "sent", "delivered", "read", "failed")
# An unfiltered or status-filtered page stops after reading this many items, even if not full.
_MAX_ITEMS_READ_PER_PAGE = 5000


def require_campaign(campaign_id: str) -> None:
    if not campaign_store.campaign_exists(campaign_id):
        raise NotFound(f"campaign {campaign_id!r} is not known")


def campaign_summary(campaign_id: str) -> Summary:
    require_campaign(campaign_id)
    totals: dict[str, int] = {}
    labels: dict[str, str] = {}
    for item in campaign_store.read_counters(campaign_id, settings().row_shards):
        for name, value in item.items():
            if name.startswith(("status:", "derr:", "aerr:")):
                totals[name] = totals.get(name, 0) + int(value)
            elif name.startswith(("derr_title:", "aerr_message:")):
                labels[name] = value
    statuses = {s: totals.get(status_counter(s), 0) for s in DELIVERY_STATUSES}
    attempt_errors = [
        AttemptErrorCount(code=name[5:], message=labels.get(f"aerr_message:{name[5:]}", ""), count=count)
        for name, count in totals.items()
        if name.startswith("aerr:") and count > 0
    ]
    delivery_errors = []
    for name, count in totals.items():
        if not name.startswith("derr:") or count <= 0:
            continue
        code = int(name[5:])
        known = lookup(code)
        delivery_errors.append(
            DeliveryErrorCount(
                code=code,
                title=known.title if known else labels.get(f"derr_title:{code}", "Unknown error"),
                count=count,
                reason=known.reason if known else None,
                solution=known.solution if known else None,
                retryable=known.retryable if known else None,
            )
        )
    return Summary(
        campaign_id=campaign_id,
        recipients=sum(statuses.values()),
        delivery_status=statuses,
        attempt_errors=sorted(attempt_errors, key=lambda e: (-e.count, e.code)),
        delivery_errors=sorted(delivery_errors, key=lambda e: (-e.count, e.code)),
    )


def list_rows(
    campaign_id: str,
    delivery_status: str | None = None,
    error_code: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[RowPage, int]:
    """One page of rows and the number of items read for it.

    Pages walk each bucket the filter reads (the rows, or a part of the problems index)
    shard by shard, and each shard by its sort key, so following the cursors visits every
    matching row once, whatever changes meanwhile.
    """
    query = f"{campaign_id}|{delivery_status or ''}|{error_code or ''}"
    position = decode_cursor(cursor, query) if cursor is not None else CursorPosition(query=query, at=0)
    require_campaign(campaign_id)
    readers = _page_readers(campaign_id, delivery_status, error_code)
    shards = settings().row_shards
    end = len(readers) * shards
    rows, items_read = [], 0
    at, after = position.at, position.after
    while 0 <= at < end and len(rows) < limit and items_read < _MAX_ITEMS_READ_PER_PAGE:
        page, after, read = readers[at // shards](shard=at % shards, start_after=after, limit=limit - len(rows))
        rows.extend(page)
        items_read += read
        if after is None:
            at += 1
    next_cursor = encode_cursor(CursorPosition(query=query, at=at, after=after)) if 0 <= at < end else None
    return RowPage(items=[row_view(r) for r in rows], next_cursor=next_cursor), items_read


def _page_readers(campaign_id: str, delivery_status: str | None, error_code: str | None) -> list:
    """For each bucket this filter reads, how to read one page of a shard (none: no row can match)."""
    if error_code is not None:
        # Meta's codes are numbers; a sender's attempt codes may be too: a bare number reads both.
        if delivery_status:
            buckets = [delivery_status]
        else:
            buckets = ["failed", "not_attempted"] if error_code.isdigit() else ["not_attempted"]
        return [partial(store.query_problem_rows, campaign_id, status=bucket, code=error_code)
                for bucket in buckets if bucket in store.PROBLEM_STATUSES]
    if delivery_status in store.PROBLEM_STATUSES:
        return [partial(store.query_problem_rows, campaign_id, status=delivery_status, code=None)]
    if delivery_status is not None:
        return [partial(store.scan_shard_filtered, campaign_id, status=delivery_status)]
    return [partial(store.query_rows, campaign_id)]


def recipient_detail(campaign_id: str, lead_id: str) -> RecipientDetail:
    row = store.get_rows([(campaign_id, lead_id)]).get((campaign_id, lead_id))
    if row is None:
        require_campaign(campaign_id)
        raise NotFound(f"lead {lead_id!r} is not recorded in campaign {campaign_id!r}")
    return detail_view(row)
