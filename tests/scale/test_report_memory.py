"""A report slice streams: its peak memory does not grow with the rows it writes.

Each run is `bench.report_worker` in a fresh interpreter: the real `reporting.write_slice`
(CSV encoding, 1 MiB flushes, the multipart writer's 5 MiB part buffer, progress every
5,000 rows) over synthetic rows from a generator, with S3 taking the parts and dropping
them. `make bench` compares 100,000 with 1,000,000 rows; here 20,000 with 200,000.
"""

from __future__ import annotations

import pytest

from bench.report import peak_rss


@pytest.fixture(scope="module")
def runs() -> dict[int, dict]:
    return {rows: peak_rss(rows) for rows in (20_000, 200_000)}


def test_both_runs_wrote_every_row_in_several_parts(runs):
    small, large = runs[20_000], runs[200_000]
    assert (small["rows"], large["rows"]) == (20_000, 200_000)
    # Ten times the rows, about ten times the bytes: the large slice really produced them.
    assert 9 * small["bytes"] < large["bytes"] < 11 * small["bytes"]
    assert large["parts"] >= 4  # more than one 5 MiB part: the part buffer was emptied and refilled


def test_peak_memory_is_flat_from_20k_to_200k_rows(runs):
    small, large = runs[20_000]["peak_rss_mb"], runs[200_000]["peak_rss_mb"]
    # What one more 180,000 rows may add: far less than holding them (their CSV alone is ~35 MB).
    assert large - small <= 0.10 * small, (small, large)
