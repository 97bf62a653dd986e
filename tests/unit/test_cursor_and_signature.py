"""Unit tests for list cursors (malformed → BadCursor, i.e. 400) and Meta's webhook signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from campaign_status import cursor as cursor_module
from campaign_status.cursor import CursorPosition, decode_cursor, encode_cursor
from campaign_status.errors import BadCursor, DomainError
from campaign_status.signature import is_signed_by, signature_for

ROOT = Path(__file__).resolve().parents[2]
QUERY = "c-diwali-2026|failed|131026"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def sample_cursor(after: str | None = "L#L-1017") -> str:
    return encode_cursor(CursorPosition(query=QUERY, at=3, after=after))


# --- cursor ----------------------------------------------------------------


@pytest.mark.parametrize("after", ["L#L-1017", None, "L#दिवाली|🪔"])
def test_cursor_roundtrip(after: str | None) -> None:
    position = CursorPosition(query=QUERY, at=3, after=after)
    token = encode_cursor(position)
    assert decode_cursor(token, QUERY) == position


def test_cursor_is_url_safe_text() -> None:
    token = sample_cursor()
    assert token and set(token) <= set(B64URL)


def test_bad_cursor_is_a_400_domain_error() -> None:
    assert issubclass(BadCursor, DomainError)
    assert BadCursor.status == 400


@pytest.mark.parametrize(
    "garbage",
    ["", "garbage", "!!!!", "a", "null", "e30", "%%%%====", "é", "x" * 500, "eyJxdWVyeSI6ImMifQ"],
)
def test_garbage_cursor_is_refused(garbage: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(garbage, QUERY)


@pytest.mark.parametrize("keep", [1, 10, 16, 20, -8, -4, -2, -1])
def test_truncated_cursor_is_refused(keep: int) -> None:
    token = sample_cursor()
    with pytest.raises(BadCursor):
        decode_cursor(token[:keep], QUERY)


def test_cursor_with_extra_characters_is_refused() -> None:
    with pytest.raises(BadCursor):
        decode_cursor(sample_cursor() + "AAAA", QUERY)


def _other_char(c: str) -> str:
    return "B" if c == "A" else "A"


def test_every_single_changed_character_is_refused() -> None:
    token = sample_cursor()
    original = decode_cursor(token, QUERY)
    for i in range(len(token)):
        changed = token[:i] + _other_char(token[i]) + token[i + 1 :]
        if i == len(token) - 1:
            # The last character of unpadded base64 may carry only padding bits; a change
            # there either is refused or decodes to the very same position.
            try:
                assert decode_cursor(changed, QUERY) == original
            except BadCursor:
                pass
            continue
        with pytest.raises(BadCursor):
            decode_cursor(changed, QUERY)


@pytest.mark.parametrize(
    "other_query",
    ["c-other|failed|131026", "c-diwali-2026||", "c-diwali-2026|failed|", "c-diwali-2026|failed|131049", "c-diwali-2026|delivered|"],
)
def test_cursor_for_another_campaign_or_filter_is_refused(other_query: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(sample_cursor(), other_query)


def test_cursor_forged_without_the_mac_is_refused() -> None:
    body = json.dumps({"query": QUERY, "shard": 0}).encode()
    forged = base64.urlsafe_b64encode(b"\0" * 12 + body).decode().rstrip("=")
    with pytest.raises(BadCursor):
        decode_cursor(forged, QUERY)


@pytest.mark.parametrize(
    "body",
    [b"not json", b'{"query": 1, "shard": "x"}', b'{"query": "c-diwali-2026|failed|131026"}', b'{"query": "c-diwali-2026|failed|131026", "shard": 0, "extra": 1}', b"\xff\xfe"],
)
def test_cursor_with_valid_mac_but_unreadable_content_is_refused(body: bytes) -> None:
    token = base64.urlsafe_b64encode(cursor_module._mac(body) + body).decode().rstrip("=")
    with pytest.raises(BadCursor):
        decode_cursor(token, QUERY)


# --- signature ----------------------------------------------------------------

SECRET = "local-app-secret"
RAW = (ROOT / "events" / "webhooks" / "06-inbound-reply-with-statuses-compact.json").read_bytes()


def expected_header(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_sample_body_keeps_metas_escapes() -> None:
    assert b"\\u00e9" in RAW and b"\\/" in RAW


def test_signature_for_is_hmac_sha256_of_the_raw_body() -> None:
    assert signature_for(RAW, SECRET) == expected_header(RAW)


def test_correct_header_verifies() -> None:
    assert is_signed_by(RAW, expected_header(RAW), SECRET)


def test_wrong_secret_fails() -> None:
    assert not is_signed_by(RAW, expected_header(RAW, "another-secret"), SECRET)
    assert not is_signed_by(RAW, expected_header(RAW), "another-secret")


@pytest.mark.parametrize("header", [None, ""])
def test_missing_header_fails(header) -> None:
    assert not is_signed_by(RAW, header, SECRET)


def test_header_without_sha256_prefix_fails() -> None:
    digest = hmac.new(SECRET.encode(), RAW, hashlib.sha256).hexdigest()
    assert not is_signed_by(RAW, digest, SECRET)
    assert not is_signed_by(RAW, "sha1=" + digest, SECRET)
    assert not is_signed_by(RAW, "sha256=", SECRET)


def test_truncated_signature_fails() -> None:
    assert not is_signed_by(RAW, expected_header(RAW)[:-1], SECRET)


def test_reserialised_json_fails() -> None:
    reserialised = json.dumps(json.loads(RAW), separators=(",", ":")).encode()
    assert reserialised != RAW  # the \u00e9 and \/ escapes are written differently
    assert json.loads(reserialised) == json.loads(RAW)
    assert not is_signed_by(reserialised, expected_header(RAW), SECRET)


def test_unescaped_body_fails() -> None:
    unescaped = json.dumps(json.loads(RAW), ensure_ascii=False, separators=(",", ":")).encode()
    assert unescaped != RAW
    assert not is_signed_by(unescaped, expected_header(RAW), SECRET)


@pytest.mark.parametrize("position", [0, 1, len(RAW) // 2, len(RAW) - 1])
def test_body_changed_by_one_byte_fails(position: int) -> None:
    changed = bytearray(RAW)
    changed[position] ^= 0x01
    assert not is_signed_by(bytes(changed), expected_header(RAW), SECRET)


def test_every_sample_webhook_verifies_against_its_own_raw_bytes() -> None:
    for path in sorted((ROOT / "events" / "webhooks").glob("*.json")):
        raw = path.read_bytes()
        assert is_signed_by(raw, expected_header(raw), SECRET), path.name
        assert not is_signed_by(raw + b"\n", expected_header(raw), SECRET), path.name
