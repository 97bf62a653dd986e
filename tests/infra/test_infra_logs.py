"""Every log group keeps its logs for a bounded time."""

from __future__ import annotations


def test_every_log_group_has_retention(dev, prod):
    for synth in (dev, prod):
        groups = synth.of_type("AWS::Logs::LogGroup")
        functions = synth.of_type("AWS::Lambda::Function")
        assert len(groups) == len(functions) + 2  # one per function, the state machine, the API access logs
        for logical_id, group in groups.items():
            assert group["Properties"].get("RetentionInDays", 0) > 0, logical_id


def test_prod_keeps_logs_longer_and_retains_them(dev, prod):
    dev_days = {g["Properties"]["RetentionInDays"] for g in dev.of_type("AWS::Logs::LogGroup").values()}
    prod_groups = prod.of_type("AWS::Logs::LogGroup").values()
    assert min(g["Properties"]["RetentionInDays"] for g in prod_groups) >= max(dev_days)
    assert all(g["DeletionPolicy"] == "Retain" for g in prod_groups)


def test_no_lambda_log_group_is_left_to_implicit_creation(dev):
    """Implicit /aws/lambda/<name> groups never expire: every function must name its own."""
    for logical_id, fn in dev.of_type("AWS::Lambda::Function").items():
        assert "LogGroup" in fn["Properties"].get("LoggingConfig", {}), logical_id
