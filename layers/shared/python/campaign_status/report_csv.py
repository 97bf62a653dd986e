"""The report's CSV: UTF-8 with BOM, CRLF, RFC 4180 quoting, formula cells neutralised."""

from __future__ import annotations

import csv
import io
from datetime import datetime, tzinfo
from functools import lru_cache

from .models import RecipientRow
from .views import error_message, iso

BOM = "\ufeff"
HEADER = [
    "Lead",
    "Email/Phone Number",
    "Last Step Timestamp",
    "Last Step Executed",
    "Last Step Status",
    "Last Step Details",
    "Delivery Status",
    "Delivery Error Message",
]
STATUS_TITLES = {
    "not_attempted": "Not Attempted",
    "pending": "Pending",
    "sent": "Sent",
    "delivered": "Delivered",
    "read": "Read",
    "failed": "Failed",
}
_FORMULA_FIRST = frozenset("=+-@\t\r")
_WITH_ERROR_MESSAGE = frozenset(("failed", "not_attempted"))


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + cell if cell[:1] in _FORMULA_FIRST else cell


@lru_cache(maxsize=4096)
def _local_time(moment: datetime, zone: tzinfo) -> str:
    # A campaign sends ~1,000 messages a second: rows share step timestamps by the thousand.
    return iso(moment, zone)


def csv_cells(row: RecipientRow, zone: tzinfo) -> list[str]:
    # The report's hot loop (a million rows): plain code, each cell checked in line, no
    # per-cell calls; `neutralise` says the rule once, this applies it.
    first = _FORMULA_FIRST
    step = row.step
    lead, phone, name, status, details = row.lead_id, row.phone, step.name, step.status, step.details
    if lead[:1] in first:
        lead = "'" + lead
    # A phone that is exactly `+` and digits stays as it is (`isdecimal` is `\d`).
    if phone[:1] in first and not (phone[:1] == "+" and phone[1:].isdecimal()):
        phone = "'" + phone
    if name[:1] in first:
        name = "'" + name
    if status[:1] in first:
        status = "'" + status
    if details[:1] in first:
        details = "'" + details
    delivery = row.delivery_status
    error = (error_message(row) or "") if delivery in _WITH_ERROR_MESSAGE else ""
    if error[:1] in first:
        error = "'" + error
    return [lead, phone, _local_time(step.timestamp, zone), name, status, details, STATUS_TITLES[delivery], error]


class CsvEncoder:
    """Turns rows into UTF-8 CSV bytes, a chunk at a time."""

    def __init__(self, zone: tzinfo, with_header: bool):
        self._zone = zone
        self._text = io.StringIO()
        self._writer = csv.writer(self._text, lineterminator="\r\n")
        if with_header:
            self._text.write(BOM)
            self._writer.writerow(HEADER)

    def add(self, row: RecipientRow) -> None:
        self.add_rows((row,))

    def add_rows(self, rows) -> None:
        writerow, zone = self._writer.writerow, self._zone
        for row in rows:
            writerow(csv_cells(row, zone))

    def take(self) -> bytes:
        data = self._text.getvalue().encode("utf-8")
        self._text.seek(0)
        self._text.truncate()
        return data

    def pending_chars(self) -> int:
        return self._text.tell()
