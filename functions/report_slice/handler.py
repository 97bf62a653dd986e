"""Report step 2 (one Map iteration): stream one slice's rows into its CSV part object."""

from __future__ import annotations

from campaign_status.observability import logger
from campaign_status.reporting import SliceTask, write_slice


@logger.inject_lambda_context
def lambda_handler(event, context):
    result = write_slice(SliceTask.model_validate(event))
    return result.model_dump()
