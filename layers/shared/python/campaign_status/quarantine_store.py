"""Signed webhook bodies we could not apply: raw bytes in S3, an index item in DynamoDB."""

from __future__ import annotations

import time
import uuid
import zlib
from datetime import datetime, timezone

from boto3.dynamodb.conditions import Key

from . import aws
from .models import QuarantineItem
from .settings import settings

# Spread over a few keys: a store outage can quarantine thousands of bodies a second.
_SHARDS = 8


def _pk(item_id: str) -> str:
    return f"QUARANTINE#{zlib.crc32(item_id.encode()) % _SHARDS}"


def _table():
    return aws.table(settings().table_name)


def _object_key(item_id: str) -> str:
    return f"quarantine/{item_id}.json"


def keep(body: bytes, reason: str) -> QuarantineItem:
    now = datetime.now(timezone.utc)
    # Time-ordered ids: the list reads oldest first.
    item = QuarantineItem(id=f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}", received_at=now, reason=reason[:1000], size=len(body))
    aws.s3().put_object(Bucket=settings().bucket_name, Key=_object_key(item.id), Body=body)
    _table().put_item(
        Item={
            "pk": _pk(item.id),
            "sk": item.id,
            "kind": "quarantine",
            **item.model_dump(mode="json"),
            "expires_at": int(time.time()) + settings().retention_days * 86400,
        }
    )
    return item


def list_items(limit: int = 1000) -> list[QuarantineItem]:
    """The oldest `limit` items (ids are time-ordered)."""
    items: list[QuarantineItem] = []
    for shard in range(_SHARDS):
        page = _table().query(KeyConditionExpression=Key("pk").eq(f"QUARANTINE#{shard}"), Limit=limit)
        items += [QuarantineItem.model_validate(i) for i in page["Items"]]
    return sorted(items, key=lambda i: i.id)[:limit]


def get(item_id: str) -> tuple[QuarantineItem, bytes] | None:
    found = _table().get_item(Key={"pk": _pk(item_id), "sk": item_id}, ConsistentRead=True).get("Item")
    if not found:
        return None
    body = aws.s3().get_object(Bucket=settings().bucket_name, Key=_object_key(item_id))["Body"].read()
    return QuarantineItem.model_validate(found), body


def set_reason(item_id: str, reason: str) -> None:
    _table().update_item(
        Key={"pk": _pk(item_id), "sk": item_id},
        UpdateExpression="SET reason = :r",
        ExpressionAttributeValues={":r": reason[:1000]},
    )


def release(item_id: str) -> None:
    # Index item first: a crash in between leaves an orphan object, never a listed item without a body.
    _table().delete_item(Key={"pk": _pk(item_id), "sk": item_id})
    aws.s3().delete_object(Bucket=settings().bucket_name, Key=_object_key(item_id))
