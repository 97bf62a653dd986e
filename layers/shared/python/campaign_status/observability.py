"""One place for logs, traces and metrics. Nothing here ever receives a phone number."""

from __future__ import annotations

import functools
import warnings
from functools import cache

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE = "campaign-delivery-status"
NAMESPACE = "CampaignDeliveryStatus"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


@cache
def _tracer():
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


def __getattr__(name: str):
    # The X-Ray SDK alone takes ~200 ms to import: only functions that use `tracer` pay for it.
    # The webhook does not (Lambda's active tracing still records its invocations), so that
    # Meta's first POST after a cold start is answered sooner.
    if name == "tracer":
        return _tracer()
    raise AttributeError(name)

# A request that adds no metric is normal here (handshakes, 4xx): not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")


def count_by(metric: str, dimension: str, counts: dict) -> None:
    """One EMF metric per value (status, error code): dimensions must not mix within one flush."""
    if is_metrics_disabled():  # single_metric does not ask, unlike Metrics' own flush
        return
    for value, count in counts.items():
        with single_metric(name=metric, unit=MetricUnit.Count, value=count, namespace=NAMESPACE) as one:
            one.add_dimension(name="service", value=SERVICE)
            one.add_dimension(name=dimension, value=str(value)[:64])


def log_metrics(handler):
    """Powertools' `log_metrics`, with the metric set emptied after each invocation also where
    metrics are disabled (the embedded run): Powertools keeps the set then, and a long-running
    local server would add to it with every request."""
    flushing = metrics.log_metrics(handler)

    @functools.wraps(handler)
    def run(event, context):
        try:
            return flushing(event, context)
        finally:
            if is_metrics_disabled():
                metrics.clear_metrics()

    return run
