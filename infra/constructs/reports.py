"""Reports: plan -> Map over slices -> assemble, with a catch that marks the report FAILED."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

from infra.constructs.nag import acknowledge
from infra.constructs.storage import PARTS_PREFIX, REPORTS_PREFIX

# Slices run in parallel up to this many Lambdas at once.
SLICE_CONCURRENCY = 8


class Reports(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, storage, code):
        super().__init__(scope, construct_id)
        self.plan_function = code.function(
            self,
            "PlanFunction",
            source="functions/report_plan",
            # Reads the campaign's counters and returns 16 slice descriptors: tiny.
            memory_mb=256,
            timeout=cdk.Duration.seconds(30),
        )
        # One slice = one row shard (1/16 of the campaign); see docs/architecture.md for the sizing.
        self.slice_function = code.function(
            self,
            "SliceFunction",
            source="functions/report_slice",
            # Streams rows to a multipart upload (one 5 MiB+ part in memory); 1 GB for CSV-encoding CPU.
            memory_mb=1024,
            # A 1,000,000-row campaign is ~62,500 rows a slice: minutes, with Lambda's maximum as margin.
            timeout=cdk.Duration.minutes(15),
        )
        self.assemble_function = code.function(
            self,
            "AssembleFunction",
            source="functions/report_assemble",
            # Concatenates parts by server-side copy, streaming only the small ones: one part in memory.
            memory_mb=512,
            # Copying 16 parts is seconds; small parts are re-streamed, which can take minutes for big reports.
            timeout=cdk.Duration.minutes(15),
        )
        self.fail_function = code.function(
            self,
            "FailFunction",
            source="functions/report_fail",
            # Marks the report FAILED and deletes at most 16 part objects.
            memory_mb=256,
            timeout=cdk.Duration.seconds(60),
        )
        storage.grant_items(self.plan_function, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem")
        storage.grant_query(self.slice_function, problems_index=False)
        storage.grant_items(self.slice_function, "dynamodb:UpdateItem")
        # Parts are written as single PUTs or multipart uploads (Create/UploadPart/Complete are s3:PutObject).
        storage.grant_objects(self.slice_function, PARTS_PREFIX, "s3:PutObject", "s3:AbortMultipartUpload")
        storage.grant_items(self.assemble_function, "dynamodb:UpdateItem")
        # Reads the parts (UploadPartCopy needs GetObject on its source) and deletes them once assembled.
        storage.grant_objects(self.assemble_function, PARTS_PREFIX, "s3:GetObject", "s3:DeleteObject")
        storage.grant_objects(self.assemble_function, REPORTS_PREFIX, "s3:PutObject", "s3:AbortMultipartUpload")
        storage.grant_items(self.fail_function, "dynamodb:UpdateItem")
        # Lists and deletes whatever parts the failed job left.
        storage.grant_list(self.fail_function, PARTS_PREFIX)
        storage.grant_objects(self.fail_function, PARTS_PREFIX, "s3:DeleteObject")

        mark_failed = tasks.LambdaInvoke(
            self,
            "MarkFailed",
            lambda_function=self.fail_function,
            payload=sfn.TaskInput.from_object(
                {
                    "campaign_id": sfn.JsonPath.string_at("$.campaign_id"),
                    "report_id": sfn.JsonPath.string_at("$.report_id"),
                    "error": sfn.JsonPath.object_at("$.error"),
                }
            ),
            result_path=sfn.JsonPath.DISCARD,
        ).next(sfn.Fail(self, "ReportFailed", error="ReportFailed", cause="see the report's error"))

        plan = tasks.LambdaInvoke(
            self,
            "Plan",
            lambda_function=self.plan_function,
            payload=sfn.TaskInput.from_object(
                {
                    "campaign_id": sfn.JsonPath.string_at("$.campaign_id"),
                    "report_id": sfn.JsonPath.string_at("$.report_id"),
                    "timezone": sfn.JsonPath.string_at("$.timezone"),
                }
            ),
            result_selector={"slices": sfn.JsonPath.list_at("$.Payload.slices")},
            result_path="$.plan",
        )
        write_slice = tasks.LambdaInvoke(
            self, "WriteSlice", lambda_function=self.slice_function, output_path="$.Payload"
        )
        write_slice.add_retry(errors=["Lambda.TooManyRequestsException", "ThrottlingException"], max_attempts=6,
                              backoff_rate=2, interval=cdk.Duration.seconds(2))
        # S3 keys and counts travel between states, never rows: payloads stay a few KB.
        slices = sfn.Map(
            self, "WriteSlices", items_path="$.plan.slices", max_concurrency=SLICE_CONCURRENCY, result_path="$.parts"
        )
        slices.item_processor(write_slice)
        assemble = tasks.LambdaInvoke(
            self,
            "Assemble",
            lambda_function=self.assemble_function,
            payload=sfn.TaskInput.from_object(
                {
                    "campaign_id": sfn.JsonPath.string_at("$.campaign_id"),
                    "report_id": sfn.JsonPath.string_at("$.report_id"),
                    "parts": sfn.JsonPath.list_at("$.parts"),
                }
            ),
            result_path=sfn.JsonPath.DISCARD,
        )
        for step in (plan, slices, assemble):
            step.add_catch(mark_failed, result_path="$.error")
        definition = plan.next(slices).next(assemble).next(sfn.Succeed(self, "ReportReady"))

        self.log_group = logs.LogGroup(
            self, "StateMachineLogs", retention=code.log_retention, removal_policy=storage.removal_policy
        )
        self.state_machine = sfn.StateMachine(
            self,
            "ReportStateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=cdk.Duration.hours(1),
            tracing_enabled=True,
            # ALL: a report is a few dozen state transitions, so full history costs little. Without
            # execution data: inputs and outputs stay out of the logs (they carry ids only, but still).
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        acknowledge(
            self.state_machine,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs "
            "delivery (logs:CreateLogDelivery and friends) support no resource-level permissions.",
        )
        for fn in (self.plan_function, self.slice_function, self.assemble_function, self.fail_function):
            acknowledge(
                self.state_machine,
                f"AwsSolutions-IAM5[Resource::<{cdk.Stack.of(self).resolve(fn.node.default_child.logical_id)}.Arn>:*]",
                "LambdaInvoke grants the function and its qualified ARNs (versions/aliases, ':*'); the grant "
                "is still one named function of this job.",
            )
