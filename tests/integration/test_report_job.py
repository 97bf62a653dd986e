"""The synthesized report state machine, executed by moto's interpreter with in-process Lambda tasks."""

from __future__ import annotations

import csv
import io
import json
import time

import boto3
import requests

from campaign_status import reporting
from campaign_status.report_csv import HEADER
from campaign_status.settings import settings
from tests.integration.test_api import JSON, record, recipient


def wait_for(gateway, campaign: str, report_id: str, timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        report = gateway.handle("GET", f"/campaigns/{campaign}/reports/{report_id}").json()
        if report["status"] != "RUNNING":
            return report
        time.sleep(0.2)
    raise AssertionError("report still RUNNING")


def start(gateway, campaign: str, body: bytes = b"") -> str:
    response = gateway.handle("POST", f"/campaigns/{campaign}/reports", JSON, body)
    assert response.status == 202 and response.json()["status"] == "RUNNING"
    return response.json()["report_id"]


def test_report_succeeds_with_every_row_once_including_empty_slices(gateway):
    # 5 leads over 16 row shards: most slices are empty.
    record(gateway, "c-rep", [recipient(f"L-{i}", f"wamid.R{i}") for i in range(5)])
    report = wait_for(gateway, "c-rep", start(gateway, "c-rep"))
    assert report["status"] == "SUCCEEDED", report
    assert (report["rows_written"], report["rows_total"]) == (5, 5)
    download = requests.get(report["download_url"], timeout=30)
    assert download.status_code == 200
    assert download.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    assert sorted(r[0] for r in rows[1:]) == [f"L-{i}" for i in range(5)]
    assert "c-rep-" in download.headers["content-disposition"]
    # Part objects are gone; only the report remains.
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=settings().bucket_name)["Contents"]]
    assert keys == [f"reports/c-rep/{report['report_id']}.csv"]


def test_two_reports_at_once_each_get_their_own_file(gateway):
    record(gateway, "c-two", [recipient(f"L-{i}", f"wamid.T{i}") for i in range(3)])
    first, second = start(gateway, "c-two"), start(gateway, "c-two")
    a, b = wait_for(gateway, "c-two", first), wait_for(gateway, "c-two", second)
    assert a["status"] == b["status"] == "SUCCEEDED"
    assert a["download_url"].split("?")[0] != b["download_url"].split("?")[0]


def test_a_failing_slice_fails_the_report_with_a_reason_and_no_file(gateway, monkeypatch):
    record(gateway, "c-fail", [recipient(f"L-{i}", f"wamid.F{i}") for i in range(20)])
    real = reporting.write_slice

    def broken(task):
        if task.slice == 3:
            raise RuntimeError("disk on fire")
        return real(task)

    monkeypatch.setattr("functions.report_slice.handler.write_slice", broken)
    report = wait_for(gateway, "c-fail", start(gateway, "c-fail"))
    assert report["status"] == "FAILED"
    assert "disk on fire" in report["error"]
    assert report.get("download_url") is None
    # No file at the final key; parts of slices still running are swept by the bucket's lifecycle rule.
    listed = boto3.client("s3").list_objects_v2(Bucket=settings().bucket_name, Prefix="reports/c-fail/")
    assert listed.get("KeyCount", 0) == 0


def test_timezone_moves_timestamps(gateway):
    record(gateway, "c-tz", [recipient("L-1", "wamid.Z1", "2026-11-01T10:00:00Z")])
    report = wait_for(gateway, "c-tz", start(gateway, "c-tz", b'{"timezone": "Asia/Kolkata"}'))
    rows = list(csv.reader(io.StringIO(requests.get(report["download_url"], timeout=30).content.decode("utf-8-sig"))))
    assert rows[1][2] == "2026-11-01T15:30:00+05:30"


def test_a_finished_report_reports_its_duration_and_rows_as_metrics(aws, gateway, monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    record(gateway, "c-metrics", [recipient(f"L-{i}", f"wamid.MT{i}") for i in range(4)])
    report_id = start(gateway, "c-metrics")
    assert aws.wait_for_report(report_id)["status"] == "SUCCEEDED"  # the whole execution, metrics included
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    (metric,) = [line for line in lines if line.get("report_id") == report_id]
    assert metric["ReportRows"] in (4.0, [4.0])
    (seconds,) = metric["ReportSeconds"] if isinstance(metric["ReportSeconds"], list) else [metric["ReportSeconds"]]
    assert 0 <= seconds < 60
