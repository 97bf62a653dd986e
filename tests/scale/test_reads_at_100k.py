"""Read cost at campaign size: a summary reads the same items at 1,000 and at 100,000
recipients, and a page of failed rows at 1% failures over 100,000 reads about what it
returns. The same run as `make bench` (`bench.reads`): rows written with the product's
own item mapping, counters built by the counter function from their stream records."""

from __future__ import annotations

import pytest

from bench import reads


@pytest.fixture(scope="module")
def measured(local_aws):
    outcome = reads.run(local_aws, small=1_000, large=100_000)
    local_aws.reset()
    return outcome


def test_a_summary_reads_the_same_items_at_1k_and_100k(measured):
    assert measured["summary_reads_1k"] == measured["summary_reads_100k"] <= 17


def test_a_failed_page_at_1_percent_over_100k_reads_at_most_twice_what_it_returns(measured):
    returned = measured["failed_page_items_returned"]
    assert returned == 50  # a full page: ~1,000 failed rows exist
    assert measured["failed_page_items_read"] <= 2 * returned
