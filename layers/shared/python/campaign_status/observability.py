"""One place for logs, traces and metrics. Nothing here ever receives a phone number."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "campaign-delivery-status"
NAMESPACE = "CampaignDeliveryStatus"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# A request that adds no metric is normal here (handshakes, 4xx): not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")
