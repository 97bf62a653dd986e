"""Scheduled: applies quarantined webhooks again, so a passing store failure heals by itself."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from campaign_status.observability import log_metrics, logger, metrics, tracer
from campaign_status.webhooks import redrive_all


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@log_metrics
def lambda_handler(event, context):
    outcomes = redrive_all()
    metrics.add_metric(name="QuarantineRedriven", unit=MetricUnit.Count, value=outcomes["applied"])
    logger.info("quarantine redriven", extra=outcomes)
    return outcomes
