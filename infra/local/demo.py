"""`make demo`: the whole job over real HTTP on the embedded AWS.

Records the sample campaign, replays the signed Meta webhooks in events/webhooks/,
prints the summary, runs the report job with a progress bar, and downloads the CSV
through its presigned URL.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

import requests

from campaign_status.signature import signature_for
from infra.local.gateway import LocalGateway, serve_http
from infra.local.runtime import LocalAws, free_port

EVENTS = Path(__file__).resolve().parents[2] / "events"
CAMPAIGN = "c-diwali-2026"


class DemoFailed(Exception):
    pass


def _check(response: requests.Response, expected: int, what: str) -> dict:
    if response.status_code != expected:
        raise DemoFailed(f"{what}: expected HTTP {expected}, got {response.status_code}: {response.text[:300]}")
    return response.json() if response.headers.get("content-type", "").startswith("application/json") else {}


def print_summary(summary: dict) -> None:
    print(f"\nCampaign {summary['campaign_id']}: {summary['recipients']} recipients")
    print("  Delivery status")
    for status, count in summary["delivery_status"].items():
        print(f"    {status:<14} {count:>6}")
    print("  Attempt errors (never sent)")
    for error in summary["attempt_errors"] or [{"code": "-", "message": "none", "count": 0}]:
        print(f"    {error['code']:<14} {error['count']:>6}  {error['message']}")
    print("  Delivery errors (WhatsApp)")
    for error in summary["delivery_errors"] or [{"code": "-", "title": "none", "count": 0, "retryable": None}]:
        retry = {True: "retry later", False: "do not retry", None: ""}[error.get("retryable")]
        print(f"    {error['code']!s:<14} {error['count']:>6}  {error['title']}  [{retry}]")


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width if total == 0 else min(width, width * done // total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows"


def run(base: str) -> None:
    recipients = (EVENTS / "campaign" / "recipients.json").read_bytes()
    accepted = _check(
        requests.post(f"{base}/campaigns/{CAMPAIGN}/recipients", data=recipients,
                      headers={"content-type": "application/json"}, timeout=60),
        200, "recording recipients",
    )
    print(f"Recorded {accepted['accepted']} recipients of campaign {CAMPAIGN}")

    from campaign_status.settings import settings

    webhooks = sorted((EVENTS / "webhooks").glob("*.json"))
    for path in webhooks:
        raw = path.read_bytes()  # signed as sent: never re-serialised
        _check(
            requests.post(f"{base}/webhooks/whatsapp", data=raw, timeout=60,
                          headers={"content-type": "application/json",
                                   "X-Hub-Signature-256": signature_for(raw, settings().app_secret)}),
            200, f"webhook {path.name}",
        )
    print(f"Replayed {len(webhooks)} signed Meta webhooks")

    print_summary(_check(requests.get(f"{base}/campaigns/{CAMPAIGN}/summary", timeout=30), 200, "summary"))

    started = _check(
        requests.post(f"{base}/campaigns/{CAMPAIGN}/reports", json={"timezone": "Asia/Kolkata"}, timeout=30),
        202, "starting the report",
    )
    report_id = started["report_id"]
    print(f"\nReport {report_id} started")
    deadline = time.time() + 180
    while True:
        report = _check(requests.get(f"{base}/campaigns/{CAMPAIGN}/reports/{report_id}", timeout=30), 200, "report status")
        print(f"\r  {report['status']:<9} {progress_bar(report['rows_written'], report['rows_total'])}", end="", flush=True)
        if report["status"] != "RUNNING":
            break
        if time.time() > deadline:
            raise DemoFailed("the report did not finish in 180 s")
        time.sleep(0.3)
    print()
    if report["status"] != "SUCCEEDED":
        raise DemoFailed(f"report {report['status']}: {report.get('error')}")
    print(f"Download URL (expires {report['expires_at']}):\n  {report['download_url']}")
    download = requests.get(report["download_url"], timeout=60)
    if download.status_code != 200:
        raise DemoFailed(f"download: HTTP {download.status_code}")
    text = download.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    print(f"\nCSV: {len(rows) - 1} rows, {len(download.content)} bytes "
          f"({download.headers.get('content-disposition', '')}). First rows:")
    for row in rows[:8]:
        print("  " + ",".join(row))


def main() -> int:
    port = free_port()
    try:
        with LocalAws() as aws:
            server = serve_http(LocalGateway(aws), port)
            print(f"Embedded AWS on {aws.endpoint}; API on http://127.0.0.1:{port}")
            try:
                run(f"http://127.0.0.1:{port}")
            finally:
                server.shutdown()
    except (DemoFailed, requests.RequestException) as error:
        print(f"\nDEMO FAILED: {error}", file=sys.stderr)
        return 1
    print("\nDemo complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
