"""Query API: every route but the webhook, behind IAM (SigV4), served by one function."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk.aws_apigatewayv2_authorizers import HttpIamAuthorizer
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct


class QueryApi(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, storage, code, reports, http_api: apigw.HttpApi):
        super().__init__(scope, construct_id)
        self.function = code.function(
            self,
            "ApiFunction",
            source="functions/api",
            memory_mb=1024,
            timeout=cdk.Duration.seconds(28),
            environment={"STATE_MACHINE_ARN": reports.state_machine.state_machine_arn},
        )
        storage.table.grant(
            self.function,
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
        )
        storage.bucket.grant_read(self.function, "reports/*")
        storage.bucket.grant_read(self.function, "quarantine/*")
        storage.bucket.grant_delete(self.function, "quarantine/*")
        storage.bucket.grant_put(self.function, "quarantine/*")
        reports.state_machine.grant_start_execution(self.function)
        # Everything except the webhook routes (more specific, registered by Ingest) needs SigV4.
        http_api.add_routes(
            path="/{proxy+}",
            methods=[apigw.HttpMethod.ANY],
            integration=HttpLambdaIntegration("ApiIntegration", self.function),
            authorizer=HttpIamAuthorizer(),
        )
