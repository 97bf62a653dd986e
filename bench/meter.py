"""DynamoDB capacity accounting through botocore event hooks.

Every call the project's DynamoDB client makes is seen twice: `before-call` (the
serialized request, in wire format) and `after-call` (the parsed response). Writes are
priced as DynamoDB prices them:

- one item write costs ceil(size / 1 KB) write units, size being the larger of the item
  before and after the write (PutItem, UpdateItem, DeleteItem, BatchWriteItem);
  transactional writes cost twice that;
- a write whose condition fails still costs ceil(size / 1 KB), at least 1, and touches
  no index;
- the sparse GSI `problems` (gsi1pk/gsi1sk, projection ALL) costs its own write units
  when the item enters it, changes while in it, or leaves it; a change of the index key
  is a delete plus a put (2 index writes).

To know the item before a write, the meter keeps a shadow of every item it saw written
(size and index key). For UpdateItem the item after the write is fetched with a client
that has no hooks, so the fetch itself is not counted. The meter must therefore see a
table from its first write on (attach it to an empty table).

Reads count items: GetItem 1 if found, BatchGetItem the items returned, Query/Scan the
ScannedCount (what DynamoDB reads, before any filter).

Each write is also charged to its partition key value (table: `pk`; index: `gsi1pk`) and
to the meter's current `clock` (a simulated second), for the hot-key simulation.
"""

from __future__ import annotations

import base64
import json
import math
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import boto3

KB = 1024
GSI_NAME = "problems"
GSI_KEYS = ("gsi1pk", "gsi1sk")
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
READ_OPS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}


# --- item size, as DynamoDB computes it -------------------------------------------


def _number_size(text: str) -> int:
    digits = text.lstrip("+-").replace(".", "")
    if "e" in digits.lower():
        digits = digits.lower().split("e", 1)[0]
    significant = digits.strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def value_size(value: dict) -> int:
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        return _number_size(data)
    if kind == "B":
        return len(base64.b64decode(data))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in data)
    if kind == "NS":
        return sum(_number_size(n) for n in data)
    if kind == "BS":
        return sum(len(base64.b64decode(b)) for b in data)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in data)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in data.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict) -> int:
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def units(size: int) -> int:
    return max(1, math.ceil(size / KB))


# --- the meter ----------------------------------------------------------------------


@dataclass
class Shadow:
    size: int
    gsi_key: tuple[str, str] | None


def _gsi_key(item: dict | None) -> tuple[str, str] | None:
    if not item or not all(k in item for k in GSI_KEYS):
        return None
    return item["gsi1pk"]["S"], item["gsi1sk"]["S"]


def _key_of(key: dict) -> tuple[str, str]:
    return key["pk"]["S"], key["sk"]["S"]


def kind_of(pk: str, sk: str) -> str:
    """Which of the table's item kinds a key is (for the write breakdown)."""
    if pk.startswith("M#"):
        return "message_index"
    if sk == "COUNT":
        return "counter"
    if sk == "META":
        return "campaign"
    if sk.startswith("L#"):
        return "row"
    if sk.startswith("REPORT#"):
        return "report"
    return "other"


@dataclass
class MeterTotals:
    write_units: int = 0
    table_write_units: int = 0
    gsi_write_units: int = 0
    failed_condition_write_units: int = 0
    write_calls: int = 0
    items_read: int = 0
    read_calls: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_op: Counter = field(default_factory=Counter)
    by_phase: Counter = field(default_factory=Counter)


class DynamoMeter:
    def __init__(self, table_name: str):
        self.table_name = table_name
        self._lock = threading.Lock()
        self._shadow: dict[tuple[str, str], Shadow] = {}
        self.totals = MeterTotals()
        # (clock, "table:<pk>" | "problems:<gsi1pk>") -> write units
        self.per_key_second: Counter = Counter()
        self.clock: int | None = None
        # What the caller is doing (e.g. "recording", "webhooks", "stream"): writes are tallied by it.
        self.phase: str | None = None
        self._raw = None
        self._attached: list = []

    # -- wiring --------------------------------------------------------------------
    def attach(self, client) -> "DynamoMeter":
        """Count every call of this botocore client (a resource's `meta.client` too)."""
        events = client.meta.events
        events.register("before-call.dynamodb", self._before_call, unique_id=f"bench-meter-before-{id(self)}")
        events.register("after-call.dynamodb", self._after_call, unique_id=f"bench-meter-after-{id(self)}")
        self._attached.append(client)
        return self

    def detach(self) -> None:
        for client in self._attached:
            client.meta.events.unregister("before-call.dynamodb", unique_id=f"bench-meter-before-{id(self)}")
            client.meta.events.unregister("after-call.dynamodb", unique_id=f"bench-meter-after-{id(self)}")
        self._attached.clear()

    def reset_counts(self) -> None:
        with self._lock:
            self.totals = MeterTotals()
            self.per_key_second = Counter()

    def _raw_client(self):
        if self._raw is None:
            self._raw = boto3.client("dynamodb")  # no hooks: its reads are not counted
        return self._raw

    # -- hooks ---------------------------------------------------------------------
    def _before_call(self, model, params, context, **_):
        op = model.name
        if op in WRITE_OPS or op in READ_OPS:
            body = params.get("body") or b"{}"
            context["bench_request"] = (op, json.loads(body))

    def _after_call(self, http_response, parsed, model, context, **_):
        pending = context.pop("bench_request", None)
        if pending is None:
            return
        op, request = pending
        error = (parsed.get("Error") or {}).get("Code") if isinstance(parsed, dict) else None
        if op in READ_OPS:
            if error is None:
                self._count_read(op, parsed)
            return
        if error == "ConditionalCheckFailedException":
            self._count_failed_condition(op, request)
        elif error is None:
            self._count_write(op, request, parsed)

    # -- reads ---------------------------------------------------------------------
    def _count_read(self, op: str, parsed: dict) -> None:
        if op == "GetItem":
            n = 1 if "Item" in parsed else 0
        elif op == "BatchGetItem":
            n = sum(len(items) for items in (parsed.get("Responses") or {}).values())
        elif op == "TransactGetItems":
            n = sum(1 for r in parsed.get("Responses") or [] if r.get("Item"))
        else:
            n = parsed.get("ScannedCount", parsed.get("Count", len(parsed.get("Items") or [])))
        with self._lock:
            self.totals.items_read += n
            self.totals.read_calls += 1

    # -- writes --------------------------------------------------------------------
    def _count_failed_condition(self, op: str, request: dict) -> None:
        if op == "PutItem":
            key, new_size = _key_of(request["Item"]), item_size(request["Item"])
        elif op in ("UpdateItem", "DeleteItem"):
            key, new_size = _key_of(request["Key"]), 0
        else:  # a failed transaction: every item is charged, at the transactional price
            for entry in request.get("TransactItems", []):
                (action, body), = entry.items()
                key = _key_of(body.get("Key") or body.get("Item"))
                with self._lock:
                    old = self._shadow.get(key)
                    cost = 2 * units(max(old.size if old else 0, item_size(body.get("Item") or {})))
                    self._charge(key, cost, "failed_condition", op)
            return
        with self._lock:
            old = self._shadow.get(key)
            cost = units(max(old.size if old else 0, new_size))
            self._charge(key, cost, "failed_condition", op)

    def _count_write(self, op: str, request: dict, parsed: dict) -> None:
        if op == "PutItem":
            self._item_write(op, _key_of(request["Item"]), request["Item"], 1)
        elif op == "DeleteItem":
            self._item_write(op, _key_of(request["Key"]), None, 1)
        elif op == "UpdateItem":
            key = request["Key"]
            after = self._raw_client().get_item(TableName=request["TableName"], Key=key, ConsistentRead=True).get("Item")
            self._item_write(op, _key_of(key), after, 1)
        elif op == "BatchWriteItem":
            unprocessed = parsed.get("UnprocessedItems") or {}
            for table, writes in request["RequestItems"].items():
                skipped = [json.dumps(w, sort_keys=True) for w in unprocessed.get(table, [])]
                for write in writes:
                    if json.dumps(write, sort_keys=True) in skipped:
                        continue
                    if "PutRequest" in write:
                        item = write["PutRequest"]["Item"]
                        self._item_write(op, _key_of(item), item, 1)
                    else:
                        self._item_write(op, _key_of(write["DeleteRequest"]["Key"]), None, 1)
        elif op == "TransactWriteItems":
            for entry in request["TransactItems"]:
                (action, body), = entry.items()
                if action == "Put":
                    self._item_write(op, _key_of(body["Item"]), body["Item"], 2)
                elif action == "Delete":
                    self._item_write(op, _key_of(body["Key"]), None, 2)
                elif action == "Update":
                    after = self._raw_client().get_item(TableName=body["TableName"], Key=body["Key"]).get("Item")
                    self._item_write(op, _key_of(body["Key"]), after, 2)
                else:  # ConditionCheck: charged like a write of the item, touches no index
                    with self._lock:
                        old = self._shadow.get(_key_of(body["Key"]))
                        self._charge(_key_of(body["Key"]), 2 * units(old.size if old else 0), "table", op)

    def _item_write(self, op: str, key: tuple[str, str], new_item: dict | None, factor: int) -> None:
        new_size = item_size(new_item) if new_item else 0
        new_gsi = _gsi_key(new_item)
        with self._lock:
            old = self._shadow.get(key)
            old_size = old.size if old else 0
            old_gsi = old.gsi_key if old else None
            self._charge(key, factor * units(max(old_size, new_size)), "table", op)
            # The problems index: enter, change in place, move (delete + put) or leave.
            if old_gsi and new_gsi and old_gsi == new_gsi:
                self._charge_gsi(new_gsi[0], factor * units(new_size), key)
            else:
                if old_gsi:
                    self._charge_gsi(old_gsi[0], factor * units(old_size), key)
                if new_gsi:
                    self._charge_gsi(new_gsi[0], factor * units(new_size), key)
            if new_item is None:
                self._shadow.pop(key, None)
            else:
                self._shadow[key] = Shadow(new_size, new_gsi)

    def _charge(self, key: tuple[str, str], cost: int, where: str, op: str) -> None:
        t = self.totals
        t.write_units += cost
        t.write_calls += 1
        t.by_op[op] += cost
        t.by_phase[self.phase] += cost
        if where == "failed_condition":
            t.failed_condition_write_units += cost
            t.by_kind["failed_condition"] += cost
        else:
            t.table_write_units += cost
            t.by_kind[kind_of(*key)] += cost
        self.per_key_second[(self.clock, f"table:{key[0]}")] += cost

    def _charge_gsi(self, gsi_pk: str, cost: int, key: tuple[str, str]) -> None:
        t = self.totals
        t.write_units += cost
        t.gsi_write_units += cost
        t.by_kind["gsi_problems"] += cost
        t.by_phase[self.phase] += cost
        self.per_key_second[(self.clock, f"{GSI_NAME}:{gsi_pk}")] += cost

    # -- reports -------------------------------------------------------------------
    def hottest(self) -> tuple[int, int | None, str | None]:
        """(write units, second, key) of the busiest partition key value in any one second."""
        with self._lock:
            if not self.per_key_second:
                return 0, None, None
            (second, key), value = max(self.per_key_second.items(), key=lambda kv: kv[1])
            return value, second, key

    def per_second_totals(self) -> dict:
        out: dict = defaultdict(int)
        with self._lock:
            for (second, _), value in self.per_key_second.items():
                out[second] += value
        return dict(out)
