"""Campaign counters, maintained off the table's stream.

A row change moves one recipient from one bucket (status, error code) to another; a
stream batch becomes one counter update per (campaign, row shard) it touched. Each
counter remembers the last sequence number it counted and counts only later records,
so a retried, split or overlapping batch is counted exactly once.
"""

from __future__ import annotations

from boto3.dynamodb.types import TypeDeserializer

from . import campaign_store
from .campaign_store import CounterDelta
from .delivery_store import ROW_KIND
from .errors import StoreConflict

_deserialize = TypeDeserializer().deserialize
_MAX_OPTIMISTIC_TRIES = 12


def status_counter(status: str) -> str:
    return f"status:{status}"


def delivery_error_counter(code) -> str:
    return f"derr:{code}"


def attempt_error_counter(code: str) -> str:
    return f"aerr:{code}"


def _image(record: dict, which: str) -> dict | None:
    image = record.get("dynamodb", {}).get(which)
    if not image:
        return None
    return {k: _deserialize(v) for k, v in image.items()}


def _row_shard(pk: str) -> int:
    return int(pk.rsplit("#S", 1)[1])


def bucket_of(row: dict) -> tuple[list[str], dict[str, str]]:
    """The counters a stored row counts in, and the labels it brings (titles, messages)."""
    status = row["delivery_status"]
    names, labels = [status_counter(status)], {}
    if status == "failed" and row.get("delivery_error_code") is not None:
        code = int(row["delivery_error_code"])
        names.append(delivery_error_counter(code))
        if row.get("delivery_error_title"):
            labels[f"derr_title:{code}"] = row["delivery_error_title"]
    if status == "not_attempted" and row.get("attempt_error"):
        code = row["attempt_error"]["code"]
        names.append(attempt_error_counter(code))
        labels[f"aerr_message:{code}"] = row["attempt_error"].get("message", "")
    return names, labels


def deltas_by_counter(records: list[dict]) -> dict[tuple[str, int], list[tuple[int, dict, dict]]]:
    """Row records grouped by (campaign, row shard): (sequence number, old row, new row)."""
    grouped: dict[tuple[str, int], list[tuple[int, dict, dict]]] = {}
    for record in records:
        old, new = _image(record, "OldImage"), _image(record, "NewImage")
        row = new or old
        if not row or row.get("kind") != ROW_KIND:
            continue
        key = (row["campaign_id"], _row_shard(row["pk"]))
        grouped.setdefault(key, []).append((int(record["dynamodb"]["SequenceNumber"]), old or {}, new or {}))
    return grouped


def delta_after(changes: list[tuple[int, dict, dict]], counted_through: int) -> CounterDelta:
    delta = CounterDelta()
    for sequence, old, new in changes:
        if sequence <= counted_through:
            continue
        if old:
            for name in bucket_of(old)[0]:
                delta.add(name, -1)
        if new:
            names, labels = bucket_of(new)
            for name in names:
                delta.add(name, 1)
            delta.labels.update(labels)
    return delta


def count_stream_batch(records: list[dict]) -> int:
    """Fold a stream batch into the counters; returns how many counters moved."""
    moved = 0
    for (campaign_id, shard), changes in deltas_by_counter(records).items():
        last = max(seq for seq, _, _ in changes)
        for _ in range(_MAX_OPTIMISTIC_TRIES):
            stored = campaign_store.counter_sequence(campaign_id, shard)
            counted_through = int(stored) if stored else -1
            if counted_through >= last:
                break
            delta = delta_after(changes, counted_through)
            if campaign_store.add_to_counter(campaign_id, shard, stored, str(last), delta):
                moved += 1
                break
        else:
            raise StoreConflict(f"counter {campaign_id}/{shard} kept changing")
    return moved
