"""Opaque list cursors: base64url JSON with a MAC, bound to the campaign and filter they came from.

The MAC is an integrity check, not a secret: a cursor that was cut, edited or made for
another query is refused with 400 instead of reaching DynamoDB.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import BadCursor

_KEY = hashlib.sha256(b"campaign-delivery-status/list-cursor/v1").digest()
_MAC_BYTES = 12


class CursorPosition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str  # campaign and filter the cursor belongs to
    at: int  # which of the (bucket, row shard) pairs the pages walk, in order
    after: str | None = None  # the last sort key returned from it


def _mac(body: bytes) -> bytes:
    return hmac.new(_KEY, body, hashlib.sha256).digest()[:_MAC_BYTES]


def encode_cursor(position: CursorPosition) -> str:
    body = position.model_dump_json(exclude_none=True).encode()
    return base64.urlsafe_b64encode(_mac(body) + body).decode().rstrip("=")


def decode_cursor(cursor: str, query: str) -> CursorPosition:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        raise BadCursor("cursor is not valid base64url") from None
    mac, body = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    if len(mac) < _MAC_BYTES or not hmac.compare_digest(mac, _mac(body)):
        raise BadCursor("cursor is damaged or was not issued by this API")
    try:
        position = CursorPosition.model_validate(json.loads(body))
    except (ValueError, ValidationError):
        raise BadCursor("cursor content is unreadable") from None
    if position.query != query:
        raise BadCursor("cursor belongs to another campaign or filter")
    return position
