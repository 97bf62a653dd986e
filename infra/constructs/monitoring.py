"""Monitoring: alarms on what needs an operator, routed to one SNS topic, and one dashboard.

Custom metrics come from the functions as CloudWatch EMF (Powertools Metrics): namespace
`CampaignDeliveryStatus`, dimension `service=campaign-delivery-status`.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from constructs import Construct

NAMESPACE = "CampaignDeliveryStatus"
SERVICE = "campaign-delivery-status"
PERIOD = cdk.Duration.minutes(5)
# Every operation the functions call on the table (ThrottledRequests is published per operation).
TABLE_OPERATIONS = [
    dynamodb.Operation.GET_ITEM,
    dynamodb.Operation.BATCH_GET_ITEM,
    dynamodb.Operation.PUT_ITEM,
    dynamodb.Operation.UPDATE_ITEM,
    dynamodb.Operation.DELETE_ITEM,
    dynamodb.Operation.QUERY,
]


def service_metric(name: str, statistic: str = "Sum") -> cloudwatch.Metric:
    """One of the functions' EMF metrics."""
    return cloudwatch.Metric(
        namespace=NAMESPACE, metric_name=name, dimensions_map={"service": SERVICE}, statistic=statistic, period=PERIOD
    )


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, ingest, api, reports, storage, code):
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "AlarmTopic", enforce_ssl=True, display_name="Campaign delivery status alarms")
        self._action = actions.SnsAction(self.topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        stage = ingest.stage
        # Webhook path: 5xx from the stage means a signed body could not even be quarantined (or the
        # query API failed); Meta retries, but an operator must look.
        self._alarm(
            "Api5xx",
            stage.metric_server_error(period=PERIOD, statistic="Sum"),
            threshold=1,
            description="HTTP API $default stage answered 5xx (webhook body not kept, or query API failure).",
        )
        # Meta always signs: a run of rejections is a wrong app secret after rotation, or someone probing.
        self._alarm(
            "SignatureRejected",
            service_metric("SignatureRejected"),
            threshold=10,
            description="Webhook POSTs rejected for a missing or wrong X-Hub-Signature-256.",
        )
        # Every quarantined body is a webhook the code could not apply: redrive after a fix.
        self._alarm(
            "WebhooksQuarantined",
            service_metric("WebhooksQuarantined"),
            threshold=1,
            description="Signed webhook bodies kept in quarantine (GET /quarantine, then redrive).",
        )
        for fn in code.functions:
            name = fn.node.id
            self._alarm(f"{name}Errors", fn.metric_errors(period=PERIOD, statistic="Sum"), threshold=1,
                        description=f"{name} raised errors.")
            self._alarm(f"{name}Throttles", fn.metric_throttles(period=PERIOD, statistic="Sum"), threshold=1,
                        description=f"{name} was throttled (account or reserved concurrency).")
        table = storage.table
        self._alarm(
            "TableThrottles",
            table.metric_throttled_requests_for_operations(operations=TABLE_OPERATIONS, period=PERIOD),
            threshold=1,
            description="DynamoDB throttled requests on the delivery table (a hot partition key).",
        )
        # Account-level 400s (bad requests, missing table, auth): not conditional-check failures.
        self._alarm(
            "DynamoUserErrors",
            table.metric_user_errors(period=PERIOD, statistic="Sum"),
            threshold=10,
            description="DynamoDB user errors (HTTP 400) in this account and region.",
        )
        # Counter records past their retries: the campaign counters are now off until redriven.
        self._alarm(
            "CounterDeadLetters",
            ingest.counter_dlq.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            threshold=1,
            description="Stream records the counter function gave up on (summary counts are off).",
        )
        self._alarm(
            "CounterIteratorAge",
            ingest.counter_function.metric("IteratorAge", period=PERIOD, statistic="Maximum"),
            threshold=cdk.Duration.minutes(10).to_milliseconds(),
            description="The counters lag the table's stream by more than 10 minutes.",
        )
        machine = reports.state_machine
        self._alarm("ReportsFailed", machine.metric_failed(period=PERIOD, statistic="Sum"), threshold=1,
                    description="Report executions failed (the report is marked FAILED).")
        self._alarm("ReportsTimedOut", machine.metric_timed_out(period=PERIOD, statistic="Sum"), threshold=1,
                    description="Report executions timed out (1 h).")

        self.dashboard = self._dashboard(ingest, api, reports, storage, code)

    def _alarm(self, name: str, metric: cloudwatch.IMetric, *, threshold: float, description: str) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            self,
            name,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._action)
        self.alarms[name] = alarm
        return alarm

    def _dashboard(self, ingest, api, reports, storage, code) -> cloudwatch.Dashboard:
        stage, webhook = ingest.stage, ingest.webhook_function
        dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=cdk.Duration.hours(3))
        dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms.values()), width=24, height=4)
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Statuses applied",
                left=[service_metric("StatusesApplied").with_(period=cdk.Duration.minutes(1))],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Webhook latency (ms)",
                left=[
                    stage.metric_latency(period=cdk.Duration.minutes(1), statistic="p50", label="API p50"),
                    stage.metric_latency(period=cdk.Duration.minutes(1), statistic="p99", label="API p99"),
                    webhook.metric_duration(period=cdk.Duration.minutes(1), statistic="p99", label="function p99"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Quarantine and rejected signatures",
                left=[
                    service_metric("WebhooksQuarantined").with_(period=cdk.Duration.minutes(1)),
                    service_metric("SignatureRejected").with_(period=cdk.Duration.minutes(1)),
                ],
                width=8,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Reports: request to file (s), rows, failures",
                left=[
                    service_metric("ReportSeconds", "Average").with_(label="average"),
                    service_metric("ReportSeconds", "Maximum").with_(label="maximum"),
                ],
                right=[
                    service_metric("ReportRows").with_(label="rows"),
                    service_metric("ReportsFailed").with_(label="failed"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="HTTP API requests and errors",
                left=[stage.metric_count(period=cdk.Duration.minutes(1), statistic="Sum", label="requests")],
                right=[
                    stage.metric_client_error(period=cdk.Duration.minutes(1), statistic="Sum", label="4xx"),
                    stage.metric_server_error(period=cdk.Duration.minutes(1), statistic="Sum", label="5xx"),
                ],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="DynamoDB",
                left=[
                    storage.table.metric_consumed_write_capacity_units(period=cdk.Duration.minutes(1), label="WCU"),
                    storage.table.metric_consumed_read_capacity_units(period=cdk.Duration.minutes(1), label="RCU"),
                ],
                right=[self.alarms["TableThrottles"].metric],
                width=8,
            ),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Lambda errors",
                left=[fn.metric_errors(period=PERIOD, statistic="Sum", label=fn.node.id) for fn in code.functions],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Lambda throttles",
                left=[fn.metric_throttles(period=PERIOD, statistic="Sum", label=fn.node.id) for fn in code.functions],
                width=8,
            ),
            cloudwatch.GraphWidget(
                title="Counters: stream lag (ms) and dead letters",
                left=[ingest.counter_function.metric("IteratorAge", period=cdk.Duration.minutes(1), statistic="Maximum")],
                right=[ingest.counter_dlq.metric_approximate_number_of_messages_visible(period=PERIOD)],
                width=8,
            ),
        )
        return dashboard
