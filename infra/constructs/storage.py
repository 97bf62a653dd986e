"""Storage: the delivery table (rows, message index, counters, reports) and the private bucket.

Storage also owns who may do what to them: `grant_items`, `grant_query` and `grant_objects`
name every action (no `dynamodb:*`, `s3:*` or `s3:Get*`-style wildcards) and every object prefix.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.nag import acknowledge

PROBLEMS_INDEX = "problems"
REPORTS_PREFIX = "reports/"
# Per-slice CSV parts of a running report job; apart from reports/ so a short lifecycle rule
# sweeps what a failed job leaves behind.
PARTS_PREFIX = "report-parts/"
QUARANTINE_PREFIX = "quarantine/"


class Storage(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        retention_days: int,
        report_expiry_days: int,
        access_log_days: int = 90,
    ):
        super().__init__(scope, construct_id)
        self.production = stage == "prod"
        # Data (table, buckets, secrets, logs) outlives a prod stack deletion; dev cleans up after itself.
        self.removal_policy = cdk.RemovalPolicy.RETAIN if self.production else cdk.RemovalPolicy.DESTROY
        self.retention_days = retention_days
        self.table = dynamodb.TableV2(
            self,
            "DeliveryTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            # On-demand: webhook bursts (up to ~3,000 status writes/s) come and go with campaigns.
            billing=dynamodb.Billing.on_demand(),
            # The stream feeds the campaign counters; old images say which bucket a row left.
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            time_to_live_attribute="expires_at",
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
            deletion_protection=self.production,
            removal_policy=self.removal_policy,
            global_secondary_indexes=[
                # Sparse: only failed and never-attempted rows carry gsi1pk.
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name=PROBLEMS_INDEX,
                    partition_key=dynamodb.Attribute(name="gsi1pk", type=dynamodb.AttributeType.STRING),
                    sort_key=dynamodb.Attribute(name="gsi1sk", type=dynamodb.AttributeType.STRING),
                    projection_type=dynamodb.ProjectionType.ALL,
                )
            ],
        )

        # Server access logs of the private bucket (who read which report or quarantined body).
        self.access_logs_bucket = s3.Bucket(
            self,
            "AccessLogsBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            # S3 server access logging delivers only to SSE-S3 buckets.
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=self.removal_policy,
            lifecycle_rules=[s3.LifecycleRule(id="access-logs", expiration=cdk.Duration.days(access_log_days))],
        )
        acknowledge(
            self.access_logs_bucket,
            "AwsSolutions-S1",
            "This bucket is the server-access-log destination of the reports bucket; logging it too "
            "would need a third bucket for no audit gain (it holds only S3's own log records).",
        )
        self.bucket = s3.Bucket(
            self,
            "ReportsBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=False,
            removal_policy=self.removal_policy,
            auto_delete_objects=False,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix="reports-bucket/",
            lifecycle_rules=[
                s3.LifecycleRule(id="reports", prefix=REPORTS_PREFIX, expiration=cdk.Duration.days(report_expiry_days)),
                # A report job times out after 1 h: any part older than a day is an orphan.
                s3.LifecycleRule(id="report-parts", prefix=PARTS_PREFIX, expiration=cdk.Duration.days(1)),
                s3.LifecycleRule(
                    id="quarantine", prefix=QUARANTINE_PREFIX, expiration=cdk.Duration.days(retention_days)
                ),
                s3.LifecycleRule(id="unfinished-uploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(1)),
            ],
        )

    # -- least-privilege grants ------------------------------------------------------
    def grant_items(self, grantee: iam.IGrantable, *actions: str) -> None:
        """Item-level DynamoDB actions on the table itself (not its indexes)."""
        _check_named(actions, "dynamodb:")
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=sorted(actions), resources=[self.table.table_arn])
        )

    def grant_query(self, grantee: iam.IGrantable, *, problems_index: bool) -> None:
        """dynamodb:Query on the table and, when asked, on the `problems` index only."""
        resources = [self.table.table_arn]
        if problems_index:
            resources.append(f"{self.table.table_arn}/index/{PROBLEMS_INDEX}")
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=resources)
        )

    def grant_objects(self, grantee: iam.IGrantable, prefix: str, *actions: str) -> None:
        """Object-level S3 actions on one key prefix of the private bucket."""
        _check_named(actions, "s3:")
        if not prefix.endswith("/"):
            raise ValueError("grant a whole prefix, ending in '/'")
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=sorted(actions), resources=[self.bucket.arn_for_objects(f"{prefix}*")])
        )
        acknowledge(
            grantee.grant_principal,
            f"AwsSolutions-IAM5[Resource::<{self._bucket_logical_id()}.Arn>/{prefix}*]",
            f"Object keys under {prefix} are generated at run time (one per report part or quarantined "
            "body); the grant is limited to that prefix and to named object actions.",
        )

    def grant_list(self, grantee: iam.IGrantable, prefix: str) -> None:
        """s3:ListBucket, limited by condition to keys under one prefix."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{prefix}*"]}},
            )
        )

    def _bucket_logical_id(self) -> str:
        return cdk.Stack.of(self).resolve(self.bucket.node.default_child.logical_id)


def _check_named(actions: tuple[str, ...], service: str) -> None:
    for action in actions:
        if not action.startswith(service) or "*" in action:
            raise ValueError(f"{action!r}: name each {service} action, no wildcards")
