"""DynamoDB stream consumer: folds row changes into the campaign counters."""

from __future__ import annotations

from campaign_status.counting import count_stream_batch
from campaign_status.observability import logger, tracer


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event, context):
    records = event.get("Records", [])
    moved = count_stream_batch(records)
    logger.info("stream batch counted", extra={"records": len(records), "counters_moved": moved})
    return {"records": len(records), "counters_moved": moved}
