"""The scheduled redrive applies what a passing store failure left in quarantine."""

from __future__ import annotations

from botocore.exceptions import ClientError

from tests.integration.test_api import post_webhook, record, recipient, status, status_payload
from tests.integration.test_ingest_robustness import fail_nth_put


def test_scheduled_redrive_heals_a_store_outage_and_keeps_what_still_fails(aws, gateway):
    record(gateway, "c-heal", [recipient("L-1", "wamid.HEAL")])
    outage = ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "PutItem")
    remove = fail_nth_put(1, outage)
    try:
        assert post_webhook(gateway, status_payload(status("wamid.HEAL", "read", 1793527300))).status == 200
    finally:
        remove()
    assert post_webhook(gateway, b"{broken").status == 200
    assert len(gateway.handle("GET", "/quarantine").json()["items"]) == 2

    outcome = aws.function("functions/quarantine_redrive").invoke({})
    aws.pump.drain()

    assert outcome == {"applied": 1, "still_failing": 1}
    assert gateway.handle("GET", "/campaigns/c-heal/recipients/L-1").json()["delivery_status"] == "read"
    (left,) = gateway.handle("GET", "/quarantine").json()["items"]
    assert "unreadable payload" in left["reason"]
