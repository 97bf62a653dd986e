"""Query API: every route but the webhook, behind IAM (SigV4), served by one function."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk.aws_apigatewayv2_authorizers import HttpIamAuthorizer
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct

from infra.constructs.storage import QUARANTINE_PREFIX, REPORTS_PREFIX


class QueryApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, storage, code, reports, http_api: apigw.HttpApi):
        super().__init__(scope, construct_id)
        self.function = code.function(
            self,
            "ApiFunction",
            source="functions/api",
            # Recording 1,000 recipients validates and writes them in parallel threads: 1 GB buys the CPU.
            memory_mb=1024,
            # Inside the HTTP API's 30 s integration timeout.
            timeout=cdk.Duration.seconds(28),
            environment={"STATE_MACHINE_ARN": reports.state_machine.state_machine_arn},
        )
        storage.grant_items(
            self.function,
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        )
        # Status lists read rows by shard (table) and failed/not-attempted rows from the sparse index.
        storage.grant_query(self.function, problems_index=True)
        # Presigned report downloads are signed with this role: it must be able to GetObject them.
        storage.grant_objects(self.function, REPORTS_PREFIX, "s3:GetObject")
        # Redrive reads a quarantined body, deletes it once applied; keep() re-writes it on failure.
        storage.grant_objects(
            self.function, QUARANTINE_PREFIX, "s3:GetObject", "s3:PutObject", "s3:DeleteObject"
        )
        reports.state_machine.grant_start_execution(self.function)
        # Everything except the webhook routes (more specific, registered by Ingest) needs SigV4.
        self.route, = http_api.add_routes(
            path="/{proxy+}",
            methods=[apigw.HttpMethod.ANY],
            integration=HttpLambdaIntegration("ApiIntegration", self.function),
            authorizer=HttpIamAuthorizer(),
        )
