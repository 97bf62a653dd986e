"""Read cost does not grow with the campaign where it need not; cursors hold while writes go on."""

from __future__ import annotations

import contextlib
import random
from datetime import datetime, timezone

from campaign_status import aws as aws_clients
from campaign_status import campaign_store, delivery_store, ingest, queries, recording
from campaign_status.models import MetaStatus, RecipientIn, RecipientRow, Step, StatusEvent
from campaign_status.rules import add_events
from tests.integration.test_api import recipient, status


@contextlib.contextmanager
def items_read():
    """Counts the items DynamoDB reads for us (Query: scanned; BatchGetItem/GetItem: returned)."""
    counted = {"items": 0}

    def after(http_response=None, parsed=None, model=None, **_):
        if model.name == "Query":
            counted["items"] += parsed.get("ScannedCount", 0)
        elif model.name == "BatchGetItem":
            counted["items"] += sum(len(v) for v in parsed.get("Responses", {}).values())
        elif model.name == "GetItem":
            counted["items"] += 1 if "Item" in parsed else 0

    events = aws_clients.dynamodb().meta.client.meta.events
    events.register("after-call.dynamodb", after, unique_id="count-reads")
    try:
        yield counted
    finally:
        events.unregister("after-call.dynamodb", unique_id="count-reads")


def load_campaign(aws, campaign: str, size: int, failed_every: int = 100) -> None:
    """Rows written through the real data access (row + stream → counters), without the HTTP layer."""
    step = Step(name="Offer", status="Executed", details="", timestamp=datetime(2026, 11, 1, tzinfo=timezone.utc))
    campaign_store.ensure_campaign(campaign, "2026-11-01T00:00:00+00:00")
    table = aws_clients.table("CampaignDeliveryTable")
    with table.batch_writer() as batch:
        for i in range(size):
            row = RecipientRow(campaign_id=campaign, lead_id=f"L-{i:07d}", phone="+919800000000", step=step,
                               message_id=f"wamid.S{i}", delivery_status="pending", updated_at=step.timestamp)
            failed = i % failed_every == 0
            event = StatusEvent(status="failed" if failed else "read", timestamp=1793527300,
                                error_code=131026 if failed else None)
            row = add_events(row, row.message_id, [event])
            batch.put_item(Item=delivery_store.row_to_item(row.model_copy(update={"version": 1})))
    aws.pump.drain()


def test_summary_reads_the_same_items_at_1k_and_5k(aws):
    # make bench measures 1,000 against 100,000; here the same law at a size tests afford.
    load_campaign(aws, "c-1k", 1_000)
    load_campaign(aws, "c-5k", 5_000)
    with items_read() as small:
        s1 = queries.campaign_summary("c-1k")
    with items_read() as large:
        s2 = queries.campaign_summary("c-5k")
    assert (s1.recipients, s2.recipients) == (1_000, 5_000)
    assert s2.delivery_status["failed"] == 50
    assert small["items"] == large["items"] <= 17


def test_failed_page_reads_at_most_twice_what_it_returns(aws):
    load_campaign(aws, "c-fail", 5_000)  # 1% failed: 50 rows
    with items_read() as read:
        page, _ = queries.list_rows("c-fail", delivery_status="failed", limit=25)
    assert len(page.items) == 25
    assert read["items"] <= 2 * len(page.items) + 1  # the +1: the campaign item that says it exists
    assert all(r.delivery_status == "failed" and r.delivery_error_code == 131026 for r in page.items)


def test_paging_visits_every_row_once_while_statuses_arrive(aws):
    campaign = "c-paging"
    leads = [f"L-{i:03d}" for i in range(120)]
    recording.record_recipients(campaign, [RecipientIn.model_validate(recipient(l, f"wamid.P{l}")) for l in leads])
    stable_failed = set(leads[::10])
    ingest.apply_statuses([MetaStatus.model_validate(status(f"wamid.P{l}", "failed", 1793527300, 131026)) for l in stable_failed])
    rng = random.Random(7)
    seen, failed_seen, cursor, failed_cursor = [], [], None, None
    rows_done = failed_done = False
    while not (rows_done and failed_done):
        if not rows_done:
            page, _ = queries.list_rows(campaign, limit=7, cursor=cursor)
            seen += [r.lead_id for r in page.items]
            cursor, rows_done = page.next_cursor, page.next_cursor is None
        if not failed_done:
            fpage, _ = queries.list_rows(campaign, delivery_status="failed", limit=3, cursor=failed_cursor)
            failed_seen += [r.lead_id for r in fpage.items]
            failed_cursor, failed_done = fpage.next_cursor, fpage.next_cursor is None
        # Meanwhile Meta keeps going: other rows move, some become failed, some reach read.
        movers = rng.sample([l for l in leads if l not in stable_failed], 6)
        ingest.apply_statuses(
            [MetaStatus.model_validate(status(f"wamid.P{l}", rng.choice(["sent", "failed", "read"]), 1793527301, 131049)) for l in movers]
        )
    assert sorted(seen) == leads  # every row exactly once
    assert len(failed_seen) == len(set(failed_seen))  # no row twice
    assert stable_failed <= set(failed_seen)  # rows failed throughout are all there
