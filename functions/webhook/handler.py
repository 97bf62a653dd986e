"""Meta's WhatsApp webhook: the subscription handshake and signed status notifications.

Two fixed routes, so the event is read with one small model rather than a resolver: the
function's cold start is what Meta's first POST after a quiet spell waits for.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.metrics import MetricUnit
from campaign_status.errors import error_document
from campaign_status.models import GatewayRequest
from campaign_status.observability import count_by, log_metrics, logger, metrics
from campaign_status.signature import SIGNATURE_HEADER, app_secret, is_signed_by, verify_token
from campaign_status.webhooks import receive_status_webhook


def _answer(status: int, body: str, content_type: str = "application/json") -> dict:
    return {"statusCode": status, "headers": {"Content-Type": content_type}, "body": body}


def _error(status: int, code: str, message: str) -> dict:
    return _answer(status, json.dumps(error_document(code, message)))


def verify_subscription(params: dict[str, str]) -> dict:
    if params.get("hub.mode") != "subscribe" or params.get("hub.verify_token") != verify_token():
        return _error(403, "forbidden", "hub.mode must be subscribe and hub.verify_token must match")
    if not params.get("hub.challenge"):
        return _error(400, "bad_request", "hub.challenge is missing")
    return _answer(200, params["hub.challenge"], "text/plain")


def receive_notification(request: GatewayRequest) -> dict:
    # The signature covers the bytes exactly as Meta sent them: never re-serialise first.
    raw = request.raw_body()
    if not is_signed_by(raw, request.header(SIGNATURE_HEADER), app_secret()):
        metrics.add_metric(name="SignatureRejected", unit=MetricUnit.Count, value=1)
        return _error(401, "bad_signature", "X-Hub-Signature-256 is missing or does not match the body")
    outcome, result = receive_status_webhook(raw)
    if result is not None:
        metrics.add_metric(name="StatusesApplied", unit=MetricUnit.Count, value=result.statuses)
        count_by("StatusesByValue", "status", result.by_status)
        count_by("DeliveryErrorsByCode", "error_code", result.by_error_code)
        count_by("ReportedErrorsByCode", "error_code", result.reported_errors)
        if result.reported_errors:
            # Not tied to any recipient: a log line and a metric are where they can be seen.
            logger.warning("Meta reported errors", extra={"error_codes": sorted(result.reported_errors)})
        logger.info("webhook applied", extra={"statuses": result.statuses, "rows_changed": result.rows_changed,
                                              "held_for_recording": result.held_for_recording})
    if outcome == "quarantined":
        metrics.add_metric(name="WebhooksQuarantined", unit=MetricUnit.Count, value=1)
    # Exactly 200: Meta retries anything else for days. Quarantined bodies are kept, not lost.
    return _answer(200, json.dumps({"status": outcome}))


@logger.inject_lambda_context
@log_metrics
def lambda_handler(event, context):
    try:
        request = GatewayRequest.model_validate(event)
        if request.method == "GET":
            return verify_subscription(request.query or {})
        if request.method == "POST":
            return receive_notification(request)
        return _error(405, "method_not_allowed", f"{request.method} is not served here: use GET or POST")
    except Exception:
        # Logged with its traceback; Meta gets the contract's shape (and retries a 500).
        logger.exception("webhook request failed")
        return _error(500, "internal_error", "the request failed on our side; it is logged")
