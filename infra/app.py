"""CDK app: `python -m infra.app` (or `cdk synth`) synthesizes one stack per stage."""

from __future__ import annotations

import os

import aws_cdk as cdk

from infra.stack import CampaignDeliveryStack


def build_app(outdir: str | None = None, context: dict | None = None) -> cdk.App:
    app = cdk.App(outdir=outdir, context=context)
    stage = app.node.try_get_context("stage") or "dev"
    CampaignDeliveryStack(
        app,
        f"CampaignDelivery-{stage}",
        stage=stage,
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    return app


if __name__ == "__main__":
    build_app().synth()
