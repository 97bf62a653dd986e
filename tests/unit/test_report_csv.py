"""Golden tests for the report CSV (CONTRACT.md "Reports") and the texts it shares with the API Row."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from campaign_status.models import AttemptError, RecipientRow, Step
from campaign_status.report_csv import BOM, HEADER, CsvEncoder, csv_cells, neutralise
from campaign_status.views import error_message, iso, row_view

KOLKATA = ZoneInfo("Asia/Kolkata")
UTC = timezone.utc
IST = timezone(timedelta(hours=5, minutes=30))
HEADER_LINE = (
    "Lead,Email/Phone Number,Last Step Timestamp,Last Step Executed,"
    "Last Step Status,Last Step Details,Delivery Status,Delivery Error Message"
)


def make_row(
    lead_id: str,
    phone: str,
    when: datetime,
    name: str,
    status: str,
    details: str,
    delivery_status: str,
    *,
    code: int | None = None,
    title: str | None = None,
    error_details: str | None = None,
    attempt_error: AttemptError | None = None,
) -> RecipientRow:
    return RecipientRow(
        campaign_id="c-diwali-2026",
        lead_id=lead_id,
        phone=phone,
        step=Step(name=name, status=status, details=details, timestamp=when),
        message_id=None if delivery_status == "not_attempted" else f"wamid.{lead_id}",
        attempt_error=attempt_error,
        delivery_status=delivery_status,
        delivery_error_code=code,
        delivery_error_title=title,
        delivery_error_details=error_details,
        updated_at=when + timedelta(seconds=7),
    )


def hostile_rows() -> list[RecipientRow]:
    return [
        make_row("L-1001", "+919876543210", datetime(2026, 11, 1, 10, 0, 0, tzinfo=UTC),
                 "Diwali offer", "Executed", 'Template "diwali", v2', "read"),
        make_row("L-1002", "+91 98", datetime(2026, 11, 1, 10, 0, 1, tzinfo=UTC),
                 "+SUM(1,2)", "-Executed", "line one\nline two", "delivered"),
        make_row("@L-1003", "=1+2", datetime(2026, 11, 1, 10, 0, 2, tzinfo=UTC),
                 "\tTabbed", "\rCR", "=CONCAT(A1,B1)", "failed",
                 code=131026, title="Message Undeliverable."),
        make_row("L-1004", "12345", datetime(2026, 11, 1, 10, 0, 3, tzinfo=UTC),
                 "Diwali offer", "Skipped", "", "not_attempted",
                 attempt_error=AttemptError(code="invalid_number", message="Phone number is invalid")),
        # given in +05:30: the CSV converts it to the requested zone
        make_row("L-1005", "+919876543211", datetime(2026, 11, 1, 15, 30, 4, tzinfo=IST),
                 "Diwali 🎉", "Executed", "दिवाली ऑफ़र 🪔", "pending"),
        make_row("L-1006", "+919876543212", datetime(2026, 11, 1, 23, 59, 59, tzinfo=UTC),
                 "Step, with comma", "Executed", "", "sent"),
    ]


GOLDEN_KOLKATA = (
    "\ufeff"
    + HEADER_LINE + "\r\n"
    + 'L-1001,+919876543210,2026-11-01T15:30:00+05:30,Diwali offer,Executed,"Template ""diwali"", v2",Read,\r\n'
    + "L-1002,'+91 98,2026-11-01T15:30:01+05:30,\"'+SUM(1,2)\",'-Executed,\"line one\nline two\",Delivered,\r\n"
    + "'@L-1003,'=1+2,2026-11-01T15:30:02+05:30,'\tTabbed,\"'\rCR\",\"'=CONCAT(A1,B1)\",Failed,"
      "Message undeliverable (131026): Message Undeliverable.\r\n"
    + "L-1004,12345,2026-11-01T15:30:03+05:30,Diwali offer,Skipped,,Not Attempted,"
      "Phone number is invalid (invalid_number)\r\n"
    + "L-1005,+919876543211,2026-11-01T15:30:04+05:30,Diwali 🎉,Executed,दिवाली ऑफ़र 🪔,Pending,\r\n"
    + 'L-1006,+919876543212,2026-11-02T05:29:59+05:30,"Step, with comma",Executed,,Sent,\r\n'
).encode("utf-8")

EXPECTED_CELLS_KOLKATA = [
    HEADER,
    ["L-1001", "+919876543210", "2026-11-01T15:30:00+05:30", "Diwali offer", "Executed", 'Template "diwali", v2', "Read", ""],
    ["L-1002", "'+91 98", "2026-11-01T15:30:01+05:30", "'+SUM(1,2)", "'-Executed", "line one\nline two", "Delivered", ""],
    ["'@L-1003", "'=1+2", "2026-11-01T15:30:02+05:30", "'\tTabbed", "'\rCR", "'=CONCAT(A1,B1)", "Failed",
     "Message undeliverable (131026): Message Undeliverable."],
    ["L-1004", "12345", "2026-11-01T15:30:03+05:30", "Diwali offer", "Skipped", "", "Not Attempted",
     "Phone number is invalid (invalid_number)"],
    ["L-1005", "+919876543211", "2026-11-01T15:30:04+05:30", "Diwali 🎉", "Executed", "दिवाली ऑफ़र 🪔", "Pending", ""],
    ["L-1006", "+919876543212", "2026-11-02T05:29:59+05:30", "Step, with comma", "Executed", "", "Sent", ""],
]


def encode(rows: list[RecipientRow], zone=KOLKATA) -> bytes:
    encoder = CsvEncoder(zone, with_header=True)
    for row in rows:
        encoder.add(row)
    return encoder.take()


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def test_golden_bytes_in_asia_kolkata() -> None:
    assert encode(hostile_rows()) == GOLDEN_KOLKATA


def test_golden_parses_back_cell_by_cell() -> None:
    parsed = parse(encode(hostile_rows()))
    assert len(parsed) == len(EXPECTED_CELLS_KOLKATA)
    for got, want in zip(parsed, EXPECTED_CELLS_KOLKATA):
        assert got == want


def test_file_starts_with_bom_and_exact_header() -> None:
    data = encode([])
    assert data == b"\xef\xbb\xbf" + HEADER_LINE.encode() + b"\r\n"
    assert BOM == "\ufeff"
    assert ",".join(HEADER) == HEADER_LINE


def test_every_record_ends_with_crlf_and_no_bare_line_end_outside_quotes() -> None:
    data = encode(hostile_rows())
    assert data.endswith(b"\r\n")
    # every record separator is CRLF: strip quoted fields, then no lone CR or LF remains
    text = data.decode("utf-8")
    outside, inside = [], False
    for ch in text:
        if ch == '"':
            inside = not inside
        elif not inside:
            outside.append(ch)
    unquoted = "".join(outside)
    assert unquoted.count("\r\n") == len(EXPECTED_CELLS_KOLKATA)
    assert unquoted.replace("\r\n", "").count("\n") == 0
    assert unquoted.replace("\r\n", "").count("\r") == 0


def test_utc_timestamps_are_written_with_z() -> None:
    parsed = parse(encode(hostile_rows(), zone=UTC))
    stamps = [cells[2] for cells in parsed[1:]]
    assert stamps == [
        "2026-11-01T10:00:00Z",
        "2026-11-01T10:00:01Z",
        "2026-11-01T10:00:02Z",
        "2026-11-01T10:00:03Z",
        "2026-11-01T10:00:04Z",
        "2026-11-01T23:59:59Z",
    ]
    # everything but the timestamp column is the same as in the Kolkata file
    for got, want in zip(parsed[1:], EXPECTED_CELLS_KOLKATA[1:]):
        assert got[:2] + got[3:] == want[:2] + want[3:]


@pytest.mark.parametrize(
    ("status", "title"),
    [
        ("not_attempted", "Not Attempted"),
        ("pending", "Pending"),
        ("sent", "Sent"),
        ("delivered", "Delivered"),
        ("read", "Read"),
        ("failed", "Failed"),
    ],
)
def test_delivery_status_in_title_case(status: str, title: str) -> None:
    row = make_row("L-1", "+911", datetime(2026, 11, 1, tzinfo=UTC), "s", "Executed", "", status)
    assert csv_cells(row, UTC)[6] == title


@pytest.mark.parametrize(
    ("code", "title", "details", "expected"),
    [
        (131026, "Message Undeliverable.", None, "Message undeliverable (131026): Message Undeliverable."),
        (131026, "Receiver is incapable of receiving this message", "Message Undeliverable.",
         "Message undeliverable (131026): Message Undeliverable."),
    ],
)
def test_failed_error_message_has_description_and_numeric_code(code, title, details, expected) -> None:
    row = make_row("L-1", "+911", datetime(2026, 11, 1, tzinfo=UTC), "s", "Executed", "", "failed",
                   code=code, title=title, error_details=details)
    cell = csv_cells(row, UTC)[7]
    assert cell == expected
    assert error_message(row) == expected


@pytest.mark.parametrize("code", [131049, 131056, 130472, 131042, 131048, 131051, 131052])
def test_failed_error_message_always_names_the_code(code: int) -> None:
    row = make_row("L-1", "+911", datetime(2026, 11, 1, tzinfo=UTC), "s", "Executed", "", "failed", code=code)
    cell = csv_cells(row, UTC)[7]
    assert f"({code})" in cell
    assert len(cell) > len(f"({code})") + 3  # a description too, not just the number


def test_failed_error_message_for_an_uncatalogued_code_uses_metas_title() -> None:
    row = make_row("L-1", "+911", datetime(2026, 11, 1, tzinfo=UTC), "s", "Executed", "", "failed",
                   code=999001, title="Something new")
    assert csv_cells(row, UTC)[7] == "Something new (999001)"


def test_no_error_message_when_not_failed_even_with_a_stale_code() -> None:
    row = make_row("L-1", "+911", datetime(2026, 11, 1, tzinfo=UTC), "s", "Executed", "", "delivered",
                   code=131026, title="Message Undeliverable.")
    assert csv_cells(row, UTC)[7] == ""
    assert row_view(row).delivery_error_code is None
    assert row_view(row).delivery_error_message is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain", "plain"),
        ("a=1", "a=1"),
        ("", ""),
        ("दिवाली", "दिवाली"),
    ],
)
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("+919876543210", "+919876543210"),
        ("+91000", "+91000"),
        ("919876543210", "919876543210"),
        ("+91 98", "'+91 98"),
        ("=1+2", "'=1+2"),
        ("+91-98765", "'+91-98765"),
        ("+", "'+"),
        ("+919876543210\n", "'+919876543210\n"),
        ("-919876543210", "'-919876543210"),
        ("@91", "'@91"),
    ],
)
def test_phone_kept_only_when_exactly_plus_and_digits(phone: str, expected: str) -> None:
    row = make_row("L-1", phone, datetime(2026, 11, 1, tzinfo=UTC), "s", "Executed", "", "sent")
    assert csv_cells(row, UTC)[1] == expected


@pytest.mark.parametrize("column", [0, 3, 4, 5])
def test_formula_cells_are_neutralised_in_every_text_column(column: int) -> None:
    fields = {0: "lead_id", 3: "name", 4: "status", 5: "details"}
    base = make_row("L-1", "+911", datetime(2026, 11, 1, tzinfo=UTC), "s", "Executed", "d", "sent")
    if column == 0:
        row = base.model_copy(update={"lead_id": "=HYPERLINK(\"http://x\")"})
    else:
        row = base.model_copy(update={"step": base.step.model_copy(update={fields[column]: "=HYPERLINK(\"http://x\")"})})
    assert csv_cells(row, UTC)[column] == "'=HYPERLINK(\"http://x\")"


def test_attempt_error_message_that_looks_like_a_formula_is_neutralised() -> None:
    row = make_row("L-1", "12", datetime(2026, 11, 1, tzinfo=UTC), "s", "Skipped", "", "not_attempted",
                   attempt_error=AttemptError(code="x", message="=cmd"))
    assert csv_cells(row, UTC)[7] == "'=cmd (x)"


def test_encoder_chunks_join_to_the_whole_file() -> None:
    rows = hostile_rows()
    encoder = CsvEncoder(KOLKATA, with_header=True)
    chunks = []
    for row in rows:
        encoder.add(row)
        assert encoder.pending_chars() > 0
        chunks.append(encoder.take())
        assert encoder.pending_chars() == 0
    assert b"".join(chunks) == GOLDEN_KOLKATA
    assert chunks[0].startswith(b"\xef\xbb\xbf" + HEADER_LINE.encode())
    assert all(not c.startswith(b"\xef\xbb\xbf") for c in chunks[1:])


def test_encoder_without_header_writes_rows_only() -> None:
    encoder = CsvEncoder(KOLKATA, with_header=False)
    for row in hostile_rows():
        encoder.add(row)
    body = encoder.take()
    header_part = b"\xef\xbb\xbf" + HEADER_LINE.encode() + b"\r\n"
    assert not body.startswith(b"\xef\xbb\xbf")
    assert header_part + body == GOLDEN_KOLKATA


# --- the API Row shares these texts ---------------------------------------------


def test_iso_uses_z_for_utc_and_offset_elsewhere() -> None:
    moment = datetime(2026, 11, 1, 10, 0, 0, tzinfo=UTC)
    assert iso(moment) == "2026-11-01T10:00:00Z"
    assert iso(moment, KOLKATA) == "2026-11-01T15:30:00+05:30"
    assert iso(datetime(2026, 11, 1, 15, 30, tzinfo=IST)) == "2026-11-01T10:00:00Z"


def test_row_view_matches_the_contract_example() -> None:
    row = make_row("L-1001", "+919876543210", datetime(2026, 11, 1, 10, 0, 0, tzinfo=UTC),
                   "Diwali offer", "Executed", "Template diwali_offer_v2", "failed",
                   code=131026, title="Message Undeliverable.")
    view = row_view(row).model_dump()
    assert {k: view[k] for k in (
        "lead_id", "phone", "last_step_timestamp", "last_step_executed", "last_step_status",
        "last_step_details", "delivery_status", "delivery_error_code", "delivery_error_message",
        "message_id", "updated_at",
    )} == {
        "lead_id": "L-1001",
        "phone": "+919876543210",
        "last_step_timestamp": "2026-11-01T10:00:00Z",
        "last_step_executed": "Diwali offer",
        "last_step_status": "Executed",
        "last_step_details": "Template diwali_offer_v2",
        "delivery_status": "failed",
        "delivery_error_code": 131026,
        "delivery_error_message": "Message undeliverable (131026): Message Undeliverable.",
        "message_id": "wamid.L-1001",
        "updated_at": "2026-11-01T10:00:07Z",
    }


def test_row_view_keeps_raw_text_unneutralised() -> None:
    """Neutralising is for spreadsheets only: the JSON API shows the values as recorded."""
    row = hostile_rows()[2]
    view = row_view(row)
    assert (view.lead_id, view.phone, view.last_step_details) == ("@L-1003", "=1+2", "=CONCAT(A1,B1)")
