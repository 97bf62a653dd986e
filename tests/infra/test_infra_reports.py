"""The report state machine: logging, tracing, and the definition the local runtime executes."""

from __future__ import annotations

import json


def machine(synth) -> dict:
    (found,) = synth.of_type("AWS::StepFunctions::StateMachine").values()
    return found["Properties"]


def test_state_machine_logs_and_traces(dev):
    props = machine(dev)
    logging = props["LoggingConfiguration"]
    assert logging["Level"] in ("ALL", "ERROR")
    assert logging["IncludeExecutionData"] is False  # inputs/outputs stay out of the logs
    (destination,) = logging["Destinations"]
    group_id = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    assert dev.resources[group_id]["Properties"]["RetentionInDays"] > 0
    assert props["TracingConfiguration"] == {"Enabled": True}


def test_definition_invokes_the_report_functions_by_getatt_arn(dev):
    definition = machine(dev)["DefinitionString"]
    parts = definition["Fn::Join"][1]
    invoked = {p["Fn::GetAtt"][0] for p in parts if isinstance(p, dict) and "Fn::GetAtt" in p}
    sources = {dev.resources[i]["Metadata"]["campaign-status:source"] for i in invoked}
    assert sources == {"functions/report_plan", "functions/report_slice", "functions/report_assemble", "functions/report_fail"}
    assert all(dev.resources[i]["Type"] == "AWS::Lambda::Function" for i in invoked)


def test_local_runtime_reads_this_template(dev_template_file):
    """The embedded runtime's own reader: functions, routes, the one table, the resolved definition."""
    from infra.local.template import Template

    template = Template(dev_template_file)
    assert len(template.function_sources()) == 8
    assert {(r.method, r.path) for r in template.routes()} == {
        ("GET", "/webhooks/whatsapp"),
        ("POST", "/webhooks/whatsapp"),
        ("ANY", "/{proxy+}"),
    }
    assert template.table_properties()["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    states = json.loads(template.state_machine_definition())["States"]
    assert {"Plan", "WriteSlices", "Assemble", "MarkFailed"} <= set(states)
