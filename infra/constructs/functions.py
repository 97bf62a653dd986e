"""Lambda code: the shared-code layer, the dependencies layer, and one factory for every function."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import jsii
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs.nag import acknowledge

ROOT = Path(__file__).resolve().parents[2]
# Read by the embedded runtime to run a function's handler in-process.
SOURCE_METADATA = "campaign-status:source"


@jsii.implements(cdk.ILocalBundling)
class PipForArm64:
    """Builds the dependencies layer with pip for Lambda's arm64 Python, without Docker."""

    def __init__(self, requirements: Path):
        self._requirements = requirements

    def try_bundle(self, output_dir: str, *, image=None, **_ignored) -> bool:
        target = Path(output_dir) / "python"
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "-r", str(self._requirements), "--target", str(target),
             "--platform", "manylinux2014_aarch64", "--implementation", "cp", "--python-version", "3.13",
             "--only-binary=:all:"],
            check=True,
        )
        # The Lambda runtime brings its own boto3/botocore; a second, different botocore
        # pulled in by aws-xray-sdk would shadow the runtime's and mismatch its boto3.
        for pattern in ("boto3*", "botocore*", "s3transfer*"):
            for path in target.glob(pattern):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        return True


class SharedCode(Construct):
    """The two layers, and `function()`: every project Lambda is built the same way."""

    def __init__(self, scope: Construct, construct_id: str, *, storage, log_retention: logs.RetentionDays):
        super().__init__(scope, construct_id)
        self.storage = storage
        self.log_retention = log_retention
        self.functions: list[lambda_.Function] = []
        self.shared_layer = lambda_.LayerVersion(
            self,
            "SharedLayer",
            code=lambda_.Code.from_asset(str(ROOT / "layers" / "shared"), exclude=["**/__pycache__", "*.egg-info"]),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="campaign_status: models, rules, data access, error catalog",
        )
        requirements = ROOT / "layers" / "dependencies" / "requirements.txt"
        self.dependencies_layer = lambda_.LayerVersion(
            self,
            "DependenciesLayer",
            code=lambda_.Code.from_asset(
                str(requirements.parent),
                bundling=cdk.BundlingOptions(
                    image=lambda_.Runtime.PYTHON_3_13.bundling_image, local=PipForArm64(requirements)
                ),
            ),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_13],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Powertools, pydantic, tzdata for arm64",
        )

    def function(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source: str,
        memory_mb: int,
        timeout: cdk.Duration,
        environment: dict[str, str] | None = None,
    ) -> lambda_.Function:
        """A python3.13 arm64 function with X-Ray, its own log group (with retention) and its own role.

        The role starts empty except for writing to that one log group (no AWSLambdaBasicExecutionRole,
        whose logs grant covers every log group); each construct then grants what its function uses.
        """
        log_group = logs.LogGroup(
            scope, f"{construct_id}Logs", retention=self.log_retention, removal_policy=self.storage.removal_policy
        )
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{source}: least privilege, granted per capability",
        )
        log_group.grant_write(role)
        fn = lambda_.Function(
            scope,
            construct_id,
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler="handler.lambda_handler",
            code=lambda_.Code.from_asset(str(ROOT / source), exclude=["__pycache__"]),
            layers=[self.dependencies_layer, self.shared_layer],
            memory_size=memory_mb,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=log_group,
            role=role,
            environment={
                "TABLE_NAME": self.storage.table.table_name,
                "BUCKET_NAME": self.storage.bucket.bucket_name,
                "RETENTION_DAYS": str(self.storage.retention_days),
                "POWERTOOLS_SERVICE_NAME": "campaign-delivery-status",
                "POWERTOOLS_METRICS_NAMESPACE": "CampaignDeliveryStatus",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **(environment or {}),
            },
        )
        fn.node.default_child.add_metadata(SOURCE_METADATA, source)
        acknowledge(
            fn,
            "AwsSolutions-L1",
            "Pinned to python3.13: the dependencies layer is built for cp313 arm64 wheels and the code is "
            "tested on 3.13; move runtime and layer together, deliberately.",
        )
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no "
            "resource-level permissions, so their resource must be '*'.",
        )
        self.functions.append(fn)
        return fn
