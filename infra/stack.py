"""The stack only composes the capabilities; each lives in its own construct."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from infra.constructs.functions import SharedCode
from infra.constructs.ingest import Ingest
from infra.constructs.monitoring import Monitoring
from infra.constructs.query_api import QueryApi
from infra.constructs.reports import Reports
from infra.constructs.storage import Storage


class CampaignDeliveryStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        settings = self.node.try_get_context("stages") or {}
        stage_settings = settings.get(stage, {})
        storage = Storage(
            self,
            "Storage",
            stage=stage,
            retention_days=int(stage_settings.get("retention_days", 180)),
            report_expiry_days=int(stage_settings.get("report_expiry_days", 7)),
        )
        code = SharedCode(self, "Code", storage=storage)
        reports = Reports(self, "Reports", storage=storage, code=code)
        ingest = Ingest(self, "Ingest", storage=storage, code=code)
        api = QueryApi(self, "Api", storage=storage, code=code, reports=reports, http_api=ingest.http_api)
        Monitoring(self, "Monitoring", ingest=ingest, api=api, reports=reports, storage=storage)
        cdk.CfnOutput(self, "ApiUrl", value=ingest.http_api.api_endpoint)
        cdk.CfnOutput(self, "WebhookUrl", value=f"{ingest.http_api.api_endpoint}/webhooks/whatsapp")
        cdk.CfnOutput(self, "AppSecretName", value=ingest.app_secret.secret_name)
        cdk.CfnOutput(self, "VerifyTokenName", value=ingest.verify_token.secret_name)
