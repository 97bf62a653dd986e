"""`python -m bench.run`: every performance target of DESIGN.md in one run, side by side.

Prints a table and writes `.bench/results.json` (the headline figures, numbers only),
`.bench/details.json` (how each figure came about) and `.bench/run.log` (what the
functions printed meanwhile). Inputs are seeded: two runs replay the same bytes, so the
counted figures (write units, items read, writes per key) are identical from run to run;
the timed ones (µs, rows/s, ms, MB) vary with the machine and its load.

Order matters on a 2-core machine: the CPU-timed benchmarks run first, alone; then the
moto-backed counting benchmarks run while the report memory workers (separate processes,
whose peak memory does not depend on speed) use the other core.

Options: `--quick` (smaller sizes, for trying things; not comparable with the targets),
`--strict` (exit 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".bench"

KEYS = [
    "ingest_wru_per_status",
    "max_writes_per_key_per_s_at_3000",
    "ingest_us_per_status",
    "pywa_us_per_status",
    "ingest_vs_pywa_ratio",
    "summary_reads_1k",
    "summary_reads_100k",
    "failed_page_items_read",
    "failed_page_items_returned",
    "report_rows_per_s",
    "csv_writer_rows_per_s",
    "report_peak_rss_mb_100k",
    "report_peak_rss_mb_1m",
    "import_webhook_ms",
    "import_boto3_ms",
]

FULL = {"replay_recipients": 2000, "hot_recipients": 3000, "reads_large": 100_000, "rss_rows": (100_000, 1_000_000),
        "csv_rows": 50_000}
QUICK = {"replay_recipients": 300, "hot_recipients": 1100, "reads_large": 10_000, "rss_rows": (100_000, 300_000),
         "csv_rows": 10_000}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        load = []
    return {"nproc": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "platform": platform.platform(), "loadavg": load}


def checks(r: dict) -> list[tuple[str, str, str, bool]]:
    """(target, measured, limit, met) for each target of DESIGN.md."""
    csv_ratio = r["report_rows_per_s"] / r["csv_writer_rows_per_s"]
    small, large = r["report_peak_rss_mb_100k"], r["report_peak_rss_mb_1m"]
    rss_spread = abs(large - small) / min(small, large)
    import_ratio = r["import_webhook_ms"] / r["import_boto3_ms"]
    return [
        ("write units per status event", f"{r['ingest_wru_per_status']:.3f}", "<= 2.0 (floor 1.0)",
         r["ingest_wru_per_status"] <= 2.0),
        ("busiest partition key at 3,000 statuses/s", f"{r['max_writes_per_key_per_s_at_3000']} WRU/s", "<= 1000",
         r["max_writes_per_key_per_s_at_3000"] <= 1000),
        ("parse+verify CPU, ours / pywa", f"{r['ingest_vs_pywa_ratio']:.3f}", "<= 1.0", r["ingest_vs_pywa_ratio"] <= 1.0),
        ("summary items read, 1k vs 100k", f"{r['summary_reads_1k']} vs {r['summary_reads_100k']}", "equal",
         r["summary_reads_1k"] == r["summary_reads_100k"]),
        ("failed page: read / returned", f"{r['failed_page_items_read']} / {r['failed_page_items_returned']}",
         "<= 2x", r["failed_page_items_read"] <= 2 * r["failed_page_items_returned"]),
        ("CSV encoding vs bare csv.writer", f"{csv_ratio:.3f}", ">= 0.5", csv_ratio >= 0.5),
        ("report peak RSS, 100k vs 1M rows", f"{small} vs {large} MB ({rss_spread:.1%})", "within 10%",
         rss_spread <= 0.10),
        ("webhook import / boto3 import", f"{import_ratio:.2f}", "<= 1.5", import_ratio <= 1.5),
    ]


def table(results: dict) -> str:
    rows = [("metric", "value")] + [(k, f"{results[k]:g}" if isinstance(results[k], float) else str(results[k]))
                                    for k in KEYS]
    width = max(len(a) for a, _ in rows)
    lines = [f"{a:<{width}}  {b}" for a, b in rows]
    lines.insert(1, "-" * (width + 12))
    target_rows = [("target", "measured", "limit", "")] + [
        (name, measured, limit, "met" if met else "MISSED") for name, measured, limit, met in checks(results)]
    widths = [max(len(str(row[i])) for row in target_rows) for i in range(4)]
    lines += ["", *("  ".join(f"{str(c):<{widths[i]}}" for i, c in enumerate(row)).rstrip() for row in target_rows)]
    lines.insert(len(rows) + 3, "-" * (sum(widths) + 6))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (not comparable with the targets)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    OUT.mkdir(exist_ok=True)
    started = time.perf_counter()
    results: dict = {}
    details: dict = {"machine_at_start": machine(), "sizes": size, "quick": args.quick}
    timings: dict = {}

    def phase(name: str, fn, *a, **kw):
        log(f"{name} ...")
        t = time.perf_counter()
        out = fn(*a, **kw)
        timings[name] = round(time.perf_counter() - t, 1)
        log(f"{name} done in {timings[name]} s")
        details[name] = out.pop("details", None) if isinstance(out, dict) else None
        return out

    from . import imports, parsing, report

    # 1. CPU-timed, alone on the machine.
    results.update(phase("parsing", parsing.run))
    results.update(phase("csv", report.throughput, size["csv_rows"]))
    results.update(phase("imports", imports.run))

    # 2. Report memory workers on one core, moto-backed counting on the other.
    rss: dict = {}

    def memory_workers():
        for rows in size["rss_rows"]:
            try:
                rss[rows] = report.peak_rss(rows)
            except Exception as error:  # reported below, after the other phases
                rss[rows] = {"error": repr(error)}

    worker = threading.Thread(target=memory_workers, name="report-memory")
    worker.start()

    from . import hotkeys, ingest_cost, reads
    from .local import BenchAws

    with open(OUT / "run.log", "w") as run_log, contextlib.redirect_stdout(run_log):
        aws = BenchAws().start()
        try:
            results.update(phase("ingest_replay", ingest_cost.run, aws, recipients=size["replay_recipients"]))
            hot = phase("hot_keys", hotkeys.simulate, aws, recipients=size["hot_recipients"])
            details["hot_keys"] = hot
            results["max_writes_per_key_per_s_at_3000"] = hot["max_writes_per_key_per_s"]
            results.update(phase("reads", reads.run, aws, large=size["reads_large"]))
            phase("largest_post", ingest_cost.largest_post, aws)
        finally:
            aws.stop()
    log("waiting for the report memory workers ...")
    worker.join()
    small, large = (rss[n] for n in size["rss_rows"])
    for r in (small, large):
        if "error" in r:
            raise RuntimeError(r["error"])
    results["report_peak_rss_mb_100k"] = small["peak_rss_mb"]
    results["report_peak_rss_mb_1m"] = large["peak_rss_mb"]
    details["report_memory"] = {"100k": small, "1m": large}

    results = {k: results[k] for k in KEYS}
    details["phase_seconds"] = timings
    details["total_seconds"] = round(time.perf_counter() - started, 1)
    details["machine_at_end"] = machine()
    details["targets"] = [dict(zip(("target", "measured", "limit", "met"), c)) for c in checks(results)]
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (OUT / "details.json").write_text(json.dumps(details, indent=2, default=str) + "\n")
    m = details["machine_at_start"]
    print(f"campaign delivery status benchmarks ({'QUICK sizes' if args.quick else 'full sizes'}) on "
          f"{m['nproc']} x {m['cpu_model']}, Python {m['python']}, load {' '.join(m['loadavg'])} -> "
          f"{' '.join(details['machine_at_end']['loadavg'])}, {details['total_seconds']} s")
    print(table(results))
    post = details["largest_post"]
    print(f"\none POST of {post['statuses_per_post']} statuses: {post['seconds_first_post_sent']} s, then "
          f"{post['seconds_second_post_delivered']} s (on moto; API Gateway allows 29 s)")
    print(f"\nwritten: {OUT / 'results.json'}, {OUT / 'details.json'}")
    missed = [c for c in checks(results) if not c[3]]
    return 1 if (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
