"""The synthesized CloudFormation template, read by the embedded runtime.

The embedded run takes its table, routes, functions and state machine from the very
template CDK deploys; only CloudFormation tokens are resolved to local names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STACK = "CampaignDelivery-dev"
SOURCE_METADATA = "campaign-status:source"
ACCOUNT, REGION = "123456789012", "us-east-1"


def synth(outdir: Path = ROOT / "cdk.out") -> Path:
    """Synthesize (no credentials, no Docker, no bundling) unless the template is newer than the infra code."""
    template = outdir / f"{STACK}.template.json"
    sources = [p for p in (ROOT / "infra").rglob("*.py") if "local" not in p.parts] + [ROOT / "cdk.json"]
    if template.exists() and template.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return template
    env = {**os.environ, "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}
    code = (
        "from infra.app import build_app; "
        f"build_app(outdir={str(outdir)!r}, context={{'aws:cdk:bundling-stacks': []}}).synth()"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return template


@dataclass(frozen=True)
class Route:
    method: str  # "GET", "POST" or "ANY"
    path: str  # "/webhooks/whatsapp" or "/{proxy+}"
    function: str  # logical id

    def matches(self, method: str, path: str) -> bool:
        if self.method not in ("ANY", method):
            return False
        if self.path.endswith("/{proxy+}"):
            prefix = self.path[: -len("{proxy+}")]
            return path.startswith(prefix) and len(path) > len(prefix)
        return path == self.path


class Template:
    def __init__(self, path: Path):
        self.doc = json.loads(path.read_text())
        self.resources: dict[str, dict] = self.doc["Resources"]

    def of_type(self, kind: str) -> dict[str, dict]:
        return {k: v for k, v in self.resources.items() if v["Type"] == kind}

    def function_sources(self) -> dict[str, str]:
        """Logical id -> source folder (`functions/...`) of every project function."""
        return {
            k: v["Metadata"][SOURCE_METADATA]
            for k, v in self.of_type("AWS::Lambda::Function").items()
            if SOURCE_METADATA in v.get("Metadata", {})
        }

    def function_logical_id(self, source: str) -> str:
        return next(k for k, s in self.function_sources().items() if s == source)

    def table_properties(self) -> dict:
        tables = self.of_type("AWS::DynamoDB::GlobalTable") or self.of_type("AWS::DynamoDB::Table")
        (props,) = [t["Properties"] for t in tables.values()]
        return props

    def routes(self) -> list[Route]:
        """API routes, most specific first, as API Gateway matches them."""
        routes = []
        for props in (r["Properties"] for r in self.of_type("AWS::ApiGatewayV2::Route").values()):
            method, path = props["RouteKey"].split(" ", 1)
            integration = self.resources[props["Target"]["Fn::Join"][1][1]["Ref"]]["Properties"]
            routes.append(Route(method, path, integration["IntegrationUri"]["Fn::GetAtt"][0]))
        return sorted(routes, key=lambda r: ("{proxy+}" in r.path, r.method == "ANY"))

    def state_machine_definition(self) -> str:
        (machine,) = self.of_type("AWS::StepFunctions::StateMachine").values()
        return self.resolve(machine["Properties"]["DefinitionString"])

    def resolve(self, node) -> str:
        """CloudFormation intrinsic -> local value (functions become local Lambda ARNs)."""
        if isinstance(node, str):
            return node
        if "Fn::Join" in node:
            separator, parts = node["Fn::Join"]
            return separator.join(self.resolve(p) for p in parts)
        if "Ref" in node:
            return {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}.get(node["Ref"], node["Ref"])
        if "Fn::GetAtt" in node:
            logical, attribute = node["Fn::GetAtt"]
            if attribute == "Arn" and self.resources[logical]["Type"] == "AWS::Lambda::Function":
                return local_function_arn(logical)
        raise ValueError(f"cannot resolve {node!r} locally")


def local_function_arn(logical_id: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{logical_id}"
