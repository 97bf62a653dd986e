"""The environment, read once per container into a typed model."""

from __future__ import annotations

import os
import time
from functools import cache

from pydantic import BaseModel, Field

# Local defaults for the embedded run; deployed functions get the secret's name instead.
LOCAL_APP_SECRET = "local-app-secret"
LOCAL_VERIFY_TOKEN = "local-verify-token"


class Settings(BaseModel):
    table_name: str = "CampaignDeliveryTable"
    bucket_name: str = "campaign-delivery-local"
    state_machine_arn: str | None = None
    # Deployed: names of Secrets Manager secrets, read through Powertools parameters (cached).
    app_secret_name: str | None = None
    verify_token_name: str | None = None
    # Local: plain values from the environment.
    app_secret: str = LOCAL_APP_SECRET
    verify_token: str = LOCAL_VERIFY_TOKEN
    secret_max_age_seconds: int = 300
    row_shards: int = Field(default=16, ge=1, le=256)
    retention_days: int = Field(default=180, ge=1)
    report_link_seconds: int = Field(default=900, ge=60, le=900)
    report_rows_per_progress: int = Field(default=5000, ge=1)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        values = {
            "table_name": env.get("TABLE_NAME"),
            "bucket_name": env.get("BUCKET_NAME"),
            "state_machine_arn": env.get("STATE_MACHINE_ARN"),
            "app_secret_name": env.get("APP_SECRET_NAME"),
            "verify_token_name": env.get("VERIFY_TOKEN_NAME"),
            "app_secret": env.get("WHATSAPP_APP_SECRET"),
            "verify_token": env.get("WHATSAPP_VERIFY_TOKEN"),
            "row_shards": env.get("ROW_SHARDS"),
            "retention_days": env.get("RETENTION_DAYS"),
            "report_link_seconds": env.get("REPORT_LINK_SECONDS"),
        }
        return cls.model_validate({k: v for k, v in values.items() if v})


@cache
def settings() -> Settings:
    return Settings.from_env()


def expires_at() -> int:
    """The TTL attribute of an item written now: `retention_days` from now, in Unix seconds."""
    return int(time.time()) + settings().retention_days * 86400
