"""Write units per status event over a realistic campaign replay, everything included.

The campaign is recorded through the API function as it is sent (80 messages/s, Meta's
default throughput tier), Meta's statuses arrive through the webhook function over the
following minutes, and the stream consumer (the counter function) runs once per
simulated second, as the deployed 1 s batching window makes it run. Every DynamoDB write
of every function is priced by the meter (rows, the problems index, the message index,
the counters, the campaign item, failed conditional writes).
"""

from __future__ import annotations

import time

from campaign_status import aws as project_aws
from campaign_status.queries import campaign_summary

from infra.local.runtime import TABLE_NAME

from .meter import DynamoMeter
from .workload import Delivery, Profile, REALISTIC_LAGS, campaign_recipients, expected_final, replay, status_arrivals

CAMPAIGN = "bench-replay"


def run(local_aws, *, recipients: int = 2000, seed: int = 7, send_rate: float = 80.0, statuses_per_post: int = 100) -> dict:
    local_aws.reset()
    meter = DynamoMeter(TABLE_NAME).attach(project_aws.dynamodb().meta.client)
    try:
        started = time.perf_counter()
        people = campaign_recipients(CAMPAIGN, recipients, seed)
        arrivals = status_arrivals(CAMPAIGN, people, seed, send_rate=send_rate, profile=Profile(), lags=REALISTIC_LAGS)
        timing = replay(Delivery(local_aws), meter, CAMPAIGN, people, arrivals,
                        statuses_per_post=statuses_per_post, send_rate=send_rate)
        totals = meter.totals
        summary = campaign_summary(CAMPAIGN)
    finally:
        meter.detach()
    expected = expected_final(people, arrivals)
    got = {k: v for k, v in summary.delivery_status.items() if v}
    if got != expected:
        raise AssertionError(f"replay ended in the wrong state: summary {got}, expected {expected}")
    events = len(arrivals)
    return {
        "ingest_wru_per_status": round(totals.write_units / events, 3),
        "details": {
            "recipients": recipients,
            "status_events": events,
            "duplicates": sum(a.duplicate for a in arrivals),
            "out_of_order": sum(a.out_of_order for a in arrivals),
            "failed_statuses": sum(a.status["status"] == "failed" for a in arrivals),
            "write_units": totals.write_units,
            "write_units_by_kind": dict(totals.by_kind),
            "write_units_by_op": dict(totals.by_op),
            "write_units_by_phase": dict(totals.by_phase),
            "write_units_per_status_excluding_recording": round(
                (totals.write_units - totals.by_phase.get("recording", 0)) / events, 3),
            "items_read": totals.items_read,
            "final_state": got,
            "wall_seconds": round(time.perf_counter() - started, 1),
            **timing,
            "send_rate_per_s": send_rate,
            "statuses_per_post": statuses_per_post,
        },
    }


def largest_post(local_aws, *, seed: int = 13) -> dict:
    """Wall time of Meta's largest POST (1,000 statuses) through the webhook function, on the
    embedded AWS: 1,000 recorded recipients, then one POST of their `sent` statuses and one of
    `delivered`/`failed`. moto answers each call slower than DynamoDB does, so this is an
    upper figure for the function itself; API Gateway allows 29 s."""
    local_aws.reset()
    campaign = "bench-largest-post"
    delivery = Delivery(local_aws)
    people = [p for p in campaign_recipients(campaign, 1100, seed) if "message_id" in p][:1000]
    delivery.record(campaign, people)
    seconds = []
    for value in ("sent", "delivered"):
        statuses = [{"id": p["message_id"], "status": value, "timestamp": "1793527300", "recipient_id": p["phone"][1:]}
                    for p in people]
        started = time.perf_counter()
        delivery.webhook(statuses)
        seconds.append(round(time.perf_counter() - started, 2))
    local_aws.pump.drain()
    summary = campaign_summary(campaign)
    if summary.delivery_status["delivered"] != len(people):
        raise AssertionError(f"largest POST: {summary.delivery_status}")
    return {"details": {"statuses_per_post": len(people), "seconds_first_post_sent": seconds[0],
                        "seconds_second_post_delivered": seconds[1]}}
