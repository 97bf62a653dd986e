"""Unit tests for the pure delivery status rules (CONTRACT.md "Delivery status rules" and "Recording")."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from campaign_status.models import AttemptError, RecipientIn, RecipientRow, Step, StatusEvent
from campaign_status.rules import (
    STATUS_RANK,
    add_events,
    derive_delivery,
    effective_status,
    event_history,
    record_step,
)

CAMPAIGN = "c-diwali-2026"
T0 = 1793527200  # 2026-11-01T10:00:00Z, when the first webhooks of the sample arrive
STEP_AT = datetime(2026, 11, 1, 9, 59, 0, tzinfo=timezone.utc)
MSG = "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgUMTVBNTFDQUJBOTJBMTc0OTYxQTUA"
OLD_MSG = "wamid.HBgMOTE5ODc2NTQzMjEwFQIAERgUOLDOLDOLDOLDOLDOLDOLDOLDOLDA"


def at(offset: int) -> datetime:
    return datetime.fromtimestamp(T0 + offset, tz=timezone.utc)


def step(when: datetime = STEP_AT, name: str = "Diwali offer", status: str = "Executed") -> Step:
    return Step(name=name, status=status, details="Template diwali_offer_v2", timestamp=when)


def sent_to(message_id: str = MSG, when: datetime = STEP_AT, phone: str = "+919876543210", name: str = "Diwali offer") -> RecipientIn:
    return RecipientIn(lead_id="L-1001", phone=phone, step=step(when, name), message_id=message_id)


def skipped(when: datetime = STEP_AT, code: str = "invalid_number") -> RecipientIn:
    return RecipientIn(
        lead_id="L-1001",
        phone="+91000",
        step=step(when, status="Skipped"),
        attempt_error=AttemptError(code=code, message="Phone number is invalid"),
    )


def ev(status: str, offset: int = 0, code: int | None = None, title: str | None = None, details: str | None = None) -> StatusEvent:
    return StatusEvent(status=status, timestamp=T0 + offset, error_code=code, error_title=title, error_details=details)


def failed_131026(offset: int = 0) -> StatusEvent:
    return ev("failed", offset, 131026, "Receiver is incapable of receiving this message", "Message Undeliverable.")


def recorded(message_id: str = MSG) -> RecipientRow:
    row = record_step(CAMPAIGN, None, sent_to(message_id))
    assert row is not None
    return row


def apply(row: RecipientRow, *events: StatusEvent, message_id: str = MSG) -> RecipientRow:
    """Apply events one at a time, keeping the row when add_events says nothing changed."""
    for event in events:
        row = add_events(row, message_id, [event]) or row
    return row


def delivery(row: RecipientRow) -> tuple:
    return (
        row.delivery_status,
        row.delivery_error_code,
        row.delivery_error_title,
        row.delivery_error_details,
        row.updated_at,
    )


# --- starting state ----------------------------------------------------------


def test_recorded_recipient_with_message_id_starts_pending() -> None:
    row = recorded()
    assert row.delivery_status == "pending"
    assert row.message_id == MSG
    assert row.attempt_error is None
    assert row.delivery_error_code is None
    assert row.delivery_error_title is None
    assert row.delivery_error_details is None
    assert row.events == {}
    assert row.updated_at == STEP_AT
    assert row.campaign_id == CAMPAIGN
    assert row.lead_id == "L-1001"
    assert row.step == step()


def test_not_attempted_row_from_attempt_error() -> None:
    row = record_step(CAMPAIGN, None, skipped())
    assert row is not None
    assert row.delivery_status == "not_attempted"
    assert row.message_id is None
    assert row.attempt_error == AttemptError(code="invalid_number", message="Phone number is invalid")
    assert (row.delivery_error_code, row.delivery_error_title, row.delivery_error_details) == (None, None, None)
    assert row.updated_at == STEP_AT
    assert row.step.status == "Skipped"


def test_newer_attempt_error_step_makes_a_sent_row_not_attempted() -> None:
    row = apply(recorded(), ev("delivered", 5))
    newer = record_step(CAMPAIGN, row, skipped(when=STEP_AT + timedelta(hours=1), code="opted_out"))
    assert newer is not None
    assert newer.delivery_status == "not_attempted"
    assert newer.message_id is None
    assert newer.attempt_error is not None and newer.attempt_error.code == "opted_out"
    # the old message's history is kept
    assert newer.events[MSG] == [ev("delivered", 5)]


# --- rank ---------------------------------------------------------------------


def test_status_rank_is_pending_sent_failed_delivered_read() -> None:
    assert sorted(STATUS_RANK, key=STATUS_RANK.__getitem__) == ["pending", "sent", "failed", "delivered", "read"]
    assert len(set(STATUS_RANK.values())) == len(STATUS_RANK)


RANKED = ["sent", "failed", "delivered", "read"]
PAIRS = [(low, high) for i, low in enumerate(RANKED) for high in RANKED[i + 1 :]]


@pytest.mark.parametrize(("low", "high"), PAIRS)
def test_higher_status_wins_whatever_the_order(low: str, high: str) -> None:
    low_event, high_event = ev(low, 1), ev(high, 2)
    forward = apply(recorded(), low_event, high_event)
    backward = apply(recorded(), high_event, low_event)
    assert forward.delivery_status == high
    assert backward.delivery_status == high


@pytest.mark.parametrize("status", RANKED)
def test_any_known_status_moves_a_pending_row(status: str) -> None:
    assert apply(recorded(), ev(status, 1)).delivery_status == status


def test_played_counts_as_read() -> None:
    assert effective_status("played") == "read"
    assert apply(recorded(), ev("played", 3)).delivery_status == "read"
    # a later delivered (lower rank) does not pull a played message back
    assert apply(recorded(), ev("played", 3), ev("delivered", 4)).delivery_status == "read"
    assert apply(recorded(), ev("failed", 1, 131026), ev("played", 3)).delivery_status == "read"


def test_late_sent_never_unfails() -> None:
    failed = apply(recorded(), failed_131026(7))
    late = apply(failed, ev("sent", 1))
    assert late.delivery_status == "failed"
    assert late.delivery_error_code == 131026
    assert late.delivery_error_details == "Message Undeliverable."
    # even a sent stamped after the failure does not un-fail it
    later = apply(failed, ev("sent", 60))
    assert later.delivery_status == "failed"
    assert later.delivery_error_code == 131026


def test_late_delivered_after_read_stays_read() -> None:
    row = apply(recorded(), ev("read", 10), ev("delivered", 5))
    assert row.delivery_status == "read"


# --- duplicates --------------------------------------------------------------


def test_duplicate_event_changes_nothing() -> None:
    row = apply(recorded(), ev("sent", 1), failed_131026(5))
    assert add_events(row, MSG, [failed_131026(5)]) is None
    assert add_events(row, MSG, [ev("sent", 1), failed_131026(5), ev("sent", 1)]) is None


def test_duplicate_inside_one_batch_is_stored_once() -> None:
    row = add_events(recorded(), MSG, [ev("delivered", 3), ev("delivered", 3), ev("sent", 1)])
    assert row is not None
    assert row.events[MSG] == [ev("delivered", 3), ev("sent", 1)]
    assert row.delivery_status == "delivered"


def test_batch_with_one_new_event_stores_only_the_new_one() -> None:
    row = apply(recorded(), ev("sent", 1))
    after = add_events(row, MSG, [ev("sent", 1), ev("delivered", 2)])
    assert after is not None
    assert after.events[MSG] == [ev("sent", 1), ev("delivered", 2)]
    assert after.delivery_status == "delivered"


# --- failed without errors ----------------------------------------------------


@pytest.mark.parametrize(
    "bare_offset",
    [2, 9],
    ids=["bare-failed-stamped-earlier", "bare-failed-stamped-later"],
)
@pytest.mark.parametrize("bare_first", [False, True], ids=["errored-arrives-first", "bare-arrives-first"])
def test_failed_without_errors_never_erases_a_stored_error(bare_offset: int, bare_first: bool) -> None:
    errored, bare = ev("failed", 5, 131056, "Pair rate limit hit", "Too many messages to this user"), ev("failed", bare_offset)
    events = (bare, errored) if bare_first else (errored, bare)
    row = apply(recorded(), *events)
    assert row.delivery_status == "failed"
    assert row.delivery_error_code == 131056
    assert row.delivery_error_title == "Pair rate limit hit"
    assert row.delivery_error_details == "Too many messages to this user"


def test_failed_without_errors_alone_is_failed_with_no_code() -> None:
    row = apply(recorded(), ev("sent", 1), ev("failed", 2))
    assert row.delivery_status == "failed"
    assert row.delivery_error_code is None


# --- unknown statuses ---------------------------------------------------------


def test_unknown_status_is_kept_in_history_and_changes_no_delivery_field() -> None:
    delivered = apply(recorded(), ev("sent", 1), ev("delivered", 3))
    deleted = ev("deleted", 1)  # stamped before the latest event, so updated_at cannot move either
    row = add_events(delivered, MSG, [deleted])
    assert row is not None, "the unknown event must be stored"
    assert deleted in row.events[MSG]
    assert (MSG, deleted) in event_history(row)
    assert row.model_dump(exclude={"events"}) == delivered.model_dump(exclude={"events"})


def test_unknown_status_on_a_pending_row_keeps_it_pending() -> None:
    row = apply(recorded(), ev("deleted", 4))
    assert row.delivery_status == "pending"
    assert row.events[MSG] == [ev("deleted", 4)]


def test_unknown_status_after_failed_keeps_the_error() -> None:
    row = apply(recorded(), failed_131026(3), ev("deleted", 1))
    assert (row.delivery_status, row.delivery_error_code) == ("failed", 131026)


def test_unknown_status_stamped_later_does_not_move_updated_at() -> None:
    delivered = apply(recorded(), ev("delivered", 3))
    row = add_events(delivered, MSG, [ev("deleted", 600)])
    assert row is not None
    assert row.updated_at == delivered.updated_at == at(3)


# --- steps and messages --------------------------------------------------------


def test_events_for_an_older_steps_message_stay_in_history_but_do_not_change_the_newer_row() -> None:
    first = apply(recorded(OLD_MSG), ev("sent", 1), message_id=OLD_MSG)
    newer = record_step(CAMPAIGN, first, sent_to(MSG, when=STEP_AT + timedelta(hours=1), name="Reminder"))
    assert newer is not None
    assert (newer.message_id, newer.delivery_status, newer.step.name) == (MSG, "pending", "Reminder")

    late_old = add_events(newer, OLD_MSG, [failed_131026(30), ev("read", 40)])
    assert late_old is not None, "the old message's events are stored"
    assert late_old.events[OLD_MSG] == [ev("sent", 1), failed_131026(30), ev("read", 40)]
    assert late_old.model_dump(exclude={"events"}) == newer.model_dump(exclude={"events"})
    history = event_history(late_old)
    assert (OLD_MSG, failed_131026(30)) in history and (OLD_MSG, ev("read", 40)) in history

    # and the new message still moves the row
    current = add_events(late_old, MSG, [ev("delivered", 50)])
    assert current is not None
    assert (current.delivery_status, current.delivery_error_code) == ("delivered", None)


def test_newer_step_replaces_the_row_and_starts_pending() -> None:
    first = apply(recorded(OLD_MSG), ev("read", 2), message_id=OLD_MSG)
    assert first.delivery_status == "read"
    newer = record_step(
        CAMPAIGN, first, sent_to(MSG, when=STEP_AT + timedelta(days=1), phone="+919876543299", name="Reminder")
    )
    assert newer is not None
    assert newer.step.name == "Reminder"
    assert newer.step.timestamp == STEP_AT + timedelta(days=1)
    assert newer.phone == "+919876543299"
    assert newer.message_id == MSG
    assert newer.delivery_status == "pending"
    assert newer.updated_at == STEP_AT + timedelta(days=1)
    assert newer.events[OLD_MSG] == [ev("read", 2)]


def test_status_arriving_before_recording_applies() -> None:
    row = record_step(CAMPAIGN, None, sent_to(), early_events=[ev("sent", 1), failed_131026(4)])
    assert row is not None
    assert row.delivery_status == "failed"
    assert row.delivery_error_code == 131026
    assert row.events[MSG] == [ev("sent", 1), failed_131026(4)]
    assert row.updated_at == at(4)


def test_early_events_for_a_newer_step_apply_to_the_new_message() -> None:
    first = apply(recorded(OLD_MSG), ev("read", 2), message_id=OLD_MSG)
    newer = record_step(CAMPAIGN, first, sent_to(MSG, when=STEP_AT + timedelta(hours=2)), early_events=[ev("delivered", 9)])
    assert newer is not None
    assert (newer.message_id, newer.delivery_status, newer.updated_at) == (MSG, "delivered", at(9))


def test_older_step_recorded_late_does_not_replace_the_newer_step() -> None:
    newest = apply(record_step(CAMPAIGN, None, sent_to(MSG, when=STEP_AT + timedelta(hours=1), name="Reminder")), ev("delivered", 3))
    late_older = sent_to(OLD_MSG, when=STEP_AT, name="Diwali offer")

    assert record_step(CAMPAIGN, newest, late_older) is None

    with_events = record_step(CAMPAIGN, newest, late_older, early_events=[failed_131026(1)])
    assert with_events is not None, "the older message's early events still go into the history"
    assert with_events.events[OLD_MSG] == [failed_131026(1)]
    assert with_events.model_dump(exclude={"events"}) == newest.model_dump(exclude={"events"})


def test_step_order_does_not_depend_on_recording_order() -> None:
    old, new = sent_to(OLD_MSG, when=STEP_AT), sent_to(MSG, when=STEP_AT + timedelta(minutes=5), name="Reminder")
    a = record_step(CAMPAIGN, record_step(CAMPAIGN, None, old), new)
    b = record_step(CAMPAIGN, None, new)
    assert record_step(CAMPAIGN, b, old) is None
    assert a is not None and b is not None
    assert a.model_dump(exclude={"events", "version"}) == b.model_dump(exclude={"events", "version"})


def test_rerecording_the_identical_step_returns_none() -> None:
    row = apply(recorded(), ev("delivered", 3))
    assert record_step(CAMPAIGN, row, sent_to()) is None
    early = record_step(CAMPAIGN, None, sent_to(), early_events=[ev("sent", 1)])
    assert early is not None
    assert record_step(CAMPAIGN, early, sent_to(), early_events=[ev("sent", 1)]) is None
    not_attempted = record_step(CAMPAIGN, None, skipped())
    assert not_attempted is not None
    assert record_step(CAMPAIGN, not_attempted, skipped()) is None


# --- updated_at and history ----------------------------------------------------


def test_updated_at_is_the_latest_event_time() -> None:
    row = apply(recorded(), ev("delivered", 30), ev("sent", 10), ev("read", 50))
    assert row.updated_at == at(50)
    # an event stamped earlier, arriving last, does not pull updated_at back
    row = apply(row, failed_131026(20))
    assert row.updated_at == at(50)


def test_updated_at_ignores_other_messages_events() -> None:
    row = apply(recorded(), ev("sent", 10))
    row = apply(row, ev("read", 500), message_id=OLD_MSG)
    assert row.updated_at == at(10)


def test_derive_delivery_recomputes_from_the_stored_events() -> None:
    row = apply(recorded(), ev("sent", 1), failed_131026(2))
    stale = row.model_copy(update={"delivery_status": "pending", "delivery_error_code": None, "updated_at": STEP_AT})
    assert delivery(derive_delivery(stale)) == delivery(row)


def test_event_history_is_oldest_first_across_messages() -> None:
    row = apply(recorded(), ev("read", 30), ev("sent", 10))
    row = apply(row, ev("delivered", 20), ev("sent", 5), message_id=OLD_MSG)
    history = event_history(row)
    assert [e.timestamp for _, e in history] == [T0 + 5, T0 + 10, T0 + 20, T0 + 30]
    assert [m for m, _ in history] == [OLD_MSG, MSG, OLD_MSG, MSG]


# --- properties: order and count of delivery never matter ---------------------

# Error content fixed by code (Meta sends one title/details per code).
ERRORS = {
    131026: ("Receiver is incapable of receiving this message", "Message Undeliverable."),
    131049: ("This message was not delivered to maintain healthy ecosystem engagement.", None),
    131056: (None, "Pair rate limit hit"),
}
MESSAGE_IDS = (MSG, OLD_MSG, "wamid.third")


@st.composite
def status_events(draw, free_error_text: bool = False) -> tuple[str, StatusEvent]:
    # mostly the row's current message, sometimes another message of the lead
    message_id = draw(st.sampled_from([MSG, MSG, MSG, MSG, OLD_MSG, "wamid.third"]))
    status = draw(st.sampled_from(["sent", "delivered", "read", "played", "failed", "failed", "failed", "deleted", "warning"]))
    offset = draw(st.integers(0, 6))  # a narrow range, so timestamps tie often
    code = title = details = None
    if status == "failed":
        code = draw(st.sampled_from([None, 131026, 131049, 131056]))
        if code is not None:
            if free_error_text:
                title = draw(st.sampled_from([None, "Title A", "Title B"]))
                details = draw(st.sampled_from([None, "Details A", "Details B"]))
            else:
                title, details = ERRORS[code]
    return message_id, ev(status, offset, code, title, details)


def _apply_sequence(row: RecipientRow, sequence: list[tuple[str, StatusEvent]], batch_breaks: list[bool]) -> RecipientRow:
    """Apply (message id, event) pairs in this order, grouping consecutive same-message events into one call."""
    batches: list[tuple[str, list[StatusEvent]]] = []
    for i, (message_id, event) in enumerate(sequence):
        if batches and batches[-1][0] == message_id and not batch_breaks[i % len(batch_breaks)]:
            batches[-1][1].append(event)
        else:
            batches.append((message_id, [event]))
    for message_id, events in batches:
        row = add_events(row, message_id, events) or row
    return row


PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(data=st.data(), events=st.lists(status_events(), min_size=1, max_size=12))
def test_final_state_does_not_depend_on_order_or_duplicates(data, events) -> None:
    base = recorded()
    reference = _apply_sequence(base, events, [True])

    copies = data.draw(st.lists(st.integers(1, 3), min_size=len(events), max_size=len(events)), label="copies")
    multiset = [pair for pair, n in zip(events, copies) for _ in range(n)]
    shuffled = data.draw(st.permutations(multiset), label="delivery order")
    breaks = data.draw(st.lists(st.booleans(), min_size=1, max_size=8), label="batch breaks")
    replayed = _apply_sequence(base, shuffled, breaks)

    assert delivery(replayed) == delivery(reference)
    # the stored history is the same set of distinct events, each once
    for message_id in MESSAGE_IDS:
        stored = replayed.events.get(message_id, [])
        assert len(stored) == len(set(stored))
        assert set(stored) == {e for m, e in events if m == message_id}


@PROPERTY_SETTINGS
@given(
    data=st.data(),
    errored=st.lists(st.tuples(st.integers(0, 6), st.sampled_from(sorted(ERRORS))), min_size=1, max_size=4),
    bare=st.lists(st.integers(0, 6), min_size=1, max_size=4),
    sent=st.lists(st.integers(0, 6), max_size=3),
)
def test_failed_without_errors_never_erases_an_error_in_any_order(data, errored, bare, sent) -> None:
    events = (
        [ev("failed", t, code, *ERRORS[code]) for t, code in errored]
        + [ev("failed", t) for t in bare]
        + [ev("sent", t) for t in sent]
    )
    reference = apply(recorded(), *events)
    assert reference.delivery_status == "failed"
    assert reference.delivery_error_code in ERRORS
    shuffled = data.draw(st.permutations(events), label="delivery order")
    assert delivery(apply(recorded(), *shuffled)) == delivery(reference)


@PROPERTY_SETTINGS
@given(events=st.lists(status_events(), min_size=1, max_size=12))
def test_replaying_everything_again_changes_nothing(events) -> None:
    row = _apply_sequence(recorded(), events, [True])
    for message_id, event in events:
        assert add_events(row, message_id, [event]) is None


@PROPERTY_SETTINGS
@given(events=st.lists(status_events(), min_size=1, max_size=12))
def test_final_state_is_the_same_when_the_events_arrive_before_recording(events) -> None:
    """Events for the recorded message held back and passed as early_events give the same row."""
    applied = _apply_sequence(recorded(), events, [True])
    early = [e for m, e in events if m == MSG]
    held = record_step(CAMPAIGN, None, sent_to(), early_events=early)
    assert held is not None
    assert delivery(held) == delivery(applied)


@PROPERTY_SETTINGS
@given(events=st.lists(status_events(free_error_text=True), min_size=1, max_size=12))
@example(
    events=[
        (MSG, ev("failed", 3, 131026, "Title A", "Details A")),
        (MSG, ev("failed", 3, 131026, "Title B", "Details B")),
    ]
)
def test_final_error_text_does_not_depend_on_order_when_texts_differ(events) -> None:
    forward = _apply_sequence(recorded(), events, [True])
    backward = _apply_sequence(recorded(), list(reversed(events)), [True])
    assert delivery(forward) == delivery(backward)
