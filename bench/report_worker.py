"""One report slice worker in a fresh interpreter: `python -m bench.report_worker ROWS`.

Runs the real `reporting.write_slice` over ROWS synthetic rows and prints one JSON line
with the peak RSS of this process: VmHWM from /proc/self/status, the high-water mark of
this interpreter's own memory. (ru_maxrss would do on most systems, but Linux carries the
parent's high-water mark across fork+exec into the child's ru_maxrss, so a worker started
from a big benchmark process would report the parent's size.) Only the edges are replaced:

- `delivery_store.iter_shard_pages` yields pages of 1,000 synthetic `RecipientRow`s from a
  generator (what DynamoDB pages would give, one page held at a time);
- the S3 client behind `report_store.ObjectWriter` takes parts and drops their bytes, so
  the writer keeps its real buffering (up to a 5 MiB part, then `bytes()` of it);
- progress updates (`report_store.add_rows_written`) are counted, not written.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


class DiscardingS3:
    def __init__(self):
        self.parts = 0
        self.bytes = 0

    def create_multipart_upload(self, **_):
        return {"UploadId": "bench"}

    def upload_part(self, Body, PartNumber, **_):
        self.parts += 1
        self.bytes += len(Body)
        return {"ETag": f'"{PartNumber}"'}

    def put_object(self, Body, **_):
        self.bytes += len(Body)
        return {}

    def complete_multipart_upload(self, **_):
        return {}

    def abort_multipart_upload(self, **_):
        return {}


def _peak_kb() -> int:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def main(rows: int) -> dict:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from campaign_status import delivery_store, report_store, reporting

    from bench.rows import synthetic_rows

    s3 = DiscardingS3()
    progress = []
    report_store.aws.s3 = lambda: s3
    report_store.add_rows_written = lambda campaign_id, report_id, n: progress.append(n)
    def pages(campaign_id, shard, page_size=1000):
        page = []
        for row in synthetic_rows(campaign_id, rows, seed=9):
            page.append(row)
            if len(page) == page_size:
                yield page
                page = []
        if page:
            yield page

    delivery_store.iter_shard_pages = pages

    baseline = _peak_kb()
    start = time.perf_counter()
    result = reporting.write_slice(
        reporting.SliceTask(campaign_id="bench-report", report_id="0" * 32, timezone="Asia/Kolkata", slice=0)
    )
    peak = _peak_kb()
    if result.rows != rows or sum(progress) != rows:
        raise AssertionError(f"slice wrote {result.rows} rows, reported {sum(progress)}, expected {rows}")
    return {
        "rows": rows,
        "bytes": result.bytes,
        "parts": s3.parts,
        "peak_rss_mb": round(peak / 1024, 1),
        "rss_before_slice_mb": round(baseline / 1024, 1),
        "seconds": round(time.perf_counter() - start, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
