"""DynamoDB table and S3 buckets."""

from __future__ import annotations

from aws_cdk.assertions import Match


def only_table(synth) -> tuple[str, dict]:
    tables = {**synth.of_type("AWS::DynamoDB::GlobalTable"), **synth.of_type("AWS::DynamoDB::Table")}
    assert len(tables) == 1, "the local runtime reads exactly one table"
    return next(iter(tables.items()))


def test_table_keys_and_problems_index(dev):
    _, table = only_table(dev)
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    (gsi,) = props["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "problems"
    assert gsi["KeySchema"] == [
        {"AttributeName": "gsi1pk", "KeyType": "HASH"},
        {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
    ]
    assert gsi["Projection"] == {"ProjectionType": "ALL"}
    assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_table_stream_ttl_pitr_sse(dev):
    _, table = only_table(dev)
    props = table["Properties"]
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    (replica,) = props["Replicas"]
    assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_deletion_protection_in_prod_only(dev, prod):
    _, dev_table = only_table(dev)
    _, prod_table = only_table(prod)
    assert dev_table["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is False
    assert prod_table["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is True
    assert prod_table["DeletionPolicy"] == "Retain"
    for bucket in prod.of_type("AWS::S3::Bucket").values():
        assert bucket["DeletionPolicy"] == "Retain"


def reports_bucket(synth) -> tuple[str, dict]:
    (found,) = [
        (k, v)
        for k, v in synth.of_type("AWS::S3::Bucket").items()
        if any(r.get("Prefix") == "reports/" for r in v["Properties"].get("LifecycleConfiguration", {}).get("Rules", []))
    ]
    return found


def test_every_bucket_blocks_public_access_and_is_encrypted(dev):
    buckets = dev.of_type("AWS::S3::Bucket")
    assert len(buckets) == 2  # reports/quarantine bucket and its access-log bucket
    for bucket in buckets.values():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")


def test_every_bucket_denies_plain_http(dev):
    policies = {p["Properties"]["Bucket"]["Ref"]: p for p in dev.of_type("AWS::S3::BucketPolicy").values()}
    for bucket_id in dev.of_type("AWS::S3::Bucket"):
        statements = policies[bucket_id]["Properties"]["PolicyDocument"]["Statement"]
        tls = [
            s
            for s in statements
            if s["Effect"] == "Deny"
            and s["Action"] == "s3:*"
            and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        ]
        assert tls, f"{bucket_id} has no TLS-only statement"
        assert {"Fn::GetAtt": [bucket_id, "Arn"]} in tls[0]["Resource"]


def test_reports_bucket_lifecycle_and_access_logs(dev):
    bucket_id, bucket = reports_bucket(dev)
    rules = {r["Id"]: r for r in bucket["Properties"]["LifecycleConfiguration"]["Rules"]}
    assert rules["reports"]["Prefix"] == "reports/" and rules["reports"]["ExpirationInDays"] == 7
    assert rules["quarantine"]["Prefix"] == "quarantine/" and rules["quarantine"]["ExpirationInDays"] == 180
    assert rules["report-parts"]["Prefix"] == "report-parts/" and rules["report-parts"]["ExpirationInDays"] == 1
    assert rules["unfinished-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert all(r["Status"] == "Enabled" for r in rules.values())
    logging = bucket["Properties"]["LoggingConfiguration"]
    log_bucket_id = logging["DestinationBucketName"]["Ref"]
    assert log_bucket_id in dev.of_type("AWS::S3::Bucket") and log_bucket_id != bucket_id
    # The log bucket lets S3's log delivery write, for this bucket only.
    dev.template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": log_bucket_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "logging.s3.amazonaws.com"},
                                "Condition": Match.object_like(
                                    {"ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [bucket_id, "Arn"]}}}
                                ),
                            }
                        )
                    ]
                )
            },
        },
    )
    log_rules = dev.resources[log_bucket_id]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert all("ExpirationInDays" in r for r in log_rules)
