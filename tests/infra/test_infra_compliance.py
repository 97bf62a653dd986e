"""cdk-nag (AwsSolutions) and cfn-lint over the synthesized stack.

cdk-nag 3 runs as a CDK policy-validation plugin; `validate_scope` runs it on the construct
tree directly. Suppressions are `Validations.of(...).acknowledge(...)` (cdk-nag 3 removed
`NagSuppressions`), all made through `infra.constructs.nag.acknowledge` with a reason.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from infra.constructs import nag


def findings(app, stack) -> list[str]:
    report = AwsSolutionsChecks(app).validate_scope(stack)
    found = [
        f"{v.severity} {v.rule_name} at {r.construct_path}" for v in report.violations for r in v.violating_resources
    ]
    assert report.success == (not found)
    return found


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_cdk_nag_finds_nothing_unacknowledged(request, stage):
    synth = request.getfixturevalue(stage)
    assert findings(synth.app, synth.stack) == []


def test_cdk_nag_does_report_what_is_not_acknowledged():
    """The check above can fail: an unacknowledged finding is reported."""
    app = cdk.App()
    stack = cdk.Stack(app, "Probe")
    s3.Bucket(stack, "Bare")
    assert any("AwsSolutions-S1" in f for f in findings(app, stack))


def test_every_acknowledgement_has_a_written_reason(dev):
    made = [a for a in nag.ACKNOWLEDGED if a[0].startswith("CampaignDelivery-dev/")]
    assert made, "no acknowledgement recorded"
    for path, finding, reason in made:
        assert finding.startswith("AwsSolutions-"), finding
        assert len(reason.split()) >= 8, (path, finding, reason)
    # Only the expected kinds of finding are acknowledged at all.
    kinds = {finding.split("[")[0] for _, finding, _ in made}
    assert kinds <= {"AwsSolutions-IAM5", "AwsSolutions-L1", "AwsSolutions-S1", "AwsSolutions-SMG4",
                     "AwsSolutions-SQS3", "AwsSolutions-APIG4"}, kinds


def test_acknowledge_refuses_an_empty_reason(dev):
    with pytest.raises(ValueError):
        nag.acknowledge(dev.stack, "AwsSolutions-S1", "because")


def cfn_lint_errors(doc: dict) -> list[str]:
    from cfnlint.api import lint

    return [f"{m.rule.id} {m.message}" for m in lint(json.dumps(doc), regions=["us-east-1"]) if m.rule.id.startswith("E")]


def test_cfn_lint_reports_no_errors(dev, prod):
    assert cfn_lint_errors(dev.doc) == []
    assert cfn_lint_errors(prod.doc) == []


def test_cfn_lint_does_report_errors():
    """The check above can fail: a broken function definition is reported."""
    broken = {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python2.1", "Handler": "h.x"}}
        }
    }
    assert cfn_lint_errors(broken)
