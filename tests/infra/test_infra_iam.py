"""Least privilege: named actions only, scoped resources, no AWS managed policies."""

from __future__ import annotations

import json

import pytest

# Actions AWS offers no resource-level permission for: the only ones allowed on Resource "*".
NO_RESOURCE_LEVEL = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
}


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def identity_statements(synth) -> list[dict]:
    """Every Allow statement of the stack's IAM policies and roles' inline policies."""
    statements = []
    for policy in synth.of_type("AWS::IAM::Policy").values():
        statements += policy["Properties"]["PolicyDocument"]["Statement"]
    for role in synth.of_type("AWS::IAM::Role").values():
        for inline in role["Properties"].get("Policies", []):
            statements += inline["PolicyDocument"]["Statement"]
    return [s for s in statements if s["Effect"] == "Allow"]


def test_no_wildcard_actions(dev):
    statements = identity_statements(dev)
    assert len(statements) > 20
    for statement in statements:
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"wildcard action {action!r}"


def test_resource_star_only_where_aws_has_no_resource_level_permission(dev):
    for statement in identity_statements(dev):
        if "*" in as_list(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= NO_RESOURCE_LEVEL, statement


def test_no_aws_managed_policies(dev):
    roles = dev.of_type("AWS::IAM::Role")
    assert len(roles) == len(dev.of_type("AWS::Lambda::Function")) + 1  # one per function, the state machine
    for logical_id, role in roles.items():
        assert not role["Properties"].get("ManagedPolicyArns"), logical_id


def grants(synth, source: str) -> dict[str, set[str]]:
    """action -> resources (as JSON) granted to one function's role."""
    _, fn = synth.function_by_source(source)
    role_id = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    granted: dict[str, set[str]] = {}
    for statement in synth.policy_statements_of_role(role_id):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted.setdefault(action, set()).update(json.dumps(r, sort_keys=True) for r in as_list(statement["Resource"]))
    return granted


def actions_on(granted: dict[str, set[str]], service: str) -> set[str]:
    return {a for a in granted if a.startswith(service + ":")}


def table_arn(synth) -> str:
    (table_id,) = synth.of_type("AWS::DynamoDB::GlobalTable")
    return json.dumps({"Fn::GetAtt": [table_id, "Arn"]}, sort_keys=True)


def objects_under(synth, prefix: str) -> str:
    (bucket_id,) = [k for k in synth.of_type("AWS::S3::Bucket") if "Reports" in k]
    return json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, f"/{prefix}*"]]}, sort_keys=True)


EXPECTED = {
    "functions/webhook": {
        "dynamodb": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        "s3": {"s3:PutObject"},
        "secretsmanager": {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
    },
    "functions/api": {
        "dynamodb": {
            "dynamodb:GetItem",
            "dynamodb:BatchGetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
        },
        "s3": {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
        "states": {"states:StartExecution"},
    },
    "functions/counter": {
        "dynamodb": {
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:ListStreams",
        },
        "s3": set(),
        "sqs": {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"},
    },
    "functions/report_plan": {
        "dynamodb": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem"},
        "s3": set(),
    },
    "functions/report_slice": {"dynamodb": {"dynamodb:Query", "dynamodb:UpdateItem"}, "s3": {"s3:PutObject", "s3:AbortMultipartUpload"}},
    "functions/report_assemble": {
        "dynamodb": {"dynamodb:UpdateItem"},
        "s3": {"s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"},
    },
    "functions/report_fail": {"dynamodb": {"dynamodb:UpdateItem"}, "s3": {"s3:ListBucket", "s3:DeleteObject"}},
}


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_each_function_gets_exactly_its_actions(dev, source):
    granted = grants(dev, source)
    for service, expected in EXPECTED[source].items():
        assert actions_on(granted, service) == expected, (source, service)
    # Nothing beyond the services it needs, logs to its own group, and X-Ray.
    services = {a.split(":")[0] for a in granted}
    assert services <= set(EXPECTED[source]) | {"logs", "xray"}, services


def test_webhook_writes_only_quarantine_objects_and_table_items(dev):
    granted = grants(dev, "functions/webhook")
    assert granted["s3:PutObject"] == {objects_under(dev, "quarantine/")}
    for action in actions_on(granted, "dynamodb"):
        assert granted[action] == {table_arn(dev)}, action  # the table, not its indexes


def test_api_queries_only_the_problems_index_and_reads_reports_and_quarantine(dev):
    granted = grants(dev, "functions/api")
    (table_id,) = dev.of_type("AWS::DynamoDB::GlobalTable")
    index = json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [table_id, "Arn"]}, "/index/problems"]]}, sort_keys=True)
    assert granted["dynamodb:Query"] == {table_arn(dev), index}
    assert granted["s3:GetObject"] == {objects_under(dev, "reports/"), objects_under(dev, "quarantine/")}
    assert granted["s3:DeleteObject"] == {objects_under(dev, "quarantine/")}
    assert granted["s3:PutObject"] == {objects_under(dev, "quarantine/")}
    (machine_id,) = dev.of_type("AWS::StepFunctions::StateMachine")
    assert granted["states:StartExecution"] == {json.dumps({"Ref": machine_id})}


def test_report_steps_touch_only_their_prefixes(dev):
    parts, reports = objects_under(dev, "report-parts/"), objects_under(dev, "reports/")
    slice_ = grants(dev, "functions/report_slice")
    assert slice_["s3:PutObject"] == slice_["s3:AbortMultipartUpload"] == {parts}
    assemble = grants(dev, "functions/report_assemble")
    assert assemble["s3:GetObject"] == assemble["s3:DeleteObject"] == {parts}
    assert assemble["s3:PutObject"] == assemble["s3:AbortMultipartUpload"] == {reports}
    fail = grants(dev, "functions/report_fail")
    assert fail["s3:DeleteObject"] == {parts}


def test_listing_is_limited_to_the_parts_prefix(dev):
    _, fn = dev.function_by_source("functions/report_fail")
    role_id = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    (listing,) = [s for s in dev.policy_statements_of_role(role_id) if "s3:ListBucket" in as_list(s["Action"])]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["report-parts/*"]}}
    (bucket_id,) = [k for k in dev.of_type("AWS::S3::Bucket") if "Reports" in k]
    assert listing["Resource"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    for source in EXPECTED:
        if source != "functions/report_fail":
            assert "s3:ListBucket" not in grants(dev, source), source


def test_function_logs_go_only_to_their_own_group(dev):
    for source in EXPECTED:
        _, fn = dev.function_by_source(source)
        granted = grants(dev, source)
        group = fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert actions_on(granted, "logs") == {"logs:CreateLogStream", "logs:PutLogEvents"}
        assert granted["logs:PutLogEvents"] == {json.dumps({"Fn::GetAtt": [group, "Arn"]}, sort_keys=True)}
