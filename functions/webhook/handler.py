"""Meta's WhatsApp webhook: the subscription handshake and signed status notifications."""

from __future__ import annotations

import base64

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.metrics import MetricUnit
from campaign_status.http_errors import error_response, register_error_handlers
from campaign_status.observability import count_by, log_metrics, logger, metrics
from campaign_status.signature import SIGNATURE_HEADER, app_secret, is_signed_by, verify_token
from campaign_status.webhooks import receive_status_webhook

app = APIGatewayHttpResolver()
register_error_handlers(app)


@app.get("/webhooks/whatsapp")
def verify_subscription():
    params = app.current_event.query_string_parameters or {}
    if params.get("hub.mode") != "subscribe" or params.get("hub.verify_token") != verify_token():
        return error_response(403, "forbidden", "hub.mode must be subscribe and hub.verify_token must match")
    if not params.get("hub.challenge"):
        return error_response(400, "bad_request", "hub.challenge is missing")
    return Response(status_code=200, content_type=content_types.TEXT_PLAIN, body=params["hub.challenge"])


@app.post("/webhooks/whatsapp")
def receive_notification():
    event = app.current_event
    # The signature covers the bytes exactly as Meta sent them: never re-serialise first.
    raw = base64.b64decode(event.body or "") if event.is_base64_encoded else (event.body or "").encode("utf-8")
    if not is_signed_by(raw, event.headers.get(SIGNATURE_HEADER), app_secret()):
        metrics.add_metric(name="SignatureRejected", unit=MetricUnit.Count, value=1)
        return error_response(401, "bad_signature", "X-Hub-Signature-256 is missing or does not match the body")
    outcome, result = receive_status_webhook(raw)
    if result is not None:
        metrics.add_metric(name="StatusesApplied", unit=MetricUnit.Count, value=result.statuses)
        count_by("StatusesByValue", "status", result.by_status)
        count_by("DeliveryErrorsByCode", "error_code", result.by_error_code)
        logger.info("webhook applied", extra={"statuses": result.statuses, "rows_changed": result.rows_changed,
                                              "held_for_recording": result.held_for_recording})
    if outcome == "quarantined":
        metrics.add_metric(name="WebhooksQuarantined", unit=MetricUnit.Count, value=1)
    # Exactly 200: Meta retries anything else for days. Quarantined bodies are kept, not lost.
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body='{"status":"%s"}' % outcome)


@logger.inject_lambda_context
@log_metrics
def lambda_handler(event, context):
    return app.resolve(event, context)
