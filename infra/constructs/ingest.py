"""Ingest: the public webhook routes, their function, the secrets, and the stream-fed counters."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct


class Ingest(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, storage, code):
        super().__init__(scope, construct_id)
        # Values are set by the operator after deploy (README); never in the template.
        self.app_secret = secretsmanager.Secret(self, "MetaAppSecret", description="Meta app secret (webhook signatures)")
        self.verify_token = secretsmanager.Secret(self, "MetaVerifyToken", description="Meta webhook verify token")
        self.webhook_function = code.function(
            self,
            "WebhookFunction",
            source="functions/webhook",
            # A 1,000-status POST is ~3 MB and 1,000 conditional writes in 16 threads.
            memory_mb=1024,
            timeout=cdk.Duration.seconds(28),
            environment={
                "APP_SECRET_NAME": self.app_secret.secret_name,
                "VERIFY_TOKEN_NAME": self.verify_token.secret_name,
            },
        )
        self.app_secret.grant_read(self.webhook_function)
        self.verify_token.grant_read(self.webhook_function)
        storage.table.grant(
            self.webhook_function, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"
        )
        storage.bucket.grant_put(self.webhook_function, "quarantine/*")

        self.http_api = apigw.HttpApi(self, "HttpApi", description="Campaign delivery status", create_default_stage=True)
        webhook = HttpLambdaIntegration("WebhookIntegration", self.webhook_function)
        self.http_api.add_routes(
            path="/webhooks/whatsapp", methods=[apigw.HttpMethod.GET, apigw.HttpMethod.POST], integration=webhook
        )

        self.counter_function = code.function(
            self, "CounterFunction", source="functions/counter", memory_mb=512, timeout=cdk.Duration.seconds(60)
        )
        storage.table.grant(self.counter_function, "dynamodb:GetItem", "dynamodb:UpdateItem")
        storage.table.grant_stream_read(self.counter_function)
        self.counter_dlq = sqs.Queue(self, "CounterFailures", enforce_ssl=True, retention_period=cdk.Duration.days(14))
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
