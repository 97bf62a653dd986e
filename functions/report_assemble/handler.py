"""Report step 3: join the slice parts, in order, into the one CSV object and mark the report done."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import BaseModel

from campaign_status.observability import log_metrics, logger, metrics
from campaign_status.reporting import SliceResult, assemble_report


class AssembleTask(BaseModel):
    campaign_id: str
    report_id: str
    parts: list[SliceResult]


@logger.inject_lambda_context
@log_metrics
def lambda_handler(event, context):
    task = AssembleTask.model_validate(event)
    done = assemble_report(task.campaign_id, task.report_id, task.parts)
    # From the request to the file: what an operator waits for a download.
    metrics.add_metadata(key="report_id", value=task.report_id)
    metrics.add_metric(name="ReportSeconds", unit=MetricUnit.Seconds, value=done["seconds"])
    metrics.add_metric(name="ReportRows", unit=MetricUnit.Count, value=done["rows"])
    return done
