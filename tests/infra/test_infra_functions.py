"""Lambda functions: runtime, architecture, tracing, log groups, sizing, the stream consumer's DLQ."""

from __future__ import annotations

SOURCES = {
    "functions/webhook",
    "functions/counter",
    "functions/api",
    "functions/report_plan",
    "functions/report_slice",
    "functions/report_assemble",
    "functions/report_fail",
    "functions/quarantine_redrive",
}


def test_every_function_is_python313_arm64_traced(dev):
    functions = dev.of_type("AWS::Lambda::Function")
    assert len(functions) == len(SOURCES)
    for logical_id, fn in functions.items():
        props = fn["Properties"]
        assert props["Runtime"] == "python3.13", logical_id
        assert props["Architectures"] == ["arm64"], logical_id
        assert props["TracingConfig"] == {"Mode": "Active"}, logical_id


def test_every_function_names_its_source_for_the_local_runtime(dev):
    sources = {fn.get("Metadata", {}).get("campaign-status:source") for fn in dev.of_type("AWS::Lambda::Function").values()}
    assert sources == SOURCES


def test_every_function_logs_to_its_own_log_group_with_retention(dev):
    log_groups = dev.of_type("AWS::Logs::LogGroup")
    seen = set()
    for logical_id, fn in dev.of_type("AWS::Lambda::Function").items():
        group = fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert group in log_groups, logical_id
        assert log_groups[group]["Properties"]["RetentionInDays"] > 0
        seen.add(group)
    assert len(seen) == len(SOURCES)


def test_api_facing_functions_answer_inside_the_30s_integration_timeout(dev):
    for source in ("functions/webhook", "functions/api"):
        _, fn = dev.function_by_source(source)
        assert fn["Properties"]["Timeout"] < 30, source
    for fn in dev.of_type("AWS::Lambda::Function").values():
        assert 128 <= fn["Properties"]["MemorySize"] <= 10240
        assert fn["Properties"]["Timeout"] <= 900


def test_stream_consumer_has_an_encrypted_tls_only_dead_letter_queue(dev):
    counter_id, _ = dev.function_by_source("functions/counter")
    (mapping,) = dev.of_type("AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert props["FunctionName"] == {"Ref": counter_id}
    assert props["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
    assert props["BisectBatchOnFunctionError"] is True
    queue_arn = props["DestinationConfig"]["OnFailure"]["Destination"]
    queue_id = queue_arn["Fn::GetAtt"][0]
    queue = dev.resources[queue_id]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"]["SqsManagedSseEnabled"] is True
    (policy,) = [p for p in dev.of_type("AWS::SQS::QueuePolicy").values() if {"Ref": queue_id} in p["Properties"]["Queues"]]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    )
