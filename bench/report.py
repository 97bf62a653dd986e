"""The report step: CSV throughput against bare csv.writer, and peak memory of one slice worker.

Throughput: the same rows (the read benchmark's synthetic campaign: statuses, Meta errors,
attempt errors, a comma, a quote, Hindi, a formula-looking cell; step timestamps in whole
seconds, 80 rows a second, as a campaign at Meta's default 80 messages/s records them;
the details also give the ratio with every timestamp distinct) go through
`report_csv.CsvEncoder` (cell formatting in the report's timezone, formula neutralising,
error texts from the catalog, CSV quoting, UTF-8) exactly as `reporting.write_slice`
drives it (a `take()` every 1 M characters), and, as the yardstick, their already
formatted cells (`report_csv.csv_cells`, computed before timing) through a bare
`csv.writer` into a StringIO encoded to UTF-8 at the same points. CPU time, best of rounds.

Memory: `python -m bench.report_worker N` runs `reporting.write_slice` in a fresh
interpreter over N synthetic rows (see that module) and reports its peak RSS.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from campaign_status import delivery_store, reporting
from campaign_status.report_csv import CsvEncoder, csv_cells

from .rows import synthetic_rows

ROOT = Path(__file__).resolve().parents[1]
ZONE = "Asia/Kolkata"


PAGE = 1000  # rows a DynamoDB page brings to a slice worker


def _ours(rows, zone) -> int:
    # As `reporting.write_slice` drives the encoder: a page at a time, flushing between pages.
    encoder = CsvEncoder(zone, with_header=True)
    size = 0
    for start in range(0, len(rows), PAGE):
        encoder.add_rows(rows[start : start + PAGE])
        if encoder.pending_chars() >= reporting._FLUSH_CHARS:
            size += len(encoder.take())
    return size + len(encoder.take())


def _bare(cells: list[list[str]]) -> int:
    text = io.StringIO()
    writerow = csv.writer(text, lineterminator="\r\n").writerow
    size = 0
    for start in range(0, len(cells), PAGE):
        for row in cells[start : start + PAGE]:
            writerow(row)
        if text.tell() >= reporting._FLUSH_CHARS:
            size += len(text.getvalue().encode("utf-8"))
            text.seek(0)
            text.truncate()
    return size + len(text.getvalue().encode("utf-8"))


def _best_rows_per_s(sides: dict, n: int, rounds: int) -> dict[str, tuple[float, list[float]]]:
    """Best rows/s of each side; the sides take turns round by round, so a passing load on
    the machine falls on both rather than on whichever ran at that moment."""
    # The benchmark holds its input rows in memory; a slice worker streams them. Freezing
    # them keeps the garbage collector from walking them on every collection, which would
    # charge the side that allocates more (ours) for the benchmark's own memory.
    gc.collect()
    gc.freeze()
    rates: dict[str, list[float]] = {name: [] for name in sides}
    try:
        for _ in range(rounds):
            for name, run in sides.items():
                start = time.process_time()
                run()
                rates[name].append(n / (time.process_time() - start))
    finally:
        gc.unfreeze()
    return {name: (max(r), r) for name, r in rates.items()}


def _ratio_for(rows: int, rounds: int, sends_per_second: int | None) -> tuple[float, float, list, list, int]:
    zone = ZoneInfo(ZONE)
    # As a slice worker gets them: each row read back from its stored item.
    data = [delivery_store.item_to_row(delivery_store.row_to_item(row))
            for row in synthetic_rows("bench-report", rows, seed=9, sends_per_second=sends_per_second)]
    cells = [csv_cells(row, zone) for row in data]
    best = _best_rows_per_s({"ours": lambda: _ours(data, zone), "bare": lambda: _bare(cells)}, rows, rounds)
    (ours, ours_rounds), (bare, bare_rounds) = best["ours"], best["bare"]
    size = _ours(data, zone)
    del data, cells
    gc.collect()
    return ours, bare, ours_rounds, bare_rounds, size


def throughput(rows: int = 50_000, rounds: int = 7) -> dict:
    ours, bare, ours_rounds, bare_rounds, size = _ratio_for(rows, rounds, 80)
    # The same campaign with every step timestamp distinct (nothing shared between rows).
    ours_distinct, bare_distinct, _, _, _ = _ratio_for(rows, rounds, None)
    return {
        "report_rows_per_s": round(ours),
        "csv_writer_rows_per_s": round(bare),
        "details": {
            "rows": rows,
            "ratio": round(ours / bare, 3),
            "step_timestamps": "whole seconds, 80 rows per second",
            "ratio_all_timestamps_distinct": round(ours_distinct / bare_distinct, 3),
            "report_rows_per_s_all_timestamps_distinct": round(ours_distinct),
            "ours_rounds": [round(r) for r in ours_rounds],
            "bare_rounds": [round(r) for r in bare_rounds],
            "csv_bytes": size,
        },
    }


def peak_rss(rows: int) -> dict:
    """One slice worker over `rows` rows in a fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bench.report_worker", str(rows)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"report worker failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
