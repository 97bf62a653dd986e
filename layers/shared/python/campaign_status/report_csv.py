"""The report's CSV: UTF-8 with BOM, CRLF, RFC 4180 quoting, formula cells neutralised."""

from __future__ import annotations

import csv
import io
import re
from datetime import tzinfo

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
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PHONE = re.compile(r"\+\d+")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def csv_cells(row: RecipientRow, zone: tzinfo) -> list[str]:
    phone = row.phone if _PHONE.fullmatch(row.phone) else neutralise(row.phone)
    return [
        neutralise(row.lead_id),
        phone,
        iso(row.step.timestamp, zone),
        neutralise(row.step.name),
        neutralise(row.step.status),
        neutralise(row.step.details),
        STATUS_TITLES[row.delivery_status],
        neutralise(error_message(row) or ""),
    ]


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
        self._writer.writerow(csv_cells(row, self._zone))

    def take(self) -> bytes:
        data = self._text.getvalue().encode("utf-8")
        self._text.seek(0)
        self._text.truncate()
        return data

    def pending_chars(self) -> int:
        return self._text.tell()
