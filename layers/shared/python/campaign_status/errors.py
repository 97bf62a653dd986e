"""Domain errors; the API maps each to one HTTP status in one place."""

from __future__ import annotations


def error_document(code: str, message: str, details: list | None = None) -> dict:
    """The body of every error answer: `{"error": {"code", "message", "details"}}`."""
    return {"error": {"code": code, "message": message, "details": details or []}}


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    status = 404
    code = "not_found"


class BadCursor(DomainError):
    status = 400
    code = "bad_cursor"


class InvalidInput(DomainError):
    status = 422
    code = "validation_error"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class StoreConflict(Exception):
    """An optimistic write kept losing to concurrent writers; the caller may retry later."""
