"""AWS clients, created once per container. Endpoints come from the standard
AWS_ENDPOINT_URL variable, which is all that differs in the embedded run."""

from __future__ import annotations

import time
from functools import cache

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=32)


@cache
def dynamodb():
    return boto3.resource("dynamodb", config=_CONFIG)


@cache
def table(name: str):
    return dynamodb().Table(name)


@cache
def s3():
    return boto3.client("s3", config=Config(retries={"mode": "standard"}, signature_version="s3v4"))


@cache
def stepfunctions():
    return boto3.client("stepfunctions", config=_CONFIG)


def batch_get(table_name: str, keys: list[dict]) -> list[dict]:
    """Items by key, read consistently, 100 keys a request, unprocessed keys retried with back-off."""
    items: list[dict] = []
    for i in range(0, len(keys), 100):
        request = {table_name: {"Keys": keys[i : i + 100], "ConsistentRead": True}}
        for attempt in range(10):
            response = dynamodb().batch_get_item(RequestItems=request)
            items.extend(response["Responses"].get(table_name, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(min(0.05 * 2**attempt, 1.0))
        else:
            raise RuntimeError("DynamoDB kept keys unprocessed in batch_get_item")
    return items


def conditional_write(write, **request) -> bool:
    """Run one conditional DynamoDB write; False (not an error) when its condition did not hold."""
    try:
        write(**request)
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
