"""Ingest under Meta's real behaviour: races with recording, crashes, retries, replays."""

from __future__ import annotations

import json
import threading
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from campaign_status import aws as aws_clients
from campaign_status import delivery_store, ingest, queries, recording
from campaign_status.models import MetaStatus, RecipientIn
from tests.conftest import EVENTS
from tests.integration.test_api import (
    CAMPAIGN,
    all_rows,
    post_webhook,
    recipient,
    recipients_body,
    record,
    replay_sample_campaign,
    status,
    status_payload,
)


def meta_status(message_id: str, value: str, ts: int, code: int | None = None) -> MetaStatus:
    return MetaStatus.model_validate(status(message_id, value, ts, code))


def row_of(campaign: str, lead: str):
    return delivery_store.get_rows([(campaign, lead)])[(campaign, lead)]


def recount_equals_summary(aws, campaign: str) -> None:
    aws.pump.drain()
    summary = queries.campaign_summary(campaign)
    rows = [r for s in range(16) for r in delivery_store.iter_shard_rows(campaign, s)]
    recount = {k: 0 for k in summary.delivery_status}
    errors: dict[int, int] = {}
    for row in rows:
        recount[row.delivery_status] += 1
        if row.delivery_status == "failed" and row.delivery_error_code is not None:
            errors[row.delivery_error_code] = errors.get(row.delivery_error_code, 0) + 1
    assert summary.delivery_status == recount
    assert {e.code: e.count for e in summary.delivery_errors} == errors
    assert summary.recipients == len(rows)


class TestRecordingRace:
    """A status and the record call for its message at the same moment, both interleavings."""

    def test_recorded_between_lookup_and_hold(self, aws, monkeypatch):
        real_hold = delivery_store.hold_early_events
        calls = []

        def record_first(message_id, events, known):
            if not calls:  # the other Lambda records the message right after our lookup missed
                calls.append(1)
                recording.record_recipients("c-race", [RecipientIn.model_validate(recipient("L-1", "wamid.RACE1"))])
            return real_hold(message_id, events, known)

        monkeypatch.setattr(delivery_store, "hold_early_events", record_first)
        ingest.apply_statuses([meta_status("wamid.RACE1", "delivered", 1793527300)])
        assert calls and row_of("c-race", "L-1").delivery_status == "delivered"
        recount_equals_summary(aws, "c-race")

    def test_status_held_between_read_and_link(self, aws, monkeypatch):
        real_link = delivery_store.link_message
        calls = []

        def hold_first(message_id, campaign_id, lead_id, seen):
            if not calls:  # the webhook holds a status after recording read the link
                calls.append(1)
                ingest.apply_statuses([meta_status("wamid.RACE2", "read", 1793527300)])
            return real_link(message_id, campaign_id, lead_id, seen)

        monkeypatch.setattr(delivery_store, "link_message", hold_first)
        recording.record_recipients("c-race", [RecipientIn.model_validate(recipient("L-2", "wamid.RACE2"))])
        assert calls and row_of("c-race", "L-2").delivery_status == "read"
        recount_equals_summary(aws, "c-race")

    def test_threads_racing_never_lose_a_status(self, aws):
        ids = [f"wamid.T{i}" for i in range(30)]
        barrier = threading.Barrier(2)

        def webhooks():
            barrier.wait()
            for i, message_id in enumerate(ids):
                ingest.apply_statuses([meta_status(message_id, "read", 1793527300 + i)])

        def records():
            barrier.wait()
            for i, message_id in enumerate(ids):
                recording.record_recipients("c-threads", [RecipientIn.model_validate(recipient(f"L-{i}", message_id))])

        threads = [threading.Thread(target=webhooks), threading.Thread(target=records)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(row_of("c-threads", f"L-{i}").delivery_status == "read" for i in range(len(ids)))
        recount_equals_summary(aws, "c-threads")


class LambdaDied(BaseException):
    """Not an Exception: nothing in the handler catches it, as with a killed container."""


def fail_nth_put(n: int, error: BaseException):
    count = {"puts": 0}

    def hook(**_):
        count["puts"] += 1
        if count["puts"] == n:
            raise error

    client = aws_clients.dynamodb().meta.client
    client.meta.events.register("before-call.dynamodb.PutItem", hook, unique_id="fault-injection")
    return lambda: client.meta.events.unregister("before-call.dynamodb.PutItem", unique_id="fault-injection")


class TestFaults:
    def _clean_state(self, gateway):
        return all_rows(gateway, CAMPAIGN), gateway.handle("GET", f"/campaigns/{CAMPAIGN}/summary").json()

    def test_crash_between_writes_then_meta_retries(self, aws, gateway):
        record(gateway, CAMPAIGN, recipients_body()["recipients"])
        payloads = [p.read_bytes() for p in sorted((EVENTS / "webhooks").glob("*.json"))]
        for raw in payloads[:2]:
            post_webhook(gateway, raw)
        remove = fail_nth_put(4, LambdaDied())
        try:
            with pytest.raises(LambdaDied):
                post_webhook(gateway, payloads[2])  # 11 statuses: dies after 3 row writes
        finally:
            remove()
        for raw in payloads[2:]:  # Meta retries the one that got no 200, then goes on
            assert post_webhook(gateway, raw).status == 200
        crashed = self._clean_state(gateway)
        recount_equals_summary(aws, CAMPAIGN)
        aws.reset()
        replay_sample_campaign(gateway)
        assert crashed == self._clean_state(gateway)

    def test_store_error_quarantines_and_redrive_applies_exactly_once(self, aws, gateway):
        record(gateway, CAMPAIGN, recipients_body()["recipients"])
        payloads = [p.read_bytes() for p in sorted((EVENTS / "webhooks").glob("*.json"))]
        throttled = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutItem")
        remove = fail_nth_put(5, throttled)
        try:
            for raw in payloads:
                assert post_webhook(gateway, raw).status == 200
        finally:
            remove()
        items = gateway.handle("GET", "/quarantine").json()["items"]
        assert len(items) == 1 and "store failure" in items[0]["reason"]
        redriven = gateway.handle("POST", f"/quarantine/{items[0]['id']}/redrive").json()
        assert redriven["outcome"] == "applied"
        assert gateway.handle("GET", "/quarantine").json()["items"] == []
        # Events of later payloads were applied before the redrive: the order does not matter.
        state = self._clean_state(gateway)
        recount_equals_summary(aws, CAMPAIGN)
        aws.reset()
        replay_sample_campaign(gateway)
        assert state == self._clean_state(gateway)


class TestStreamRetries:
    def _records(self):
        streams = boto3.client("dynamodbstreams")
        arn = boto3.client("dynamodb").describe_table(TableName="CampaignDeliveryTable")["Table"]["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
        return json.loads(json.dumps([{**r, "eventSourceARN": arn} for r in records], default=str))

    def test_retried_split_and_overlapping_batches_count_once(self, aws, gateway):
        replay_sample_campaign(gateway)
        before = gateway.handle("GET", f"/campaigns/{CAMPAIGN}/summary").json()
        records = self._records()
        counter = aws.function("functions/counter")
        half = len(records) // 2
        for batch in (records, records[:half], records[half:], records[half // 2 : half + 10]):
            counter.invoke({"Records": batch})
        assert gateway.handle("GET", f"/campaigns/{CAMPAIGN}/summary").json() == before


EVENT_STRATEGY = st.lists(
    st.tuples(
        st.sampled_from(["wamid.H0", "wamid.H1", "wamid.H2"]),
        st.sampled_from(["sent", "delivered", "read", "played", "failed", "deleted"]),
        st.integers(min_value=1793527200, max_value=1793527260),
        st.sampled_from([None, 131026, 131049]),
    ),
    min_size=1,
    max_size=12,
)


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=EVENT_STRATEGY, data=st.data())
def test_any_order_and_duplication_gives_the_same_rows_and_summary(local_aws, events, data):
    """The same events, once in order and once shuffled with duplicates and in random POSTs."""
    results = []
    for variant in ("plain", "chaos"):
        campaign = f"c-h-{uuid.uuid4().hex[:8]}"
        # Message ids are WhatsApp's, unique across campaigns: each run gets its own.
        recording.record_recipients(
            campaign, [RecipientIn.model_validate(recipient(f"L-{i}", f"{campaign}.wamid.H{i}")) for i in range(3)]
        )
        sequence = [meta_status(f"{campaign}.{m}", s, t, c if s == "failed" else None) for m, s, t, c in events]
        if variant == "chaos":
            sequence = data.draw(st.permutations(sequence + data.draw(st.lists(st.sampled_from(sequence), max_size=6))))
        cut = data.draw(st.integers(min_value=0, max_value=len(sequence))) if variant == "chaos" else len(sequence)
        for chunk in (sequence[:cut], sequence[cut:]):
            if chunk:
                ingest.apply_statuses(chunk)
        local_aws.pump.drain()
        recount_equals_summary(local_aws, campaign)  # the counters agree with the rows, in both variants
        rows = [row_of(campaign, f"L-{i}") for i in range(3)]
        summary = queries.campaign_summary(campaign)
        results.append(
            (
                [(r.delivery_status, r.delivery_error_code, r.updated_at) for r in rows],
                summary.delivery_status,
                [(e.code, e.count) for e in summary.delivery_errors],
            )
        )
    assert results[0] == results[1]


def test_one_post_of_1000_statuses_over_several_entries_applies_every_one(aws, gateway):
    """Meta's largest batch: 1,000 statuses in one POST, spread over entries and changes."""
    campaign = "c-batch"
    leads = [f"L-{i:04d}" for i in range(500)]
    for start in (0, 250):
        assert record(gateway, campaign, [recipient(l, f"wamid.B{l}") for l in leads[start:start + 250]]).status == 200
    statuses = [status(f"wamid.B{l}", "sent", 1793527300) for l in leads]
    statuses += [status(f"wamid.B{l}", "failed", 1793527310, 131026) if i % 10 == 0
                 else status(f"wamid.B{l}", "read", 1793527320) for i, l in enumerate(leads)]
    entries = [{"id": str(e), "changes": [{"field": "messages", "value": {"statuses": statuses[c::4]}}
                                          for c in (e, e + 2)]} for e in (0, 1)]
    raw = json.dumps({"object": "whatsapp_business_account", "entry": entries}).encode()
    answer = post_webhook(gateway, raw)
    assert (answer.status, answer.json()) == (200, {"status": "applied"})
    aws.pump.drain()
    summary = gateway.handle("GET", f"/campaigns/{campaign}/summary").json()
    assert summary["delivery_status"] == {"not_attempted": 0, "pending": 0, "sent": 0, "delivered": 0,
                                          "read": 450, "failed": 50}
    recount_equals_summary(aws, campaign)
