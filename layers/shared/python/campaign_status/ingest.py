"""Applying Meta's status webhooks to recipient rows.

Every write is read → pure rule → conditional write on the row's version, so a
duplicate writes nothing, a concurrent writer makes us re-read, and a retry after a
crash finds the work done.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from . import delivery_store as store
from .errors import StoreConflict
from .models import MetaStatus, MetaWebhook, StatusEvent
from .rules import add_events

_MAX_OPTIMISTIC_TRIES = 12
_WRITERS = 16
RowKey = tuple[str, str]


@dataclass
class IngestResult:
    statuses: int = 0
    unreadable: list[str] = field(default_factory=list)
    rows_changed: int = 0
    held_for_recording: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_error_code: dict[int, int] = field(default_factory=dict)
    # Value-level errors: Meta's word on the whole change (130429 rate limit, ...), by code.
    reported_errors: dict[int, int] = field(default_factory=dict)


def sender_reference(opaque: str | None) -> RowKey | None:
    """(campaign, lead) from `biz_opaque_callback_data` of the form `campaign=<id>&lead=<id>`."""
    if not opaque or "campaign=" not in opaque:
        return None
    fields = parse_qs(opaque, keep_blank_values=False)
    campaign, lead = fields.get("campaign", [None])[0], fields.get("lead", [None])[0]
    return (campaign, lead) if campaign and lead else None


def apply_webhook(payload: MetaWebhook) -> IngestResult:
    readable, unreadable = payload.read_statuses()
    result = apply_statuses(readable)
    result.unreadable = unreadable
    for code in payload.reported_error_codes():
        result.reported_errors[code] = result.reported_errors.get(code, 0) + 1
    return result


def apply_statuses(statuses: list[MetaStatus]) -> IngestResult:
    result = IngestResult(statuses=len(statuses))
    events: dict[str, list[StatusEvent]] = defaultdict(list)
    declared: dict[str, RowKey] = {}
    for status in statuses:
        events[status.id].append(StatusEvent.from_meta(status))
        result.by_status[status.status] = result.by_status.get(status.status, 0) + 1
        for error in status.errors[:1]:
            result.by_error_code[error.code] = result.by_error_code.get(error.code, 0) + 1
        if (ref := sender_reference(status.biz_opaque_callback_data)) is not None:
            declared[status.id] = ref
    if not events:
        return result

    # The sender's own reference saves the index lookup, when the row it names holds that
    # message as its current one. Otherwise (an older step's message, or a reference naming
    # the wrong lead) the message index says where the status belongs, as without one.
    rows = store.get_rows(list(set(declared.values())))
    targets: dict[str, RowKey] = {m: k for m, k in declared.items() if k in rows and rows[k].message_id == m}
    links = store.get_message_links([m for m in events if m not in targets])
    targets.update({m: (l.campaign_id, l.lead_id) for m, l in links.items() if l.linked})
    rows.update(store.get_rows([k for k in set(targets.values()) if k not in rows]))

    per_row: dict[RowKey, list[tuple[str, list[StatusEvent]]]] = defaultdict(list)
    early: list[str] = []
    for message_id, message_events in events.items():
        key = targets.get(message_id)
        if key is not None and key in rows:
            per_row[key].append((message_id, message_events))
        else:
            early.append(message_id)

    def apply_row(key: RowKey) -> bool:
        return _apply_to_row(key, rows[key], per_row[key])

    def hold(message_id: str) -> bool:
        return _hold_or_apply(message_id, events[message_id], links.get(message_id))

    with ThreadPoolExecutor(max_workers=_WRITERS) as pool:
        result.rows_changed = sum(pool.map(apply_row, list(per_row)))
        result.held_for_recording = sum(pool.map(hold, early))
    return result


def _apply_to_row(key: RowKey, row, batches: list[tuple[str, list[StatusEvent]]]) -> bool:
    for _ in range(_MAX_OPTIMISTIC_TRIES):
        if row is None:
            raise StoreConflict(f"row {key} disappeared while applying statuses")
        updated = row
        for message_id, message_events in batches:
            updated = add_events(updated, message_id, message_events) or updated
        if updated is row:
            return False
        if store.put_row(updated, row.version):
            return True
        row = store.get_rows([key]).get(key)
    raise StoreConflict(f"row {key} kept changing under concurrent writers")


def _hold_or_apply(message_id: str, message_events: list[StatusEvent], link) -> bool:
    """Keep statuses of a message that is not recorded yet, unless it gets recorded meanwhile."""
    for _ in range(_MAX_OPTIMISTIC_TRIES):
        if link is not None and link.linked:
            key = (link.campaign_id, link.lead_id)
            row = store.get_rows([key]).get(key)
            if row is not None:
                _apply_to_row(key, row, [(message_id, message_events)])
                return False
        if store.hold_early_events(message_id, message_events, link):
            return True
        link = store.get_message_links([message_id]).get(message_id)
    raise StoreConflict(f"message {message_id} kept changing under concurrent writers")
