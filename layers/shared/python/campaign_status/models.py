"""Pydantic models for every boundary: Meta's webhook, the HTTP API, and stored items."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasPath,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DeliveryStatus = Literal["not_attempted", "pending", "sent", "delivered", "read", "failed"]

# What becomes part of a DynamoDB key is bounded in UTF-8 bytes too: a sort key holds at
# most 1,024 bytes, and the problems index's `{attempt code}#{lead id}` must fit in one.
LEAD_ID_MAX_CHARS, LEAD_ID_MAX_BYTES = 256, 512
ATTEMPT_CODE_MAX_BYTES = 128
# Meta's error texts are a sentence or two; longer ones are cut when stored.
ERROR_TITLE_MAX_CHARS, ERROR_DETAILS_MAX_CHARS = 256, 1024


def utf8_at_most(limit: int) -> AfterValidator:
    def check(text: str) -> str:
        if len(text.encode("utf-8", "surrogatepass")) > limit:
            raise ValueError(f"at most {limit} bytes in UTF-8")
        return text

    return AfterValidator(check)


LeadId = Annotated[str, Field(min_length=1, max_length=LEAD_ID_MAX_CHARS), utf8_at_most(LEAD_ID_MAX_BYTES)]

# Models only the API and report functions use are built on first use, not at import: the
# webhook imports this module too, and Meta's first POST after a cold start should not wait
# for validators it never runs.
BUILT_ON_FIRST_USE = ConfigDict(defer_build=True)


# --- API Gateway, as the webhook function reads it ---------------------------


class GatewayRequest(BaseModel):
    """What the webhook function reads of an HTTP API event (payload format 2.0)."""

    method: str = Field(validation_alias=AliasPath("requestContext", "http", "method"))
    headers: dict[str, str] | None = None
    query: dict[str, str] | None = Field(default=None, validation_alias="queryStringParameters")
    body: str | None = None
    is_base64_encoded: bool = Field(default=False, validation_alias="isBase64Encoded")

    def header(self, name: str) -> str | None:
        """A header by name, in any case (API Gateway lower-cases them; other callers may not)."""
        name = name.lower()
        return next((v for k, v in (self.headers or {}).items() if k.lower() == name), None)

    def raw_body(self) -> bytes:
        """The body as the bytes the client sent (API Gateway may hand them over base64-encoded)."""
        text = self.body or ""
        return base64.b64decode(text) if self.is_base64_encoded else text.encode("utf-8")


# --- Meta's status webhook -------------------------------------------------
# Meta adds fields without notice: unknown fields are ignored, never rejected.


class MetaErrorData(BaseModel):
    details: str | None = None


class MetaError(BaseModel):
    code: int
    title: str | None = None
    message: str | None = None
    error_data: MetaErrorData | None = None


# Unix seconds up to 2100: a negative or larger value is not a status Meta sent (and would not fit a date).
EpochSeconds = Annotated[int, Field(ge=0, le=4102444800)]


class MetaStatus(BaseModel):
    # The message index's key is `M#{id}` (a partition key holds at most 2,048 bytes).
    id: Annotated[str, Field(min_length=1, max_length=512), utf8_at_most(1024)]
    status: str = Field(min_length=1, max_length=64)
    # Meta sends a string of digits; integers are accepted too.
    timestamp: EpochSeconds
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    biz_opaque_callback_data: str | None = None
    errors: list[MetaError] = Field(default_factory=list)


class MetaChangeValue(BaseModel):
    # Items are validated one by one (MetaWebhook.statuses): one unreadable status must not
    # keep the others of the same POST from being applied.
    statuses: list[Any] = Field(default_factory=list)
    # Errors Meta reports for the whole change (a rate limit, say), not for one message.
    errors: list[Any] = Field(default_factory=list)


class MetaChange(BaseModel):
    field: str | None = None
    value: MetaChangeValue = Field(default_factory=MetaChangeValue)


class MetaEntry(BaseModel):
    id: str | None = None
    changes: list[MetaChange] = Field(default_factory=list)


class MetaWebhook(BaseModel):
    object: str | None = None
    # Every notification of Meta's has `entry`: a body without it is no status webhook (kept aside).
    entry: list[MetaEntry]

    def statuses(self) -> list[MetaStatus]:
        return self.read_statuses()[0]

    def reported_error_codes(self) -> list[int]:
        """The codes of value-level errors (those that name no message); unreadable ones are skipped."""
        codes = []
        for entry in self.entry:
            for change in entry.changes:
                for item in change.value.errors:
                    try:
                        codes.append(MetaError.model_validate(item).code)
                    except ValidationError:
                        continue
        return codes

    def read_statuses(self) -> tuple[list[MetaStatus], list[str]]:
        """Every readable status of every entry and change, and what is wrong with the others."""
        readable, problems = [], []
        for i, entry in enumerate(self.entry):
            for j, change in enumerate(entry.changes):
                for k, item in enumerate(change.value.statuses):
                    try:
                        readable.append(MetaStatus.model_validate(item))
                    except ValidationError as error:
                        first = error.errors()[0]
                        field = ".".join(str(p) for p in first["loc"]) or "item"
                        problems.append(f"entry[{i}].changes[{j}].statuses[{k}].{field}: {first['msg']}")
        return readable, problems


# --- Domain ----------------------------------------------------------------


class StatusEvent(BaseModel):
    """One status webhook item as stored in a recipient's history."""

    model_config = ConfigDict(frozen=True)

    status: str
    timestamp: EpochSeconds
    error_code: int | None = None
    error_title: str | None = None
    error_details: str | None = None

    @classmethod
    def from_meta(cls, status: MetaStatus) -> "StatusEvent":
        error = status.errors[0] if status.errors else None
        title = (error.title or error.message) if error else None
        details = error.error_data.details if error and error.error_data else None
        # Texts kept to a bound: a row (its whole history) must stay within DynamoDB's 400 KB.
        return cls(
            status=status.status,
            timestamp=status.timestamp,
            error_code=error.code if error else None,
            error_title=title[:ERROR_TITLE_MAX_CHARS] if title else title,
            error_details=details[:ERROR_DETAILS_MAX_CHARS] if details else details,
        )


_EARLIEST, _LATEST = datetime(1970, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc)


def _as_utc(moment: datetime) -> datetime:
    # Bounded like Meta's timestamps: year 1 or 9999 is no campaign step, and could not be
    # shown in a report's timezone (the date would leave the calendar).
    try:
        utc = moment.astimezone(timezone.utc)
    except OverflowError:
        utc = None
    if utc is None or not _EARLIEST <= utc < _LATEST:
        raise ValueError("must be between 1970-01-01 and 2100-01-01")
    return utc


# The same instant, on the standard library's UTC: parsed times otherwise each carry their
# own tzinfo object, and comparing or hashing them (the report caches local times by step
# time, a million rows at a time) then calls into that object every time.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]


class Step(BaseModel):
    name: str = Field(min_length=1, max_length=512)
    status: str = Field(min_length=1, max_length=128)
    details: str = Field(default="", max_length=2048)
    timestamp: UtcDatetime


class AttemptError(BaseModel):
    code: Annotated[str, Field(min_length=1, max_length=128), utf8_at_most(ATTEMPT_CODE_MAX_BYTES)]
    message: str = Field(default="", max_length=1024)


class RecipientIn(BaseModel):
    """One recipient as the campaign sender records it."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    lead_id: LeadId
    # Stored as given: an invalid number is exactly what an attempt error reports.
    phone: str = Field(max_length=256)
    step: Step
    message_id: str | None = Field(default=None, min_length=1, max_length=256)
    attempt_error: AttemptError | None = None

    @model_validator(mode="after")
    def _exactly_one_outcome(self) -> "RecipientIn":
        if (self.message_id is None) == (self.attempt_error is None):
            raise ValueError("exactly one of message_id or attempt_error is required")
        return self


class RecordRecipientsRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    recipients: list[RecipientIn] = Field(min_length=1, max_length=1000)


class RecipientRow(BaseModel):
    """The stored state of one lead in one campaign; `events` is its whole status history."""

    campaign_id: str
    lead_id: str
    phone: str
    step: Step
    message_id: str | None = None
    attempt_error: AttemptError | None = None
    delivery_status: DeliveryStatus
    delivery_error_code: int | None = None
    delivery_error_title: str | None = None
    delivery_error_details: str | None = None
    updated_at: datetime
    # message id -> events received for it, in arrival order (deduplicated)
    events: dict[str, list[StatusEvent]] = Field(default_factory=dict)
    version: int = 0


# --- API views ---------------------------------------------------------------


class RowView(BaseModel):
    model_config = BUILT_ON_FIRST_USE

    lead_id: str
    phone: str
    last_step_timestamp: str
    last_step_executed: str
    last_step_status: str
    last_step_details: str
    delivery_status: DeliveryStatus
    delivery_error_code: int | None = None
    delivery_error_message: str | None = None
    attempt_error_code: str | None = None
    attempt_error_message: str | None = None
    message_id: str | None = None
    updated_at: str


class EventView(BaseModel):
    model_config = BUILT_ON_FIRST_USE

    message_id: str
    status: str
    timestamp: str
    error_code: int | None = None
    error_title: str | None = None
    error_details: str | None = None


class RecipientDetail(RowView):
    model_config = BUILT_ON_FIRST_USE

    events: list[EventView]


class RowPage(BaseModel):
    model_config = BUILT_ON_FIRST_USE

    items: list[RowView]
    next_cursor: str | None


class AttemptErrorCount(BaseModel):
    model_config = BUILT_ON_FIRST_USE

    code: str
    message: str
    count: int


class DeliveryErrorCount(BaseModel):
    model_config = BUILT_ON_FIRST_USE

    code: int
    title: str
    count: int
    reason: str | None = None
    solution: str | None = None
    retryable: bool | None = None


class Summary(BaseModel):
    model_config = BUILT_ON_FIRST_USE

    campaign_id: str
    recipients: int
    delivery_status: dict[str, int]
    attempt_errors: list[AttemptErrorCount]
    delivery_errors: list[DeliveryErrorCount]


class ReportRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    timezone: str = Field(default="UTC", max_length=64)

    @field_validator("timezone", mode="before")
    @classmethod
    def _null_is_the_default(cls, value):
        return "UTC" if value is None else value


ReportState = Literal["RUNNING", "SUCCEEDED", "FAILED"]


class Report(BaseModel):
    model_config = BUILT_ON_FIRST_USE

    campaign_id: str
    report_id: str
    status: ReportState
    timezone: str = "UTC"
    rows_written: int = 0
    rows_total: int = 0
    object_key: str | None = None
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None


class ReportView(BaseModel):
    model_config = BUILT_ON_FIRST_USE

    report_id: str
    status: ReportState
    rows_written: int
    rows_total: int
    download_url: str | None = None
    expires_at: str | None = None
    error: str | None = None


class QuarantineItem(BaseModel):
    id: str
    received_at: datetime
    reason: str
    size: int
    # A store failure is retried by the scheduled redrive; an unreadable body waits for an operator.
    retryable: bool = True
