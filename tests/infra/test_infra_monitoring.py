"""Alarms (to the SNS topic) on what needs an operator, and the dashboard."""

from __future__ import annotations

import json

NAMESPACE, SERVICE = "CampaignDeliveryStatus", "campaign-delivery-status"


def alarms(synth) -> dict[str, dict]:
    return {k: v["Properties"] for k, v in synth.of_type("AWS::CloudWatch::Alarm").items()}


def metrics_of(alarm: dict) -> list[dict]:
    """The metrics an alarm watches: its own, or those inside its metric math."""
    if "MetricName" in alarm:
        return [{"Namespace": alarm["Namespace"], "MetricName": alarm["MetricName"], "Dimensions": alarm.get("Dimensions", [])}]
    return [
        {**m["MetricStat"]["Metric"], "Dimensions": m["MetricStat"]["Metric"].get("Dimensions", [])}
        for m in alarm["Metrics"]
        if "MetricStat" in m
    ]


def watching(synth, namespace: str, metric_name: str) -> list[dict]:
    return [
        (a, m)
        for a in alarms(synth).values()
        for m in metrics_of(a)
        if m["Namespace"] == namespace and m["MetricName"] == metric_name
    ]


def test_every_alarm_notifies_the_topic(dev):
    (topic_id,) = dev.of_type("AWS::SNS::Topic")
    found = alarms(dev)
    assert len(found) >= 20
    for logical_id, alarm in found.items():
        assert alarm["AlarmActions"] == [{"Ref": topic_id}], logical_id


def test_webhook_5xx_alarm_on_the_default_stage(dev):
    ((_, metric),) = watching(dev, "AWS/ApiGateway", "5xx")
    (api_id,) = dev.of_type("AWS::ApiGatewayV2::Api")
    assert {"Name": "ApiId", "Value": {"Ref": api_id}} in metric["Dimensions"]
    assert {"Name": "Stage", "Value": "$default"} in metric["Dimensions"]


def test_emf_alarms_on_signature_failures_and_quarantine(dev):
    for name in ("SignatureRejected", "WebhooksQuarantined"):
        ((alarm, metric),) = watching(dev, NAMESPACE, name)
        assert metric["Dimensions"] == [{"Name": "service", "Value": SERVICE}], name
        assert alarm["Statistic"] == "Sum"


def test_errors_and_throttles_alarm_for_every_function(dev):
    functions = set(dev.of_type("AWS::Lambda::Function"))
    for metric_name in ("Errors", "Throttles"):
        covered = {
            d["Value"]["Ref"]
            for _, m in watching(dev, "AWS/Lambda", metric_name)
            for d in m["Dimensions"]
            if d["Name"] == "FunctionName"
        }
        assert covered == functions, metric_name


def test_dynamodb_throttles_and_user_errors(dev):
    (table_id,) = dev.of_type("AWS::DynamoDB::GlobalTable")
    throttled = watching(dev, "AWS/DynamoDB", "ThrottledRequests")
    operations = {d["Value"] for _, m in throttled for d in m["Dimensions"] if d["Name"] == "Operation"}
    assert {"GetItem", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem", "Query"} <= operations
    assert all({"Name": "TableName", "Value": {"Ref": table_id}} in m["Dimensions"] for _, m in throttled)
    assert watching(dev, "AWS/DynamoDB", "UserErrors")


def test_report_failures_alarm(dev):
    (machine_id,) = dev.of_type("AWS::StepFunctions::StateMachine")
    ((_, metric),) = watching(dev, "AWS/States", "ExecutionsFailed")
    assert metric["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": machine_id}}]


def test_counter_dead_letters_alarm(dev):
    ((_, metric),) = watching(dev, "AWS/SQS", "ApproximateNumberOfMessagesVisible")
    (queue_id,) = dev.of_type("AWS::SQS::Queue")
    assert metric["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}]


def test_one_dashboard_with_the_key_graphs(dev):
    (dashboard,) = dev.of_type("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("StatusesApplied", "WebhooksQuarantined", "Latency", "ReportSeconds", "ThrottledRequests"):
        assert f'\\"{metric}\\"' in body, metric
