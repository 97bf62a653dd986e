"""Meta's webhook signature and the secrets behind it."""

from __future__ import annotations

import hashlib
import hmac

from .settings import settings

SIGNATURE_HEADER = "x-hub-signature-256"


def signature_for(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed_by(body: bytes, header: str | None, secret: str) -> bool:
    """True when `header` is the HMAC-SHA256 of the raw bytes as received (compared in constant time)."""
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(signature_for(body, secret).encode(), header.strip().encode())


def _secret(name: str | None, local_value: str) -> str:
    # Deployed: Secrets Manager through Powertools parameters, cached for a few minutes,
    # so a rotation takes effect without a deploy. Imported lazily to keep cold starts short.
    if not name:
        return local_value
    from aws_lambda_powertools.utilities import parameters

    return parameters.get_secret(name, max_age=settings().secret_max_age_seconds)


def app_secret() -> str:
    return _secret(settings().app_secret_name, settings().app_secret)


def verify_token() -> str:
    return _secret(settings().verify_token_name, settings().verify_token)
