"""Signed webhook bodies we could not apply: raw bytes in S3, an index item in DynamoDB."""

from __future__ import annotations

import uuid
import zlib
from datetime import datetime, timezone

from boto3.dynamodb.conditions import Attr, Key

from . import aws
from .models import QuarantineItem
from .settings import expires_at, settings

# Spread over a few keys: a store outage can quarantine thousands of bodies a second.
_SHARDS = 8


def _pk(item_id: str) -> str:
    return f"QUARANTINE#{zlib.crc32(item_id.encode()) % _SHARDS}"


def _table():
    return aws.table(settings().table_name)


def _object_key(item_id: str) -> str:
    return f"quarantine/{item_id}.json"


def keep(body: bytes, reason: str, retryable: bool) -> QuarantineItem:
    """Keep a body aside; `retryable` when a later try may apply it as it is (a store failure)."""
    now = datetime.now(timezone.utc)
    # Time-ordered ids: the list reads oldest first.
    item = QuarantineItem(id=f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}", received_at=now, reason=reason[:1000],
                          size=len(body), retryable=retryable)
    aws.s3().put_object(Bucket=settings().bucket_name, Key=_object_key(item.id), Body=body)
    _table().put_item(
        Item={
            "pk": _pk(item.id),
            "sk": item.id,
            "kind": "quarantine",
            **item.model_dump(mode="json"),
            "expires_at": expires_at(),
        }
    )
    return item


def list_items(limit: int = 100, after: str | None = None, retryable_only: bool = False) -> list[QuarantineItem]:
    """The oldest `limit` items after the id `after` (ids are time-ordered), over every index key.

    With `retryable_only`, a key is read on past the items that are not, however many there
    are: what waits for an operator never keeps a passing failure from its retry.
    """
    items: list[QuarantineItem] = []
    for shard in range(_SHARDS):
        condition = Key("pk").eq(f"QUARANTINE#{shard}")
        if after is not None:
            condition = condition & Key("sk").gt(after)
        request: dict = {"KeyConditionExpression": condition, "Limit": limit}
        if retryable_only:
            request["FilterExpression"] = Attr("retryable").eq(True)
        found: list[QuarantineItem] = []
        while len(found) < limit:
            page = _table().query(**request)
            found += [QuarantineItem.model_validate(i) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        items += found
    return sorted(items, key=lambda i: i.id)[:limit]


def get(item_id: str) -> tuple[QuarantineItem, bytes] | None:
    found = _table().get_item(Key={"pk": _pk(item_id), "sk": item_id}, ConsistentRead=True).get("Item")
    if not found:
        return None
    body = aws.s3().get_object(Bucket=settings().bucket_name, Key=_object_key(item_id))["Body"].read()
    return QuarantineItem.model_validate(found), body


def set_reason(item_id: str, reason: str, retryable: bool) -> None:
    _table().update_item(
        Key={"pk": _pk(item_id), "sk": item_id},
        UpdateExpression="SET reason = :r, retryable = :t",
        ExpressionAttributeValues={":r": reason[:1000], ":t": retryable},
    )


def release(item_id: str) -> None:
    # Index item first: a crash in between leaves an orphan object, never a listed item without a body.
    _table().delete_item(Key={"pk": _pk(item_id), "sk": item_id})
    aws.s3().delete_object(Bucket=settings().bucket_name, Key=_object_key(item_id))
