"""CDK app: `python -m infra.app` (or `cdk synth`) synthesizes one stack per stage.

`build_app` starts from cdk.json's context, so `make synth` (no CDK CLI) and `cdk synth`
build the same stack; context given by the caller (or by the CLI's `-c`) wins.
Context `nag=true` also runs cdk-nag's AwsSolutions checks during synth.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import aws_cdk as cdk

from infra.stack import CampaignDeliveryStack

CDK_JSON = Path(__file__).resolve().parents[1] / "cdk.json"


def project_context() -> dict:
    return json.loads(CDK_JSON.read_text()).get("context", {})


def build_app(outdir: str | None = None, context: dict | None = None) -> cdk.App:
    app = cdk.App(outdir=outdir, context={**project_context(), **(context or {})})
    stage = app.node.try_get_context("stage") or "dev"
    CampaignDeliveryStack(
        app,
        f"CampaignDelivery-{stage}",
        stage=stage,
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    if str(app.node.try_get_context("nag")).lower() == "true":
        from cdk_nag import AwsSolutionsChecks

        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app


if __name__ == "__main__":
    build_app().synth()
