"""Read cost at size: the summary at 1,000 and 100,000 recipients, and one filtered page.

The rows are made with the product's own mapping (`delivery_store.row_to_item`, so keys,
shards, the problems index and item sizes are the real ones) and written straight into
the table with BatchWriteItem: 100,000 rows through the webhook path would take far too
long on moto, and the read side does not care how a row got there.

The counters are built by the project's counter function from the rows' stream records.
For the small campaign these come from the table's stream through the local stream pump.
For the large one they are made by `bench.count_worker` in the same shape (INSERT, Keys,
NewImage, SequenceNumber), because moto needs about a second to serialize each
1,000-record GetRecords page, which would make the load several minutes longer. Either way the summary
must then count exactly the rows loaded, which `run` checks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import boto3

from campaign_status import aws as project_aws
from campaign_status import delivery_store, queries

from infra.local.runtime import TABLE_NAME

from .meter import DynamoMeter
from .rows import synthetic_rows

SMALL, LARGE = "bench-reads-1k", "bench-reads-100k"
ROOT = Path(__file__).resolve().parents[1]


def bulk_load(local_aws, campaign_id: str, n: int, seed: int, workers: int = 4, counters: str = "stream") -> dict:
    """Write `n` rows (and the campaign item) with BatchWriteItem, then have the counter
    function count them: from the table's stream (`counters="stream"`), or from stream
    records made from the same seeded rows by `bench.count_worker` in its own process,
    while the rows load (`counters="direct"`)."""
    from campaign_status import campaign_store

    campaign_store.ensure_campaign(campaign_id, datetime.now(timezone.utc).isoformat())
    started = time.perf_counter()
    worker = None
    if counters == "direct":
        worker = subprocess.Popen([sys.executable, "-m", "bench.count_worker", campaign_id, str(n), str(seed)],
                                  cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    items = [delivery_store.row_to_item(row) for row in synthetic_rows(campaign_id, n, seed)]
    per_worker = [items[i::workers] for i in range(workers)]

    def load(part: list[dict]) -> int:
        table = boto3.resource("dynamodb").Table(TABLE_NAME)  # its own client: not metered
        with table.batch_writer() as writer:
            for item in part:
                writer.put_item(Item=item)
        return len(part)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        written = sum(pool.map(load, per_worker))
    loaded = time.perf_counter()
    if worker is None:
        records = local_aws.pump.drain()
    else:
        out, err = worker.communicate()
        if worker.returncode != 0:
            raise RuntimeError(f"count worker failed: {err[-2000:]}")
        records = json.loads(out.strip().splitlines()[-1])["counted"]
    return {"rows": written, "load_seconds": round(loaded - started, 1),
            "counted_after_load_seconds": round(time.perf_counter() - loaded, 1), "stream_records": records}


def _reads(meter: DynamoMeter, call) -> tuple[int, object]:
    meter.reset_counts()
    result = call()
    return meter.totals.items_read, result


def run(local_aws, *, small: int = 1000, large: int = 100_000, seed: int = 5) -> dict:
    local_aws.reset()
    meter = DynamoMeter(TABLE_NAME).attach(project_aws.dynamodb().meta.client)
    try:
        loads = {"small": bulk_load(local_aws, SMALL, small, seed, counters="stream")}
        reads_small, summary_small = _reads(meter, lambda: queries.campaign_summary(SMALL))
        # A status the problems index does not hold is filtered after reading. Measured on the
        # small campaign, before the large one is loaded: moto answers a filtered Query in time
        # proportional to the whole table. What a page reads per row returned depends on the
        # share of `sent` rows, which is the same in both campaigns.
        sent_read, (sent_page, _) = _reads(meter, lambda: queries.list_rows(SMALL, delivery_status="sent", limit=50))
        loads["large"] = bulk_load(local_aws, LARGE, large, seed, counters="direct")
        reads_large, summary_large = _reads(meter, lambda: queries.campaign_summary(LARGE))
        failed_read, (failed_page, failed_self_reported) = _reads(
            meter, lambda: queries.list_rows(LARGE, delivery_status="failed", limit=50))
        unfiltered_read, (plain_page, _) = _reads(meter, lambda: queries.list_rows(LARGE, limit=50))
    finally:
        meter.detach()
    for summary, n in ((summary_small, small), (summary_large, large)):
        if summary.recipients != n:
            raise AssertionError(f"summary counts {summary.recipients} recipients, {n} were loaded")
    if any(item.delivery_status != "failed" for item in failed_page.items):
        raise AssertionError("the failed filter returned other rows")
    return {
        "summary_reads_1k": reads_small,
        "summary_reads_100k": reads_large,
        "failed_page_items_read": failed_read,
        "failed_page_items_returned": len(failed_page.items),
        "details": {
            "loads": loads,
            "failed_rows_large": summary_large.delivery_status["failed"],
            "failed_page_items_read_reported_by_list_rows": failed_self_reported,
            "sent_page_items_read_1k": sent_read,
            "sent_page_items_returned_1k": len(sent_page.items),
            "sent_rows_1k": summary_small.delivery_status["sent"],
            "unfiltered_page_items_read": unfiltered_read,
            "unfiltered_page_items_returned": len(plain_page.items),
        },
    }
