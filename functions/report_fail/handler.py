"""Report catch-all: any failed step ends here; the report says FAILED with a readable reason."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from campaign_status.observability import log_metrics, logger, metrics
from campaign_status.reporting import fail_report


class FailedJob(BaseModel):
    campaign_id: str
    report_id: str
    error: dict | None = None


@logger.inject_lambda_context
@log_metrics
def lambda_handler(event, context):
    job = FailedJob.model_validate(event)
    fail_report(job.campaign_id, job.report_id, job.error)
    metrics.add_metric(name="ReportsFailed", unit=MetricUnit.Count, value=1)
    logger.warning("report failed", extra={"campaign_id": job.campaign_id, "report_id": job.report_id})
    return {"status": "FAILED"}
