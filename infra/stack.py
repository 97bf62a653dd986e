"""The stack only composes the capabilities; each lives in its own construct."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.functions import SharedCode
from infra.constructs.ingest import Ingest
from infra.constructs.monitoring import Monitoring
from infra.constructs.query_api import QueryApi
from infra.constructs.reports import Reports
from infra.constructs.storage import Storage

STAGES = ("dev", "prod")


class CampaignDeliveryStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, **kwargs) -> None:
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}: use one of {', '.join(STAGES)} (context `stage`)")
        super().__init__(scope, construct_id, description=f"Campaign delivery status ({stage})", **kwargs)
        stage_settings = (self.node.try_get_context("stages") or {}).get(stage, {})
        storage = Storage(
            self,
            "Storage",
            stage=stage,
            retention_days=int(stage_settings.get("retention_days", 180)),
            report_expiry_days=int(stage_settings.get("report_expiry_days", 7)),
            access_log_days=int(stage_settings.get("access_log_days", 90)),
        )
        log_retention = logs.RetentionDays[stage_settings.get("log_retention", "ONE_MONTH")]
        code = SharedCode(self, "Code", storage=storage, log_retention=log_retention)
        reports = Reports(self, "Reports", storage=storage, code=code)
        ingest = Ingest(self, "Ingest", stage=stage, storage=storage, code=code)
        api = QueryApi(self, "Api", storage=storage, code=code, reports=reports, http_api=ingest.http_api)
        self.monitoring = Monitoring(self, "Monitoring", ingest=ingest, api=api, reports=reports, storage=storage, code=code)
        cdk.Tags.of(self).add("project", "campaign-delivery-status")
        cdk.Tags.of(self).add("stage", stage)
        cdk.CfnOutput(self, "ApiUrl", value=ingest.http_api.api_endpoint)
        cdk.CfnOutput(self, "WebhookUrl", value=f"{ingest.http_api.api_endpoint}/webhooks/whatsapp")
        cdk.CfnOutput(self, "AppSecretName", value=ingest.app_secret_name)
        cdk.CfnOutput(self, "VerifyTokenName", value=ingest.verify_token_name)
        cdk.CfnOutput(self, "AlarmTopicArn", value=self.monitoring.topic.topic_arn)
