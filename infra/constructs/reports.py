"""Reports: plan -> Map over slices -> assemble, with a catch that marks the report FAILED."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_stepfunctions_tasks as tasks
from constructs import Construct

# Slices run in parallel up to this many Lambdas at once.
SLICE_CONCURRENCY = 8


class Reports(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, storage, code):
        super().__init__(scope, construct_id)
        self.plan_function = code.function(
            self, "PlanFunction", source="functions/report_plan", memory_mb=256, timeout=cdk.Duration.seconds(30)
        )
        # One slice = one row shard (1/16 of the campaign); see docs/architecture.md for the sizing.
        self.slice_function = code.function(
            self, "SliceFunction", source="functions/report_slice", memory_mb=1024, timeout=cdk.Duration.minutes(15)
        )
        self.assemble_function = code.function(
            self, "AssembleFunction", source="functions/report_assemble", memory_mb=512, timeout=cdk.Duration.minutes(15)
        )
        self.fail_function = code.function(
            self, "FailFunction", source="functions/report_fail", memory_mb=256, timeout=cdk.Duration.seconds(60)
        )
        table, bucket = storage.table, storage.bucket
        table.grant(self.plan_function, "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:UpdateItem")
        table.grant(self.slice_function, "dynamodb:Query", "dynamodb:UpdateItem")
        bucket.grant_put(self.slice_function, "reports/*")
        table.grant(self.assemble_function, "dynamodb:UpdateItem")
        bucket.grant_read_write(self.assemble_function, "reports/*")
        bucket.grant_delete(self.assemble_function, "reports/*")
        table.grant(self.fail_function, "dynamodb:UpdateItem")
        bucket.grant_delete(self.fail_function, "reports/*")

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

        self.log_group = logs.LogGroup(self, "StateMachineLogs", retention=logs.RetentionDays.ONE_MONTH,
                                       removal_policy=cdk.RemovalPolicy.DESTROY)
        self.state_machine = sfn.StateMachine(
            self,
            "ReportStateMachine",
            definition_body=sfn.DefinitionBody.from_chainable(definition),
            timeout=cdk.Duration.hours(1),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ERROR, include_execution_data=False),
        )
