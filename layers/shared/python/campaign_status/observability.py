"""One place for logs, traces and metrics. Nothing here ever receives a phone number."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

SERVICE = "campaign-delivery-status"
NAMESPACE = "CampaignDeliveryStatus"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

# A request that adds no metric is normal here (handshakes, 4xx): not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def count_by(metric: str, dimension: str, counts: dict) -> None:
    """One EMF metric per value (status, error code): dimensions must not mix within one flush."""
    for value, count in counts.items():
        with single_metric(name=metric, unit=MetricUnit.Count, value=count, namespace=NAMESPACE) as one:
            one.add_dimension(name="service", value=SERVICE)
            one.add_dimension(name=dimension, value=str(value)[:64])
