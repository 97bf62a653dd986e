"""The Meta app secret and verify token: Secrets Manager secrets, handed to functions by name only."""

from __future__ import annotations

import json
import re

SECRET_ENV = {"APP_SECRET_NAME", "VERIFY_TOKEN_NAME"}
# Environment keys that would carry a secret's value (the local-only settings names included).
VALUE_KEYS = re.compile(r"(SECRET|TOKEN|PASSWORD|KEY)(?!_NAME$)", re.IGNORECASE)


def secrets(synth) -> dict[str, dict]:
    found = synth.of_type("AWS::SecretsManager::Secret")
    assert len(found) == 2
    return found


def test_secret_values_never_in_the_template(dev):
    for logical_id, secret in secrets(dev).items():
        props = secret["Properties"]
        assert "SecretString" not in props, logical_id
        assert props["GenerateSecretString"] == {}  # CloudFormation makes a placeholder; the operator sets the value
    text = json.dumps(dev.doc)
    for local_default in ("local-app-secret", "local-verify-token"):
        assert local_default not in text


def test_webhook_gets_the_secrets_names_and_may_read_only_them(dev):
    _, webhook = dev.function_by_source("functions/webhook")
    env = webhook["Properties"]["Environment"]["Variables"]
    names = {s["Properties"]["Name"] for s in secrets(dev).values()}
    assert {env[k] for k in SECRET_ENV} == names
    role_id = webhook["Properties"]["Role"]["Fn::GetAtt"][0]
    read = [s for s in dev.policy_statements_of_role(role_id) if "secretsmanager:GetSecretValue" in s["Action"]]
    assert sorted(json.dumps(s["Resource"]) for s in read) == sorted(json.dumps({"Ref": k}) for k in secrets(dev))


def test_no_function_environment_carries_a_secret_value(dev):
    for logical_id, fn in dev.of_type("AWS::Lambda::Function").items():
        env = fn["Properties"].get("Environment", {}).get("Variables", {})
        suspicious = [k for k in env if VALUE_KEYS.search(k)]
        assert not suspicious, (logical_id, suspicious)
        if set(env) & SECRET_ENV:
            assert fn["Metadata"]["campaign-status:source"] == "functions/webhook"
