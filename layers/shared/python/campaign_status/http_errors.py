"""Domain and validation errors as the contract's JSON error, mapped in one place for every API."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from .errors import DomainError


def error_response(status: int, code: str, message: str, details: list | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))


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

    @app.not_found
    def _no_route(error: NotFoundError):
        event = app.current_event
        return error_response(404, "not_found", f"no route for {event.http_method} {event.path}")
