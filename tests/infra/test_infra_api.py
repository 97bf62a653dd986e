"""HTTP API: routes and their auth, default-stage throttling and access logs."""

from __future__ import annotations

import json

WEBHOOK_ROUTES = {"GET /webhooks/whatsapp", "POST /webhooks/whatsapp"}


def routes(synth) -> dict[str, dict]:
    return {r["Properties"]["RouteKey"]: r["Properties"] for r in synth.of_type("AWS::ApiGatewayV2::Route").values()}


def test_iam_auth_everywhere_but_the_two_webhook_routes(dev):
    found = routes(dev)
    assert set(found) == WEBHOOK_ROUTES | {"ANY /{proxy+}"}
    assert found["ANY /{proxy+}"]["AuthorizationType"] == "AWS_IAM"
    unauthenticated = {key for key, props in found.items() if props.get("AuthorizationType", "NONE") == "NONE"}
    assert unauthenticated == WEBHOOK_ROUTES
    (api,) = dev.of_type("AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "HTTP"


def test_routes_keep_the_shape_the_local_runtime_reads(dev):
    """RouteKey + Target `integrations/<Ref>` -> Integration -> IntegrationUri Fn::GetAtt of the function."""
    expected = {
        "GET /webhooks/whatsapp": "functions/webhook",
        "POST /webhooks/whatsapp": "functions/webhook",
        "ANY /{proxy+}": "functions/api",
    }
    for key, props in routes(dev).items():
        prefix, ref = props["Target"]["Fn::Join"][1]
        assert prefix == "integrations/"
        integration = dev.resources[ref["Ref"]]
        assert integration["Type"] == "AWS::ApiGatewayV2::Integration"
        function_id, attribute = integration["Properties"]["IntegrationUri"]["Fn::GetAtt"]
        assert attribute == "Arn"
        assert dev.resources[function_id]["Metadata"]["campaign-status:source"] == expected[key]


def default_stage(synth) -> dict:
    (stage,) = synth.of_type("AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["StageName"] == "$default"
    return stage["Properties"]


def test_default_stage_is_throttled_for_3000_webhooks_per_second(dev):
    throttle = default_stage(dev)["DefaultRouteSettings"]
    assert 3000 <= throttle["ThrottlingRateLimit"] <= 10000  # at least Meta's peak, at most the account quota
    assert throttle["ThrottlingRateLimit"] <= throttle["ThrottlingBurstLimit"] <= 5000


def test_default_stage_writes_json_access_logs_to_a_retained_log_group(dev):
    settings = default_stage(dev)["AccessLogSettings"]
    group_id = settings["DestinationArn"]["Fn::GetAtt"][0]
    group = dev.resources[group_id]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] > 0
    fields = json.loads(settings["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert {"status", "routeKey", "integrationLatency"} <= set(fields)
