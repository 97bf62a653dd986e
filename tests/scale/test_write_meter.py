"""The benchmarks' DynamoDB write-unit meter prices writes as DynamoDB does (no network)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from bench.meter import DynamoMeter, item_size, units


def _call(meter: DynamoMeter, op: str, request: dict, parsed: dict | None = None) -> None:
    context: dict = {}
    model = SimpleNamespace(name=op)
    meter._before_call(model=model, params={"body": json.dumps(request).encode()}, context=context)
    meter._after_call(http_response=None, parsed=parsed or {}, model=model, context=context)


def _row(sk: str, padding: int = 0, problem: tuple[str, str] | None = None) -> dict:
    item = {"pk": {"S": "C#c#S001"}, "sk": {"S": sk}, "version": {"N": "3"}, "pad": {"S": "x" * padding}}
    if problem:
        item["gsi1pk"], item["gsi1sk"] = {"S": problem[0]}, {"S": problem[1]}
    return item


def test_item_size_counts_names_and_values():
    # "pk"(2)+"C#c#S001"(8) + "sk"(2)+"L#1"(3) + "version"(7)+N 3 (1 digit -> 2) + "pad"(3)+""(0)
    assert item_size(_row("L#1")) == 2 + 8 + 2 + 3 + 7 + 2 + 3
    assert units(1) == 1 and units(1024) == 1 and units(1025) == 2


def test_a_put_costs_the_larger_of_old_and_new_item_in_1_kb_units():
    meter = DynamoMeter("t")
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1", padding=1500)})
    assert meter.totals.write_units == 2
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1", padding=10)})
    assert meter.totals.write_units == 2 + 2  # replacing a 1.5 KB item with a small one still costs 2


def test_the_sparse_index_costs_on_entry_in_place_change_move_and_exit():
    meter = DynamoMeter("t")
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1")})
    assert meter.totals.gsi_write_units == 0  # not in the index
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1", problem=("C#c#S001#failed", "131026#1"))})
    assert meter.totals.gsi_write_units == 1  # enters
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1", padding=5, problem=("C#c#S001#failed", "131026#1"))})
    assert meter.totals.gsi_write_units == 2  # changes in place
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1", problem=("C#c#S001#failed", "131049#1"))})
    assert meter.totals.gsi_write_units == 4  # key moves: delete + put
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1")})
    assert meter.totals.gsi_write_units == 5  # leaves
    assert meter.totals.table_write_units == 5


def test_failed_conditions_cost_without_touching_the_index_and_transactions_cost_double():
    meter = DynamoMeter("t")
    failed = {"Error": {"Code": "ConditionalCheckFailedException"}}
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1", problem=("p", "s"))}, failed)
    assert (meter.totals.failed_condition_write_units, meter.totals.gsi_write_units) == (1, 0)
    _call(meter, "TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "t", "Item": _row("L#2")}}]})
    assert (meter.totals.table_write_units, meter.totals.write_units) == (2, 1 + 2)


def test_writes_are_charged_to_their_partition_key_in_the_current_second():
    meter = DynamoMeter("t")
    meter.clock = 7
    _call(meter, "PutItem", {"TableName": "t", "Item": _row("L#1", problem=("C#c#S001#failed", "1#1"))})
    _call(meter, "BatchWriteItem", {"RequestItems": {"t": [{"PutRequest": {"Item": _row("L#2")}},
                                                           {"PutRequest": {"Item": _row("L#3")}}]}})
    assert meter.per_key_second[(7, "table:C#c#S001")] == 3
    assert meter.per_key_second[(7, "problems:C#c#S001#failed")] == 1
    assert meter.hottest() == (3, 7, "table:C#c#S001")


def test_reads_count_items_scanned():
    meter = DynamoMeter("t")
    _call(meter, "Query", {"TableName": "t"}, {"Count": 2, "ScannedCount": 9, "Items": [{}, {}]})
    _call(meter, "BatchGetItem", {}, {"Responses": {"t": [{}, {}, {}]}})
    _call(meter, "GetItem", {}, {"Item": {}})
    _call(meter, "GetItem", {}, {})
    assert meter.totals.items_read == 9 + 3 + 1
