"""Storage: the delivery table (rows, message index, counters, reports) and the private bucket."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, retention_days: int, report_expiry_days: int):
        super().__init__(scope, construct_id)
        production = stage == "prod"
        self.retention_days = retention_days
        self.table = dynamodb.TableV2(
            self,
            "DeliveryTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing=dynamodb.Billing.on_demand(),
            # The stream feeds the campaign counters; old images say which bucket a row left.
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            time_to_live_attribute="expires_at",
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            deletion_protection=production,
            removal_policy=cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY,
            global_secondary_indexes=[
                # Sparse: only failed and never-attempted rows carry gsi1pk.
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name="problems",
                    partition_key=dynamodb.Attribute(name="gsi1pk", type=dynamodb.AttributeType.STRING),
                    sort_key=dynamodb.Attribute(name="gsi1sk", type=dynamodb.AttributeType.STRING),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            ],
        )
        self.bucket = s3.Bucket(
            self,
            "ReportsBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=False,
            removal_policy=cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY,
            auto_delete_objects=False,
            lifecycle_rules=[
                s3.LifecycleRule(id="reports", prefix="reports/", expiration=cdk.Duration.days(report_expiry_days)),
                s3.LifecycleRule(id="quarantine", prefix="quarantine/", expiration=cdk.Duration.days(retention_days)),
                s3.LifecycleRule(id="unfinished-uploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(1)),
            ],
        )
