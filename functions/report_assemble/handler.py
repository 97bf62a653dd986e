"""Report step 3: join the slice parts, in order, into the one CSV object and mark the report done."""

from __future__ import annotations

from pydantic import BaseModel

from campaign_status.observability import logger
from campaign_status.reporting import SliceResult, assemble_report


class AssembleTask(BaseModel):
    campaign_id: str
    report_id: str
    parts: list[SliceResult]


@logger.inject_lambda_context
def lambda_handler(event, context):
    task = AssembleTask.model_validate(event)
    return assemble_report(task.campaign_id, task.report_id, task.parts)
