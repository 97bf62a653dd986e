"""cdk-nag acknowledgements: every suppression goes through here, each with its reason.

cdk-nag 3 dropped `NagSuppressions` for CDK's own `Validations.of(scope).acknowledge(...)`;
an acknowledgement covers one finding id (e.g. `AwsSolutions-IAM5[Resource::*]`) on the
scope and everything under it. `ACKNOWLEDGED` keeps a record so tests can check that
every reason is written out.
"""

from __future__ import annotations

import aws_cdk as cdk
from constructs import IConstruct

# (construct path, finding id, reason) of every acknowledgement made while building the app.
ACKNOWLEDGED: list[tuple[str, str, str]] = []

BASIC_EXECUTION_ROLE = "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on `scope` (and its children), with a reason a reviewer can check."""
    if len(reason.strip()) < 20:
        raise ValueError(f"cdk-nag acknowledgement of {finding} needs a written reason")
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=finding, reason=reason))
    ACKNOWLEDGED.append((scope.node.path, finding, reason))
