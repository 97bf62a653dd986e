"""The CSV report job: start, plan, write one slice, assemble, fail; and its status.

Slices are the campaign's row shards: each slice streams its rows from DynamoDB into
its own part object; assembling concatenates the parts into one object with a
multipart upload (server-side copy for big parts), so no step holds the report.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from . import delivery_store, report_store
from .errors import InvalidInput, NotFound
from .models import Report, ReportView
from .queries import campaign_summary, require_campaign
from .report_csv import CsvEncoder
from .settings import settings

# Encoded text goes to the part buffer in small chunks: no large string is ever made.
_FLUSH_CHARS = 64 * 1024


class SliceTask(BaseModel):
    campaign_id: str
    report_id: str
    timezone: str
    slice: int


class SliceResult(BaseModel):
    slice: int
    key: str
    rows: int
    bytes: int


@cache
def _iana_zones() -> frozenset[str]:
    # The IANA list shipped with tzdata, not the machine's zone files ("localtime", "posixrules").
    return frozenset(resources.files("tzdata").joinpath("zones").read_text().split())


def zone_named(name: str) -> ZoneInfo:
    try:
        if name not in _iana_zones():  # not "localtime" or a file path: a name any user can read
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown timezone {name!r}", [{"field": "timezone", "message": "an IANA name such as Asia/Kolkata"}]
        ) from None


def start_report(campaign_id: str, timezone_name: str) -> Report:
    zone_named(timezone_name)
    summary = campaign_summary(campaign_id)  # 404 for an unknown campaign
    report = Report(
        campaign_id=campaign_id,
        report_id=uuid.uuid4().hex,
        status="RUNNING",
        timezone=timezone_name,
        rows_total=summary.recipients,
        created_at=datetime.now(timezone.utc),
    )
    report_store.create(report)
    job = {"campaign_id": campaign_id, "report_id": report.report_id, "timezone": timezone_name}
    try:
        report_store.start_execution(f"{campaign_id[:40]}-{report.report_id}", json.dumps(job))
    except Exception as error:
        report_store.fail(campaign_id, report.report_id, f"could not start the report job: {error}")
        raise
    return report


def download_filename(report: Report) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", report.campaign_id)
    return f"{safe}-{report.created_at:%Y-%m-%d}.csv"


def report_status(campaign_id: str, report_id: str) -> ReportView:
    report = report_store.get(campaign_id, report_id)
    if report is None:
        require_campaign(campaign_id)
        raise NotFound(f"report {report_id!r} is not known for campaign {campaign_id!r}")
    view = ReportView(
        report_id=report.report_id,
        status=report.status,
        rows_written=report.rows_written,
        rows_total=report.rows_total,
        error=report.error,
    )
    if report.status == "SUCCEEDED" and report.object_key:
        # Presigned at each request: a URL signed by a Lambda role lives no longer than its session.
        seconds = settings().report_link_seconds
        view.download_url = report_store.presigned_download(report.object_key, download_filename(report), seconds)
        expires = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        view.expires_at = expires.isoformat(timespec="seconds").replace("+00:00", "Z")
    return view


def plan_report(campaign_id: str, report_id: str, timezone_name: str) -> list[SliceTask]:
    summary = campaign_summary(campaign_id)
    report_store.set_rows_total(campaign_id, report_id, summary.recipients)
    return [
        SliceTask(campaign_id=campaign_id, report_id=report_id, timezone=timezone_name, slice=shard)
        for shard in range(settings().row_shards)
    ]


def write_slice(task: SliceTask) -> SliceResult:
    """Stream one shard's rows into its part object; slice 0 carries the BOM and header."""
    zone = zone_named(task.timezone)
    encoder = CsvEncoder(zone, with_header=task.slice == 0)
    writer = report_store.ObjectWriter(report_store.part_key(task.campaign_id, task.report_id, task.slice))
    rows = unreported = 0
    try:
        for page in delivery_store.iter_shard_pages(task.campaign_id, task.slice):
            encoder.add_rows(page)
            rows += len(page)
            unreported += len(page)
            if encoder.pending_chars() >= _FLUSH_CHARS:
                writer.write(encoder.take())
            if unreported >= settings().report_rows_per_progress:
                report_store.add_rows_written(task.campaign_id, task.report_id, unreported)
                unreported = 0
        writer.write(encoder.take())
        writer.close()
    except BaseException:
        writer.abort()
        raise
    if unreported:
        report_store.add_rows_written(task.campaign_id, task.report_id, unreported)
    return SliceResult(slice=task.slice, key=writer.key, rows=rows, bytes=writer.size)


def assemble_report(campaign_id: str, report_id: str, parts: list[SliceResult]) -> dict:
    parts = sorted(parts, key=lambda p: p.slice)
    writer = report_store.ObjectWriter(report_store.final_key(campaign_id, report_id))
    try:
        for part in parts:
            if part.bytes == 0:
                continue
            if writer.at_part_boundary() and part.bytes >= report_store.MIN_PART_BYTES:
                writer.copy_object(part.key)
            else:
                for chunk in report_store.read_chunks(part.key):
                    writer.write(chunk)
        writer.close()
    except BaseException:
        writer.abort()
        raise
    rows = sum(p.rows for p in parts)
    report = report_store.finish(campaign_id, report_id, writer.key, rows)
    report_store.delete_objects([p.key for p in parts])
    seconds = (report.finished_at - report.created_at).total_seconds() if report.finished_at else 0.0
    return {"key": writer.key, "rows": rows, "seconds": round(seconds, 3)}


def fail_report(campaign_id: str, report_id: str, error: dict | None) -> None:
    """Mark the report FAILED with a readable reason and remove what its steps left behind."""
    error = error or {}
    cause = error.get("Cause") or ""
    try:
        cause = json.loads(cause).get("errorMessage", cause)
    except (ValueError, AttributeError):
        pass
    reason = f"{error.get('Error', 'ReportFailed')}: {cause}".strip(": ")
    report_store.delete_objects(report_store.list_keys(report_store.parts_prefix(campaign_id, report_id)))
    report_store.fail(campaign_id, report_id, reason or "the report job failed")
