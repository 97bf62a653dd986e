"""Data access for a campaign's own items: its marker and its status counters.

- campaign: pk `C#{campaign}` sk `META`
- counters: pk `C#{campaign}#S{row shard}` sk `COUNT`: one per row shard, beside the rows
  it counts, written only by the stream aggregator. It keeps the sequence number of the
  last stream record it counted, so a retried or overlapping batch is counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from boto3.dynamodb.conditions import Attr

from . import aws
from .delivery_store import row_pk
from .settings import expires_at, settings

CAMPAIGN_KIND = "campaign"
COUNTER_KIND = "counter"
# Stream sequence numbers are decimal strings of up to 40 digits: padded, they compare as text.
_SEQ_WIDTH = 40


def _table():
    return aws.table(settings().table_name)


def campaign_pk(campaign_id: str) -> str:
    return f"C#{campaign_id}"


def ensure_campaign(campaign_id: str, created_at: str) -> None:
    aws.conditional_write(  # False: it existed already, which is all we need
        _table().put_item,
        Item={
            "pk": campaign_pk(campaign_id),
            "sk": "META",
            "kind": CAMPAIGN_KIND,
            "campaign_id": campaign_id,
            "created_at": created_at,
            "expires_at": expires_at(),
        },
        ConditionExpression=Attr("pk").not_exists(),
    )


def campaign_exists(campaign_id: str) -> bool:
    response = _table().get_item(Key={"pk": campaign_pk(campaign_id), "sk": "META"}, ConsistentRead=True)
    return "Item" in response


@dataclass
class CounterDelta:
    """What one stream batch changes in one campaign's counters."""

    counts: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, amount: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount


def counter_key(campaign_id: str, row_shard: int) -> dict:
    # Beside the rows it counts: same partition key, so one stream shard carries both in order.
    return {"pk": row_pk(campaign_id, row_shard), "sk": "COUNT"}


def counter_sequence(campaign_id: str, row_shard: int) -> str | None:
    """The last stream sequence number this counter holds, or None for a new counter."""
    item = _table().get_item(Key=counter_key(campaign_id, row_shard), ConsistentRead=True).get("Item")
    return item.get("seq") if item else None


def add_to_counter(
    campaign_id: str, row_shard: int, expected_seq: str | None, last_seq: str, delta: CounterDelta
) -> bool:
    """Add a delta and move the counter to `last_seq`; False if the counter moved since it was read."""
    names: dict[str, str] = {"#seq": "seq", "#kind": "kind", "#cid": "campaign_id", "#exp": "expires_at"}
    values: dict[str, object] = {
        ":seq": pad_sequence(last_seq),
        ":kind": COUNTER_KIND,
        ":cid": campaign_id,
        ":exp": expires_at(),
    }
    adds, sets = [], ["#seq = :seq", "#kind = :kind", "#cid = :cid", "#exp = :exp"]
    for i, (name, amount) in enumerate(sorted(delta.counts.items())):
        if amount:
            names[f"#n{i}"], values[f":n{i}"] = name, amount
            adds.append(f"#n{i} :n{i}")
    for i, (name, label) in enumerate(sorted(delta.labels.items())):
        names[f"#l{i}"], values[f":l{i}"] = name, label
        sets.append(f"#l{i} = :l{i}")
    if expected_seq is None:
        condition = "attribute_not_exists(#seq)"
    else:
        condition = "#seq = :expected"
        values[":expected"] = expected_seq
    return aws.conditional_write(
        _table().update_item,
        Key=counter_key(campaign_id, row_shard),
        UpdateExpression="SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else ""),
        ConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def pad_sequence(sequence: str) -> str:
    return sequence.zfill(_SEQ_WIDTH)


def read_counters(campaign_id: str, row_shards: int) -> list[dict]:
    """The campaign's counter items, one per row shard: a fixed number of reads at any size."""
    keys = [counter_key(campaign_id, shard) for shard in range(row_shards)]
    return aws.batch_get(settings().table_name, keys)
