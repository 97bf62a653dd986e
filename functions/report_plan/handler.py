"""Report step 1: decide the slices (one per row shard) and the row total."""

from __future__ import annotations

from pydantic import BaseModel

from campaign_status.observability import logger
from campaign_status.reporting import plan_report


class ReportJob(BaseModel):
    campaign_id: str
    report_id: str
    timezone: str = "UTC"


@logger.inject_lambda_context
def lambda_handler(event, context):
    job = ReportJob.model_validate(event)
    slices = plan_report(job.campaign_id, job.report_id, job.timezone)
    return {"slices": [s.model_dump() for s in slices]}
