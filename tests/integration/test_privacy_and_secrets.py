"""Logs never identify a person; secrets come from Secrets Manager and rotate without a deploy."""

from __future__ import annotations

import base64
import io
import logging
import json
import re

import boto3

from campaign_status import settings as settings_module
from campaign_status import signature
from campaign_status.observability import logger
from campaign_status.signature import signature_for
from tests.conftest import EVENTS, recipients_body
from tests.integration.test_api import CAMPAIGN, replay_sample_campaign
from tests.integration.test_report_job import start, wait_for


def test_logs_of_a_full_run_hold_no_phone_number(gateway):
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(logger.registered_formatter)  # the JSON lines Lambda would ship
    logger.addHandler(handler)
    logger.setLevel("DEBUG")
    try:
        replay_sample_campaign(gateway)
        gateway.handle("POST", "/webhooks/whatsapp", {"X-Hub-Signature-256": "sha256=00"}, b'{"phone": "+919876543210"}')
        assert wait_for(gateway, CAMPAIGN, start(gateway, CAMPAIGN))["status"] == "SUCCEEDED"
    finally:
        logger.setLevel("WARNING")
        logger.removeHandler(handler)
    logs = captured.getvalue()
    assert '"level":"INFO"' in logs  # the run did log
    phones = {r["phone"] for r in recipients_body()["recipients"]}
    # Meta's recipient ids are the same numbers without '+'.
    recipient_ids = set(re.findall(r'"recipient_id"\s*:\s*"(\d+)"', "".join(p.read_text() for p in (EVENTS / "webhooks").glob("*.json"))))
    for value in phones | recipient_ids | {"+919876543210"}:
        if len(value.strip("+")) >= 6:
            assert value.strip("+") not in logs, f"a phone number reached the logs: {value}"


def test_app_secret_is_read_from_secrets_manager_and_rotates(aws, monkeypatch):
    from aws_lambda_powertools.utilities import parameters

    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name="meta-app-secret", SecretString="first-secret")
    monkeypatch.setenv("APP_SECRET_NAME", "meta-app-secret")
    settings_module.settings.cache_clear()
    try:
        assert signature.app_secret() == "first-secret"
        secrets.put_secret_value(SecretId="meta-app-secret", SecretString="rotated-secret")
        assert signature.app_secret() == "first-secret"  # cached for secret_max_age_seconds
        parameters.clear_caches()  # what the cache's expiry does after five minutes
        assert signature.app_secret() == "rotated-secret"
    finally:
        monkeypatch.delenv("APP_SECRET_NAME")
        settings_module.settings.cache_clear()
        parameters.clear_caches()


def test_base64_body_from_api_gateway_is_verified_on_its_decoded_bytes(aws):
    raw = (EVENTS / "webhooks" / "06-inbound-reply-with-statuses-compact.json").read_bytes()
    webhook = aws.function("functions/webhook")
    event = {
        "version": "2.0", "routeKey": "POST /webhooks/whatsapp", "rawPath": "/webhooks/whatsapp", "rawQueryString": "",
        "headers": {"x-hub-signature-256": signature_for(raw, settings_module.settings().app_secret)},
        "requestContext": {"http": {"method": "POST", "path": "/webhooks/whatsapp"}, "stage": "$default"},
        "body": base64.b64encode(raw).decode(), "isBase64Encoded": True,
    }
    assert webhook.invoke(event)["statusCode"] == 200
    event["headers"]["x-hub-signature-256"] = signature_for(base64.b64encode(raw), settings_module.settings().app_secret)
    assert webhook.invoke(event)["statusCode"] == 401
    reserialised = json.dumps(json.loads(raw)).encode()
    assert signature_for(reserialised, "s") != signature_for(raw, "s")  # why we never re-serialise
