"""The operators' and campaign sender's API: recipients, summary, lists, reports, errors, quarantine."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import TypeAdapter, ValidationError
from campaign_status import error_catalog, queries, quarantine_store, recording, reporting, webhooks
from campaign_status.errors import InvalidInput, NotFound
from campaign_status.http_errors import register_error_handlers, require_json
from campaign_status.models import (
    LeadId,
    QuarantineItem,
    RecipientDetail,
    RecordRecipientsRequest,
    ReportRequest,
    ReportView,
    RowPage,
    Summary,
)
from campaign_status.observability import logger, tracer

app = APIGatewayHttpResolver(enable_validation=True)
register_error_handlers(app)

# Not only dots: `.` and `..` are path segments that clients and URLs resolve away.
CampaignId = Annotated[str, Path(max_length=128, pattern=r"^[A-Za-z0-9._-]*[A-Za-z0-9_-][A-Za-z0-9._-]*$")]
# A lead id arrives URL-encoded (up to 12 characters for one): its own limits apply once decoded.
EncodedLeadId = Annotated[str, Path(min_length=1, max_length=12 * 256)]
_lead_id = TypeAdapter(LeadId)
StatusFilter = Literal["not_attempted", "pending", "sent", "delivered", "read", "failed"]


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}


@app.post("/campaigns/<campaign_id>/recipients")
def record_recipients(campaign_id: CampaignId, request: Annotated[RecordRecipientsRequest, Body()]) -> dict:
    accepted = recording.record_recipients(campaign_id, request.recipients)
    logger.info("recipients recorded", extra={"campaign_id": campaign_id, "accepted": accepted})
    return {"accepted": accepted}


@app.get("/campaigns/<campaign_id>/summary")
def campaign_summary(campaign_id: CampaignId) -> Summary:
    return queries.campaign_summary(campaign_id)


@app.get("/campaigns/<campaign_id>/recipients")
def list_recipients(
    campaign_id: CampaignId,
    delivery_status: Annotated[StatusFilter | None, Query()] = None,
    error_code: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> RowPage:
    page, _ = queries.list_rows(campaign_id, delivery_status, error_code, limit, cursor)
    return page


@app.get("/campaigns/<campaign_id>/recipients/<lead_id>")
def recipient(campaign_id: CampaignId, lead_id: EncodedLeadId) -> RecipientDetail:
    # The route matches the raw path: a lead id with '/', '#', spaces or non-ASCII arrives encoded.
    try:
        lead = _lead_id.validate_python(unquote(lead_id))
    except ValidationError as error:
        message = error.errors()[0]["msg"]
        raise InvalidInput(f"invalid lead_id: {message}", [{"field": "lead_id", "message": message}]) from None
    return queries.recipient_detail(campaign_id, lead)


@app.post("/campaigns/<campaign_id>/reports")
def start_report(campaign_id: CampaignId, request: Annotated[ReportRequest | None, Body()] = None):
    report = reporting.start_report(campaign_id, (request or ReportRequest()).timezone)
    body = ReportView(report_id=report.report_id, status=report.status, rows_written=0, rows_total=report.rows_total)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=body.model_dump_json(exclude_none=True))


@app.get("/campaigns/<campaign_id>/reports/<report_id>")
def report_status(campaign_id: CampaignId, report_id: Annotated[str, Path(pattern=r"^[a-f0-9]{32}$")]) -> ReportView:
    return reporting.report_status(campaign_id, report_id)


@app.get("/error-codes")
def error_codes() -> dict:
    return {"items": [e.model_dump() for e in error_catalog.all_codes()]}


@app.get("/error-codes/<code>")
def error_code(code: Annotated[str, Path(pattern=r"^\d{1,9}$")]) -> dict:
    found = error_catalog.lookup(int(code))
    if found is None:
        raise NotFound(f"error code {code} is not in the catalog")
    return found.model_dump()


QuarantineId = Annotated[str, Path(pattern=r"^[0-9A-Za-z-]{1,64}$")]


@app.get("/quarantine")
def quarantine(
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z-]{1,64}$")] = None,
) -> dict:
    # Oldest first; the cursor is the last id of the page before (ids are time-ordered).
    items: list[QuarantineItem] = quarantine_store.list_items(limit, after=cursor)
    next_cursor = items[-1].id if len(items) == limit else None
    return {"items": [i.model_dump(mode="json") for i in items], "next_cursor": next_cursor}


@app.post("/quarantine/<item_id>/redrive")
def redrive(item_id: QuarantineId) -> dict:
    outcome, reason = webhooks.redrive(item_id)
    return {"id": item_id, "outcome": outcome, "reason": reason}


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event, context):
    return require_json(event) or app.resolve(event, context)
