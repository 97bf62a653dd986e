"""Monitoring: alarms on what needs an operator, routed to one SNS topic."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from constructs import Construct


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, ingest, api, reports, storage):
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "AlarmTopic", enforce_ssl=True)
        alarm_action = actions.SnsAction(self.topic)
        functions = {
            "Webhook": ingest.webhook_function,
            "Counter": ingest.counter_function,
            "Api": api.function,
            "ReportSlice": reports.slice_function,
        }
        for name, fn in functions.items():
            for metric_name, metric in (("Errors", fn.metric_errors()), ("Throttles", fn.metric_throttles())):
                alarm = cloudwatch.Alarm(
                    self,
                    f"{name}{metric_name}",
                    metric=metric.with_(period=cdk.Duration.minutes(5)),
                    threshold=1,
                    evaluation_periods=1,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
                alarm.add_alarm_action(alarm_action)
        failed_reports = cloudwatch.Alarm(
            self,
            "ReportsFailed",
            metric=reports.state_machine.metric_failed(period=cdk.Duration.minutes(5)),
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        failed_reports.add_alarm_action(alarm_action)
