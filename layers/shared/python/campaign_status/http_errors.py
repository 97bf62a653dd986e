"""Domain and validation errors as the contract's JSON error, mapped in one place for every API."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError

from .errors import DomainError, error_document
from .observability import logger

_JSON_TYPES = ("application/json", "application/problem+json")


def error_response(status: int, code: str, message: str, details: list | None = None) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON,
                    body=json.dumps(error_document(code, message, details)))


def _location(loc) -> str:
    # ("body", "recipients", 3, "step", "timestamp") -> "recipients[3].step.timestamp"
    text = ""
    for part in loc:
        if part in ("body", "query", "path"):
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def validation_details(errors) -> list[dict]:
    details = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            details.append({"field": "body", "message": f"not valid JSON ({error.get('msg', '')})"})
            continue
        detail = {"field": _location(loc), "message": error.get("msg", "invalid")}
        if "body" in loc and len(loc) > 2 and loc[1] == "recipients" and isinstance(loc[2], int):
            detail["index"] = loc[2]
        details.append(detail)
    return details


def register_error_handlers(app) -> None:
    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError):
        details = validation_details(error.errors())
        where = ", ".join(d["field"] for d in details[:5])
        return error_response(422, "validation_error", f"invalid request: {where}", details)

    @app.exception_handler(DomainError)
    def _domain(error: DomainError):
        return error_response(error.status, error.code, error.message, error.details)

    @app.exception_handler([UnicodeDecodeError, RecursionError])
    def _unreadable_body(error: Exception):
        return error_response(400, "bad_request", "request body is not readable JSON (UTF-8, reasonably nested)")

    @app.exception_handler(RequestUnsupportedContentType)
    def _content_type(error: Exception):
        return error_response(415, "unsupported_media_type", "send the body as application/json")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception):
        # Logged with its traceback; the caller gets the contract's shape, not a stack.
        logger.exception("unhandled error", extra={"error_type": type(error).__name__})
        return error_response(500, "internal_error", "the request failed on our side; it is logged")

    @app.not_found
    def _no_route(error: NotFoundError):
        event = app.current_event
        return error_response(404, "not_found", f"no route for {event.http_method} {event.path}")


def require_json(event: dict) -> dict | None:
    """A 415 answer for a body that is not JSON; otherwise None, with the media type lower-cased
    (media types are case-insensitive, the request validator is not)."""
    if not event.get("body"):
        return None
    headers = event.get("headers") or {}
    name = next((k for k in headers if k.lower() == "content-type"), None)
    if name is None:
        return None  # no declared type: read as JSON
    media = headers[name].split(";")[0].strip().lower()
    if media not in _JSON_TYPES and not media.endswith("+json"):
        given = f"not {media}" if media else "the Content-Type header is empty"
        body = error_document("unsupported_media_type", f"send the body as application/json ({given})")
        return {"statusCode": 415, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
    headers[name] = "application/json"
    return None
