"""Shared fixtures: one embedded AWS (moto server + the stack's resources) for the session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.local.gateway import LocalGateway
from infra.local.runtime import LocalAws

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"


@pytest.fixture(scope="session")
def local_aws():
    with LocalAws() as aws:
        yield aws


@pytest.fixture
def aws(local_aws):
    """The embedded AWS with empty storage."""
    local_aws.reset()
    return local_aws


@pytest.fixture
def gateway(aws) -> LocalGateway:
    return LocalGateway(aws)


def load_event(name: str) -> bytes:
    return (EVENTS / name).read_bytes()


def recipients_body() -> dict:
    return json.loads(load_event("campaign/recipients.json"))
