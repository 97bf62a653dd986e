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
