"""Data access for recipient rows and the message index (one DynamoDB table).

Keys (see docs/architecture.md):
- row:        pk `C#{campaign}#S{shard}`  sk `L#{lead}`   (shard = crc32(lead) mod row_shards)
- problems:   GSI `problems` on rows that failed or were never attempted:
              gsi1pk `C#{campaign}#S{shard}#{failed|not_attempted}`  gsi1sk `{error code}#{lead}`
- message:    pk `M#{message id}`  sk `M`: which row a WhatsApp message belongs to, or the
              statuses that arrived before the message was recorded.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from boto3.dynamodb.conditions import Attr, Key

from . import aws
from .models import RecipientRow, StatusEvent
from .settings import expires_at, settings

ROW_KIND = "row"
MESSAGE_KIND = "msg"
PROBLEMS_INDEX = "problems"
PROBLEM_STATUSES = ("failed", "not_attempted")


def _table():
    return aws.table(settings().table_name)


def shard_of(lead_id: str) -> int:
    return zlib.crc32(lead_id.encode()) % settings().row_shards


def row_pk(campaign_id: str, shard: int) -> str:
    return f"C#{campaign_id}#S{shard:03d}"


def row_key(campaign_id: str, lead_id: str) -> dict:
    return {"pk": row_pk(campaign_id, shard_of(lead_id)), "sk": f"L#{lead_id}"}


def problem_pk(campaign_id: str, shard: int, status: str) -> str:
    return f"{row_pk(campaign_id, shard)}#{status}"


def _index_code(code: str) -> str:
    # `#` ends the code in the index's sort key (`{code}#{lead}`): an attempt code may hold one.
    return code.replace("%", "%25").replace("#", "%23")


def problem_code(row: RecipientRow) -> str | None:
    if row.delivery_status == "failed":
        return str(row.delivery_error_code) if row.delivery_error_code is not None else "-"
    if row.delivery_status == "not_attempted" and row.attempt_error:
        return row.attempt_error.code
    return None


def row_to_item(row: RecipientRow) -> dict:
    # Events are kept as one compact JSON string: smaller items, fewer write units.
    data = row.model_dump(mode="json", exclude={"events"}, exclude_none=True)
    item = {
        **data,
        **row_key(row.campaign_id, row.lead_id),
        "kind": ROW_KIND,
        "events": json.dumps(
            {mid: [e.model_dump(exclude_none=True) for e in evs] for mid, evs in row.events.items()},
            separators=(",", ":"),
            ensure_ascii=False,
        ),
        "expires_at": expires_at(),
    }
    code = problem_code(row)
    if code is not None:
        item["gsi1pk"] = problem_pk(row.campaign_id, shard_of(row.lead_id), row.delivery_status)
        item["gsi1sk"] = f"{_index_code(code)}#{row.lead_id}"
    return item


def item_to_row(item: dict) -> RecipientRow:
    data = dict(item)
    data["events"] = json.loads(data.get("events") or "{}")
    return RecipientRow.model_validate(data)


def get_rows(keys: list[tuple[str, str]]) -> dict[tuple[str, str], RecipientRow]:
    """Rows by (campaign, lead), read consistently; missing rows are absent from the result."""
    found: dict[tuple[str, str], RecipientRow] = {}
    for item in aws.batch_get(settings().table_name, [row_key(c, l) for c, l in dict.fromkeys(keys)]):
        row = item_to_row(item)
        found[(row.campaign_id, row.lead_id)] = row
    return found


def put_row(row: RecipientRow, expected_version: int | None) -> bool:
    """Write the row if nobody else wrote it since `expected_version` was read (None: must not exist)."""
    item = row_to_item(row.model_copy(update={"version": (expected_version or 0) + 1}))
    condition = Attr("pk").not_exists() if expected_version is None else Attr("version").eq(expected_version)
    return aws.conditional_write(_table().put_item, Item=item, ConditionExpression=condition)


@dataclass
class MessageLink:
    message_id: str
    campaign_id: str | None = None
    lead_id: str | None = None
    pending: list[StatusEvent] = field(default_factory=list)
    pending_count: int = 0

    @property
    def linked(self) -> bool:
        return self.lead_id is not None


def _message_key(message_id: str) -> dict:
    return {"pk": f"M#{message_id}", "sk": "M"}


def get_message_links(message_ids: list[str]) -> dict[str, MessageLink]:
    links = {}
    for item in aws.batch_get(settings().table_name, [_message_key(m) for m in dict.fromkeys(message_ids)]):
        message_id = item["pk"][2:]
        links[message_id] = MessageLink(
            message_id=message_id,
            campaign_id=item.get("campaign_id"),
            lead_id=item.get("lead_id"),
            pending=[StatusEvent.model_validate(e) for e in json.loads(item.get("pending") or "[]")],
            pending_count=int(item.get("pending_count", 0)),
        )
    return links


def hold_early_events(message_id: str, events: list[StatusEvent], known: MessageLink | None) -> bool:
    """Keep statuses for a message nobody recorded yet. False when it got linked meanwhile.

    Optimistic on `pending_count`, so that recording (which reads the same item) never
    links a message while missing statuses that were added after it read them.
    """
    held = known.pending if known else []
    fresh = [e for e in dict.fromkeys(events) if e not in held]
    if not fresh:
        return True
    count = known.pending_count if known else 0
    condition = Attr("lead_id").not_exists() & (
        Attr("pending_count").not_exists() if count == 0 else Attr("pending_count").eq(count)
    )
    return aws.conditional_write(
        _table().put_item,
        Item={
            **_message_key(message_id),
            "kind": MESSAGE_KIND,
            "pending": json.dumps([e.model_dump(exclude_none=True) for e in [*held, *fresh]], separators=(",", ":")),
            "pending_count": count + 1,
            "expires_at": expires_at(),
        },
        ConditionExpression=condition,
    )


def link_message(message_id: str, campaign_id: str, lead_id: str, seen_pending_count: int) -> bool:
    """Point a message at its row, dropping the early statuses already applied to it.

    False when more early statuses arrived since they were read: the caller applies those and tries again.
    """
    condition = Attr("pending_count").not_exists() | Attr("pending_count").eq(seen_pending_count)
    return aws.conditional_write(
        _table().put_item,
        Item={
            **_message_key(message_id),
            "kind": MESSAGE_KIND,
            "campaign_id": campaign_id,
            "lead_id": lead_id,
            "expires_at": expires_at(),
        },
        ConditionExpression=condition,
    )


def _rows_page(request: dict, position_key: str) -> tuple[list[RecipientRow], str | None, int]:
    page = _table().query(**request)
    last = page.get("LastEvaluatedKey")
    return [item_to_row(i) for i in page["Items"]], last[position_key] if last else None, page.get("ScannedCount", 0)


def _shard_request(campaign_id: str, shard: int, start_after: str | None, limit: int) -> dict:
    pk = row_pk(campaign_id, shard)
    request = {"KeyConditionExpression": Key("pk").eq(pk) & Key("sk").begins_with("L#"), "Limit": limit}
    if start_after:
        request["ExclusiveStartKey"] = {"pk": pk, "sk": start_after}
    return request


def query_rows(
    campaign_id: str, shard: int, start_after: str | None, limit: int
) -> tuple[list[RecipientRow], str | None, int]:
    """One page of a shard's rows by lead id; returns (rows, last sort key or None at the end, items read)."""
    return _rows_page(_shard_request(campaign_id, shard, start_after, limit), "sk")


def scan_shard_filtered(
    campaign_id: str, shard: int, status: str, start_after: str | None, limit: int
) -> tuple[list[RecipientRow], str | None, int]:
    """Rows of one shard in one of the statuses the problems index does not hold."""
    request = _shard_request(campaign_id, shard, start_after, limit)
    request["FilterExpression"] = Attr("delivery_status").eq(status)
    return _rows_page(request, "sk")


def query_problem_rows(
    campaign_id: str, shard: int, status: str, code: str | None, start_after: str | None, limit: int
) -> tuple[list[RecipientRow], str | None, int]:
    """One page of a shard's failed or not-attempted rows, optionally of one error code."""
    pk = problem_pk(campaign_id, shard, status)
    condition = Key("gsi1pk").eq(pk)
    if code is not None:
        condition = condition & Key("gsi1sk").begins_with(f"{_index_code(code)}#")
    request = {"IndexName": PROBLEMS_INDEX, "KeyConditionExpression": condition, "Limit": limit}
    if start_after:
        lead = start_after.split("#", 1)[1]
        request["ExclusiveStartKey"] = {"gsi1pk": pk, "gsi1sk": start_after, **row_key(campaign_id, lead)}
    return _rows_page(request, "gsi1sk")


def iter_shard_pages(campaign_id: str, shard: int, page_size: int = 1000):
    """Every row of one shard, a page at a time (constant memory)."""
    start = None
    while True:
        rows, start, _ = query_rows(campaign_id, shard, start, page_size)
        if rows:
            yield rows
        if start is None:
            return


def iter_shard_rows(campaign_id: str, shard: int, page_size: int = 1000):
    """Every row of one shard (constant memory)."""
    for page in iter_shard_pages(campaign_id, shard, page_size):
        yield from page


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
