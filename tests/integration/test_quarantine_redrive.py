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

    assert outcome == {"applied": 1, "still_failing": 0}  # the unreadable body is not retried
    assert gateway.handle("GET", "/campaigns/c-heal/recipients/L-1").json()["delivery_status"] == "read"
    (left,) = gateway.handle("GET", "/quarantine").json()["items"]
    assert "unreadable payload" in left["reason"] and left["retryable"] is False


def test_unreadable_bodies_never_keep_a_store_failure_from_its_retry(aws, gateway):
    for i in range(5):  # older than the outage, and more than the scheduled redrive takes at once
        assert post_webhook(gateway, b"{broken %d" % i).status == 200
    record(gateway, "c-heal", [recipient("L-1", "wamid.HEAL")])
    outage = ClientError({"Error": {"Code": "InternalServerError", "Message": "down"}}, "PutItem")
    remove = fail_nth_put(1, outage)
    try:
        post_webhook(gateway, status_payload(status("wamid.HEAL", "read", 1793527300)))
    finally:
        remove()

    from campaign_status.webhooks import redrive_all

    assert redrive_all(limit=2) == {"applied": 1, "still_failing": 0}
    aws.pump.drain()
    assert gateway.handle("GET", "/campaigns/c-heal/recipients/L-1").json()["delivery_status"] == "read"


def test_the_quarantine_list_pages_oldest_first(aws, gateway):
    for i in range(5):
        post_webhook(gateway, b"not json %d" % i)
    ids, cursor = [], None
    while True:
        page = gateway.handle("GET", "/quarantine?limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        ids += [item["id"] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert len(ids) == 5 and ids == sorted(ids)
    assert gateway.handle("GET", "/quarantine?limit=0").status == 422
    assert gateway.handle("GET", "/quarantine?cursor=../x").status == 422
