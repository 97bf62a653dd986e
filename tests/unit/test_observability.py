"""Metrics by status and error code reach CloudWatch as EMF lines with their dimension."""

from __future__ import annotations

import json

from campaign_status.observability import NAMESPACE, SERVICE, count_by


def test_count_by_writes_one_emf_metric_per_value(capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    count_by("StatusesByValue", "status", {"read": 3, "failed": 1})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    by_status = {line["status"]: line["StatusesByValue"] for line in lines}
    assert by_status == {"read": [3.0], "failed": [1.0]} or by_status == {"read": 3.0, "failed": 1.0}
    for line in lines:
        (directive,) = line["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == NAMESPACE
        assert line["service"] == SERVICE


def test_count_by_is_silent_when_metrics_are_disabled(capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    count_by("StatusesByValue", "status", {"read": 3})
    assert capsys.readouterr().out == ""


def test_metrics_do_not_pile_up_where_they_are_disabled(monkeypatch):
    """Powertools keeps the metric set when metrics are disabled; `log_metrics` empties it."""
    from aws_lambda_powertools.metrics import MetricUnit

    from campaign_status.observability import log_metrics, metrics

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    @log_metrics
    def handler(event, context):
        metrics.add_metric(name="Probe", unit=MetricUnit.Count, value=1)
        return len(metrics.metric_set.get("Probe", {}).get("Value", []))

    assert [handler({}, None) for _ in range(3)] == [1, 1, 1]
    assert "Probe" not in metrics.metric_set
