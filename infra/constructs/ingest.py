"""Ingest: the public webhook routes, their function, the secrets, the HTTP API's default stage
(throttling, access logs) and the stream-fed counters.

Payload limits along the webhook path (why one POST from Meta always fits):
- Meta batches up to 1,000 status updates, about 3 MB, in one POST.
- HTTP API accepts request bodies up to 10 MB; its Lambda proxy integration answers within 30 s.
- Lambda takes a synchronous event of at most 6 MB: a 3 MB body, base64-encoded by API Gateway
  when it is not text, is ~4 MB plus headers, still under the limit.
- The webhook function times out at 28 s, inside the integration's 30 s, so a slow batch still
  ends in its own answer (quarantine + 200) rather than in API Gateway's 503.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct

from infra.constructs.nag import acknowledge
from infra.constructs.storage import QUARANTINE_PREFIX

SECRET_PREFIX = "campaign-delivery-status"

# A business number sends up to 1,000 messages/s, i.e. up to ~3,000 status webhooks/s (sent,
# delivered, read). The steady rate leaves a third on top for retries and the query API; the
# burst is the regional account default (5,000), above which a stage setting has no effect.
# A throttled webhook gets 429 and Meta retries it (for up to 7 days): nothing is lost.
STAGE_RATE_LIMIT = 4000
STAGE_BURST_LIMIT = 5000

# One JSON line per request. No bodies, no headers, no query strings: nothing that names a person.
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "requestTime": "$context.requestTime",
        "ip": "$context.identity.sourceIp",
        "caller": "$context.identity.userArn",
        "httpMethod": "$context.httpMethod",
        "routeKey": "$context.routeKey",
        "path": "$context.path",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "responseLatency": "$context.responseLatency",
        "integrationLatency": "$context.integrationLatency",
        "integrationStatus": "$context.integrationStatus",
        "integrationError": "$context.integrationErrorMessage",
        "error": "$context.error.message",
    },
    separators=(",", ":"),
)


class Ingest(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, storage, code):
        super().__init__(scope, construct_id)
        # Values are set by the operator after deploy (README); never in the template (CloudFormation
        # generates a random placeholder). Functions get only the secrets' names and read the values
        # at run time (cached). Fixed names, so the runbook can name them.
        self.app_secret_name = f"{SECRET_PREFIX}/{stage}/meta-app-secret"
        self.verify_token_name = f"{SECRET_PREFIX}/{stage}/meta-verify-token"
        self.app_secret = secretsmanager.Secret(
            self,
            "MetaAppSecret",
            secret_name=self.app_secret_name,
            description="Meta app secret (webhook signatures)",
            removal_policy=storage.removal_policy,
        )
        self.verify_token = secretsmanager.Secret(
            self,
            "MetaVerifyToken",
            secret_name=self.verify_token_name,
            description="Meta webhook verify token",
            removal_policy=storage.removal_policy,
        )
        for secret in (self.app_secret, self.verify_token):
            acknowledge(
                secret,
                "AwsSolutions-SMG4",
                "Issued in (app secret) or typed into (verify token) Meta's app dashboard: no API can "
                "rotate them on Meta's side, so a rotation Lambda would only break signatures. The "
                "operator rotates them by hand: new value in Meta's dashboard, then put-secret-value here.",
            )

        self.webhook_function = code.function(
            self,
            "WebhookFunction",
            source="functions/webhook",
            # A 1,000-status POST is ~3 MB and 1,000 conditional writes in 16 threads: 1 GB buys the CPU.
            memory_mb=1024,
            # Inside the HTTP API's 30 s integration timeout (see the module docstring).
            timeout=cdk.Duration.seconds(28),
            # The names as written, not `secret.secret_name` (a token parsed out of the ARN).
            environment={"APP_SECRET_NAME": self.app_secret_name, "VERIFY_TOKEN_NAME": self.verify_token_name},
        )
        self.app_secret.grant_read(self.webhook_function)
        self.verify_token.grant_read(self.webhook_function)
        storage.grant_items(
            self.webhook_function, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"
        )
        storage.grant_objects(self.webhook_function, QUARANTINE_PREFIX, "s3:PutObject")

        self.http_api = apigw.HttpApi(self, "HttpApi", description="Campaign delivery status", create_default_stage=True)
        self.stage: apigw.HttpStage = self.http_api.default_stage
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=code.log_retention, removal_policy=storage.removal_policy
        )
        # Escape hatch: the L2 HttpApi takes neither throttling nor access logs for its default stage.
        cfn_stage: apigw.CfnStage = self.stage.node.default_child
        cfn_stage.default_route_settings = apigw.CfnStage.RouteSettingsProperty(
            throttling_rate_limit=STAGE_RATE_LIMIT, throttling_burst_limit=STAGE_BURST_LIMIT
        )
        cfn_stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=self.access_logs.log_group_arn, format=ACCESS_LOG_FORMAT
        )

        webhook = HttpLambdaIntegration("WebhookIntegration", self.webhook_function)
        routes = self.http_api.add_routes(
            path="/webhooks/whatsapp", methods=[apigw.HttpMethod.GET, apigw.HttpMethod.POST], integration=webhook
        )
        for route in routes:
            acknowledge(
                route,
                "AwsSolutions-APIG4",
                "Meta cannot sign with SigV4: the webhook authenticates each POST by its X-Hub-Signature-256 "
                "HMAC (app secret) and the GET handshake by the verify token, both checked in the function.",
            )

        self.counter_function = code.function(
            self,
            "CounterFunction",
            source="functions/counter",
            # A 1,000-record stream batch is a few hundred counter updates; little memory, modest CPU.
            memory_mb=512,
            # Far above one batch's work; a stuck batch is retried (bisected) rather than waited on.
            timeout=cdk.Duration.seconds(60),
        )
        storage.grant_items(self.counter_function, "dynamodb:GetItem", "dynamodb:UpdateItem")
        # Records whose retries ran out land here (the stream keeps only 24 h): alarmed in Monitoring.
        self.counter_dlq = sqs.Queue(
            self,
            "CounterFailures",
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            retention_period=cdk.Duration.days(14),
        )
        acknowledge(
            self.counter_dlq,
            "AwsSolutions-SQS3",
            "This queue is itself the dead-letter destination (on-failure) of the counter's stream event "
            "source mapping; nothing consumes it automatically, an operator redrives it.",
        )
        self.counter_function.add_event_source(
            sources.DynamoEventSource(
                storage.table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=1000,
                max_batching_window=cdk.Duration.seconds(1),
                # One batch at a time per shard keeps a counter's sequence numbers in order.
                parallelization_factor=1,
                retry_attempts=10000,
                bisect_batch_on_error=True,
                on_failure=sources.SqsDlq(self.counter_dlq),
                filters=[
                    lambda_.FilterCriteria.filter({"dynamodb": {"NewImage": {"kind": {"S": ["row"]}}}}),
                    lambda_.FilterCriteria.filter({"dynamodb": {"OldImage": {"kind": {"S": ["row"]}}}}),
                ],
            )
        )

        # Quarantine heals by itself: a body kept because of a passing store failure is applied
        # again on the next run; one that still fails stays listed with its reason.
        self.redrive_function = code.function(
            self,
            "QuarantineRedriveFunction",
            source="functions/quarantine_redrive",
            # Up to 100 bodies of up to ~3 MB each, applied one after another like the webhook does.
            memory_mb=1024,
            # 100 webhook-sized applies at most; well inside Lambda's 15 minutes.
            timeout=cdk.Duration.minutes(10),
        )
        storage.grant_items(
            self.redrive_function,
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        )
        storage.grant_query(self.redrive_function, problems_index=False)
        storage.grant_objects(self.redrive_function, QUARANTINE_PREFIX, "s3:GetObject", "s3:DeleteObject")
        events.Rule(
            self,
            "QuarantineRedriveSchedule",
            schedule=events.Schedule.rate(cdk.Duration.minutes(15)),
            targets=[targets.LambdaFunction(self.redrive_function, retry_attempts=0)],
        )
