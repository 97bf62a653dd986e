"""The embedded AWS: moto in server mode on 127.0.0.1, with the stack's table, bucket and
state machine, the project's handlers as the Lambda functions, and the table stream
feeding the counter function as its event source mapping would.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from types import SimpleNamespace

import boto3
import requests

from infra.local.template import ACCOUNT, REGION, Template, local_function_arn, synth

TABLE_NAME = "CampaignDeliveryTable"
BUCKET_NAME = "campaign-delivery-local"
STATE_MACHINE_NAME = "campaign-report"
STREAM_BATCH_SIZE = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalFunction:
    """One project Lambda function, run in this process."""

    def __init__(self, logical_id: str, source: str):
        self.logical_id = logical_id
        self.source = source
        self.module = importlib.import_module(source.replace("/", ".") + ".handler")

    def context(self):
        return SimpleNamespace(
            function_name=self.logical_id,
            function_version="$LATEST",
            invoked_function_arn=local_function_arn(self.logical_id),
            memory_limit_in_mb=1024,
            aws_request_id=str(uuid.uuid4()),
            log_group_name=f"/aws/lambda/{self.logical_id}",
            log_stream_name="local",
            get_remaining_time_in_millis=lambda: 900_000,
        )

    def invoke(self, event: dict):
        return self.module.lambda_handler(event, self.context())


class StreamPump:
    """Reads the table's stream and hands batches to the counter function, like Lambda's
    event source mapping does (one batch at a time, in sequence order)."""

    def __init__(self, counter: LocalFunction):
        self._counter = counter
        self._lock = threading.Lock()
        self._iterators: dict[str, str | None] = {}
        self._streams = boto3.client("dynamodbstreams")
        self._stream_arn: str | None = None

    def reset(self, stream_arn: str) -> None:
        with self._lock:
            self._stream_arn, self._iterators = stream_arn, {}

    def drain(self) -> int:
        """Count every record written so far; returns how many records were handed over."""
        handed = 0
        with self._lock:
            shards = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]["Shards"]
            for shard in shards:
                shard_id = shard["ShardId"]
                if shard_id not in self._iterators:
                    self._iterators[shard_id] = self._streams.get_shard_iterator(
                        StreamArn=self._stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                    )["ShardIterator"]
                while self._iterators[shard_id]:
                    page = self._streams.get_records(ShardIterator=self._iterators[shard_id], Limit=STREAM_BATCH_SIZE)
                    records = page["Records"]
                    if not records:
                        break
                    event = {"Records": [{**r, "eventSourceARN": self._stream_arn} for r in records]}
                    self._counter.invoke(json.loads(json.dumps(event, default=str)))
                    self._iterators[shard_id] = page.get("NextShardIterator")
                    handed += len(records)
        return handed


class LocalAws:
    """Starts moto, creates the stack's resources from the synthesized template, runs the handlers."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.template = Template(synth())
        self._server = None
        self.functions: dict[str, LocalFunction] = {}
        self.pump: StreamPump | None = None
        self.state_machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{STATE_MACHINE_NAME}"

    # -- lifecycle -------------------------------------------------------------
    def start(self) -> "LocalAws":
        from moto.server import ThreadedMotoServer

        self._configure_environment()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        requests.post(
            f"{self.endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}},
            timeout=10,
        ).raise_for_status()
        self._route_lambda_to_handlers()
        self.functions = {k: LocalFunction(k, s) for k, s in self.template.function_sources().items()}
        self.pump = StreamPump(self.function("functions/counter"))
        self.create_resources()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> "LocalAws":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _configure_environment(self) -> None:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                # moto's Step Functions interpreter calls the other services here.
                "MOTO_PORT": str(self.port),
                "TABLE_NAME": TABLE_NAME,
                "BUCKET_NAME": BUCKET_NAME,
                "STATE_MACHINE_ARN": self.state_machine_arn,
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_NAMESPACE": "CampaignDeliveryStatus",
                "POWERTOOLS_DEV": os.environ.get("POWERTOOLS_DEV", "false"),
            }
        )
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")

    def _route_lambda_to_handlers(self) -> None:
        """moto's Docker-free Lambda backend, pointed at the project's handlers."""
        from moto.awslambda_simple.models import LambdaSimpleBackend

        runtime = self

        def invoke(backend, function_name, qualifier, body, headers, response_headers):
            logical_id = function_name.rsplit(":", 1)[-1]
            try:
                result = runtime.functions[logical_id].invoke(json.loads(body or b"{}"))
                return json.dumps(result).encode()
            except Exception as error:  # reported to Step Functions as the function's error
                response_headers["x-amz-function-error"] = "Unhandled"
                return json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()

        LambdaSimpleBackend.invoke = invoke

    # -- resources ---------------------------------------------------------------
    def create_resources(self) -> None:
        props = self.template.table_properties()
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE_NAME,
            KeySchema=props["KeySchema"],
            AttributeDefinitions=props["AttributeDefinitions"],
            BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[
                {k: g[k] for k in ("IndexName", "KeySchema", "Projection")} for g in props.get("GlobalSecondaryIndexes", [])
            ],
            StreamSpecification={"StreamEnabled": True, **props["StreamSpecification"]},
        )
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=TABLE_NAME, TimeToLiveSpecification=ttl)
        boto3.client("s3").create_bucket(Bucket=BUCKET_NAME)
        boto3.client("stepfunctions").create_state_machine(
            name=STATE_MACHINE_NAME,
            definition=self.template.state_machine_definition(),
            roleArn=f"arn:aws:iam::{ACCOUNT}:role/local-report-job",
        )
        stream_arn = dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        self.pump.reset(stream_arn)

    def reset(self) -> None:
        """Forget all data: a fresh table, bucket and state machine."""
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        requests.post(
            f"{self.endpoint}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}},
            timeout=10,
        ).raise_for_status()
        self.create_resources()

    # -- calling functions -------------------------------------------------------
    def function(self, source: str) -> LocalFunction:
        return self.functions[self.template.function_logical_id(source)]

    def wait_for_report(self, execution_name_part: str, timeout: float = 120) -> dict:
        sfn = boto3.client("stepfunctions")
        deadline = time.time() + timeout
        while time.time() < deadline:
            executions = sfn.list_executions(stateMachineArn=self.state_machine_arn)["executions"]
            done = [e for e in executions if execution_name_part in e["name"] and e["status"] != "RUNNING"]
            if done:
                return sfn.describe_execution(executionArn=done[0]["executionArn"])
            time.sleep(0.2)
        raise TimeoutError("report execution did not finish")
