"""One synthesized stack for the whole infra suite (a synth takes ~10 s): asset bundling is
skipped (context `aws:cdk:bundling-stacks: []`), so no Docker and no pip download."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

NO_BUNDLING = {"aws:cdk:bundling-stacks": []}


@dataclass
class Synthesized:
    app: object
    stack: object
    template: object  # aws_cdk.assertions.Template
    doc: dict  # the CloudFormation template as JSON

    @property
    def resources(self) -> dict[str, dict]:
        return self.doc["Resources"]

    def of_type(self, kind: str) -> dict[str, dict]:
        return {k: v for k, v in self.resources.items() if v["Type"] == kind}

    def function_by_source(self, source: str) -> tuple[str, dict]:
        (found,) = [
            (k, v)
            for k, v in self.of_type("AWS::Lambda::Function").items()
            if v.get("Metadata", {}).get("campaign-status:source") == source
        ]
        return found

    def policy_statements_of_role(self, role_logical_id: str) -> list[dict]:
        statements = []
        for policy in self.of_type("AWS::IAM::Policy").values():
            if {"Ref": role_logical_id} in policy["Properties"]["Roles"]:
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements


def synthesize(stage: str) -> Synthesized:
    from aws_cdk.assertions import Template

    from infra.app import build_app

    app = build_app(context={**NO_BUNDLING, "stage": stage})
    stack = app.node.find_child(f"CampaignDelivery-{stage}")
    template = Template.from_stack(stack)
    return Synthesized(app=app, stack=stack, template=template, doc=template.to_json())


@pytest.fixture(scope="session")
def dev() -> Synthesized:
    return synthesize("dev")


@pytest.fixture(scope="session")
def prod() -> Synthesized:
    return synthesize("prod")


@pytest.fixture(scope="session")
def dev_template_file(dev, tmp_path_factory):
    path = tmp_path_factory.mktemp("cdk") / "CampaignDelivery-dev.template.json"
    path.write_text(json.dumps(dev.doc, indent=1))
    return path
