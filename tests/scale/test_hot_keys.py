"""Hot partition keys: one campaign at Meta's peak rate must not exceed DynamoDB's 1,000
write units/s on any partition key value, in the table or in the problems index.

A shorter run of `bench.hotkeys` (the full one is part of `make bench`): statuses arrive at
exactly 3,000/s, the campaign is recorded as it is sent, and every write unit of every
function is charged to its partition key value. The simulated second is cut to a quarter
second and the counts scaled back to a second; the stream consumer then runs four times a
second instead of once, which over-counts the counters' writes rather than hiding them.
"""

from __future__ import annotations

import pytest

from bench.hotkeys import LIMIT_PER_KEY, simulate

RATE = 3000
WINDOW = 0.25


@pytest.fixture(scope="module")
def result(local_aws):
    """One simulation for the module (it empties the embedded AWS first)."""
    outcome = simulate(local_aws, recipients=320, rate=RATE, window=WINDOW)
    local_aws.reset()
    return outcome


def test_no_partition_key_takes_more_than_1000_write_units_a_second_at_3000_statuses_a_second(result):
    assert result["full_rate_windows"] >= 1, result  # the load really reached 3,000/s
    assert result["events_in_hottest_window"] >= RATE * WINDOW * 0.5, result
    assert 0 < result["max_writes_per_key_per_s"] <= LIMIT_PER_KEY, (
        f"{result['hottest_key']} takes {result['max_writes_per_key_per_s']} write units/s "
        f"(top keys: {result['top_keys_in_hottest_window']})"
    )


def test_the_meter_sees_the_problems_index_and_the_counters(result):
    """The simulation is only as good as what it counts: index and counter writes must show up."""
    kinds = result["write_units_by_kind"]
    assert kinds.get("row", 0) > 0 and kinds.get("counter", 0) > 0 and kinds.get("gsi_problems", 0) > 0, kinds
    assert result["write_units_per_status"] >= 1.0, result  # the floor: one row write per status
