"""Deterministic campaigns and Meta status webhooks, and how the benchmarks deliver them.

A campaign is N recipients (2 % never attempted, with an attempt error; the rest with a
WhatsApp message id). Each message gets the statuses Meta would send:

- 5 % fail (`failed` with an error; half of them after a `sent`, half with no `sent`,
  like paced templates);
- the rest: `sent`, then `delivered` (97 %), then `read` (75 % of the delivered);
- 10 % of all statuses arrive twice (a retry, up to 30 s later);
- 20 % of all statuses arrive before the status that precedes them (out of order);
- half the messages carry `biz_opaque_callback_data` (`campaign=..&lead=..`), half leave
  the lookup to the message index.

Everything is drawn from a seeded `random.Random`: the same seed gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from campaign_status.rules import STATUS_RANK
from campaign_status.settings import settings
from campaign_status.signature import signature_for

EPOCH = 1793527200  # 2026-11-01T10:00:00Z, the samples' clock
WABA_ID = "102938475610293"
METADATA = {"display_phone_number": "919167000123", "phone_number_id": "412398765432101"}
ERRORS = [
    (131026, "Message undeliverable", "Message Undeliverable."),
    (131049, "This message was not delivered to maintain healthy ecosystem engagement.",
     "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."),
    (130472, "User's number is part of an experiment",
     "Failed to send message because this user's phone number is part of an experiment"),
    (131056, "(Business Account, Consumer Account) pair rate limit hit",
     "Message failed to send because there were too many messages sent from this phone number to the same phone number."),
    (132015, "Template is paused", "Template is paused due to low quality so it cannot be sent in a template message."),
]
STEP_DETAILS = ["Template diwali_offer_v2", 'Template "diwali", v2', "दिवाली ऑफ़र", "=CONCAT(A1)"]


@dataclass
class Profile:
    not_attempted: float = 0.02
    failed: float = 0.05
    delivered: float = 0.97
    read: float = 0.75
    duplicates: float = 0.10
    out_of_order: float = 0.20
    opaque: float = 0.5


@dataclass(order=True)
class Arrival:
    at: float
    seq: int
    message_id: str = field(compare=False)
    status: dict = field(compare=False)
    duplicate: bool = field(default=False, compare=False)
    out_of_order: bool = field(default=False, compare=False)


def message_id_for(campaign_id: str, phone: str, i: int) -> str:
    digest = hashlib.sha256(f"{campaign_id}/{i}".encode()).hexdigest()[:20].upper()
    raw = f"\x18\x0c{phone[1:]}\x15\x02\x00\x11\x18\x14{digest}\x00".encode()
    return "wamid." + base64.b64encode(raw).decode().rstrip("=")


def campaign_recipients(campaign_id: str, n: int, seed: int, profile: Profile | None = None) -> list[dict]:
    """The recipients as the campaign sender records them (RecipientIn JSON), in send order."""
    profile = profile or Profile()
    rnd = random.Random(f"recipients/{campaign_id}/{seed}")
    recipients = []
    for i in range(n):
        phone = f"+91{rnd.randrange(6000000000, 9999999999)}"
        step_ts = EPOCH - 60 + i // 1000
        item = {
            "lead_id": f"L-{i:07d}",
            "phone": phone,
            "step": {
                "name": "Diwali offer",
                "status": "Executed",
                "details": STEP_DETAILS[i % len(STEP_DETAILS)],
                "timestamp": _iso(step_ts),
            },
        }
        if rnd.random() < profile.not_attempted:
            item["phone"] = "+91000" if i % 2 else "12345"
            item["step"]["status"] = "Skipped"
            code = "invalid_number" if i % 3 else "opted_out"
            item["attempt_error"] = {"code": code, "message": code.replace("_", " ").capitalize()}
        else:
            item["message_id"] = message_id_for(campaign_id, phone, i)
        recipients.append(item)
    return recipients


def _iso(ts: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def _status(message_id: str, recipient: dict, campaign_id: str, value: str, at: float, rnd, opaque: bool,
            error: tuple | None = None) -> dict:
    status = {
        "id": message_id,
        "status": value,
        "timestamp": str(EPOCH + int(at)),
        "recipient_id": recipient["phone"][1:],
    }
    if opaque:
        status["biz_opaque_callback_data"] = f"campaign={campaign_id}&lead={recipient['lead_id']}"
    if value == "sent" and rnd.random() < 0.5:
        status["conversation"] = {"id": hashlib.md5(message_id.encode()).hexdigest(), "origin": {"type": "marketing"}}
        status["pricing"] = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "marketing"}
    if error is not None:
        code, title, details = error
        status["errors"] = [{"code": code, "title": title, "message": title, "error_data": {"details": details},
                             "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]
    return status


def status_arrivals(
    campaign_id: str,
    recipients: list[dict],
    seed: int,
    *,
    send_rate: float,
    profile: Profile | None = None,
    lags: dict | None = None,
) -> list[Arrival]:
    """Every status webhook item of the campaign with the time (seconds after the first send) it reaches us."""
    profile = profile or Profile()
    lags = lags or REALISTIC_LAGS
    rnd = random.Random(f"statuses/{campaign_id}/{seed}")
    per_message: list[list[Arrival]] = []
    seq = 0
    sent_index = 0
    for recipient in recipients:
        message_id = recipient.get("message_id")
        if not message_id:
            continue
        t0 = sent_index / send_rate
        sent_index += 1
        opaque = rnd.random() < profile.opaque
        chain: list[tuple[str, float, tuple | None]] = []
        if rnd.random() < profile.failed:
            error = ERRORS[rnd.randrange(len(ERRORS))]
            t = t0 + lags["sent"](rnd)
            if error[0] != 132015 and rnd.random() < 0.5:
                chain.append(("sent", t, None))
                t += lags["delivered"](rnd)
            chain.append(("failed", t, error))
        else:
            t = t0 + lags["sent"](rnd)
            chain.append(("sent", t, None))
            if rnd.random() < profile.delivered:
                t += lags["delivered"](rnd)
                chain.append(("delivered", t, None))
                if rnd.random() < profile.read:
                    t += lags["read"](rnd)
                    chain.append(("read", t, None))
        arrivals = []
        for value, at, error in chain:
            arrivals.append(Arrival(at, seq, message_id, _status(message_id, recipient, campaign_id, value, at, rnd, opaque, error)))
            seq += 1
        per_message.append(arrivals)

    total = sum(len(a) for a in per_message)
    # Out of order: a status arrives before the one Meta produced just ahead of it.
    candidates = sum(len(a) - 1 for a in per_message)
    p_swap = min(1.0, profile.out_of_order * total / candidates) if candidates else 0.0
    for arrivals in per_message:
        for i in range(1, len(arrivals)):
            if rnd.random() < p_swap:
                a, b = arrivals[i - 1], arrivals[i]
                a.at, b.at = b.at, a.at
                b.out_of_order = True
    flat = [a for arrivals in per_message for a in arrivals]
    # Duplicates: Meta delivers the same status again a little later.
    for original in list(flat):
        if rnd.random() < profile.duplicates:
            flat.append(Arrival(original.at + rnd.uniform(0.5, 30.0), seq, original.message_id, dict(original.status), True))
            seq += 1
    flat.sort()
    return flat


REALISTIC_LAGS = {
    # Meta acknowledges within a second or two, the phone within seconds, the person within minutes.
    "sent": lambda r: r.uniform(0.3, 2.0),
    "delivered": lambda r: 0.1 + r.expovariate(1 / 2.0),
    "read": lambda r: min(900.0, 1.0 + r.expovariate(1 / 90.0)),
}
BURST_LAGS = {
    "sent": lambda r: r.uniform(0.0, 1.0),
    "delivered": lambda r: r.uniform(0.5, 1.5),
    "read": lambda r: r.uniform(0.5, 2.0),
}


def at_fixed_rate(arrivals: list[Arrival], per_second: int) -> list[Arrival]:
    """The same arrivals in the same order, re-timed to exactly `per_second` a second."""
    ordered = sorted(arrivals)
    for rank, arrival in enumerate(ordered):
        arrival.at = rank / per_second
    return ordered


def expected_final(recipients: list[dict], arrivals: list[Arrival]) -> dict[str, int]:
    """The summary counts the rank rule gives for these statuses, computed without the product."""
    best: dict[str, str] = {}
    for arrival in arrivals:
        value = arrival.status["status"]
        current = best.get(arrival.message_id)
        if current is None or STATUS_RANK[value] > STATUS_RANK[current]:
            best[arrival.message_id] = value
    counts: dict[str, int] = defaultdict(int)
    for recipient in recipients:
        if "message_id" not in recipient:
            counts["not_attempted"] += 1
        else:
            counts[best.get(recipient["message_id"], "pending")] += 1
    return dict(counts)


# --- payloads -------------------------------------------------------------------------


def meta_body(statuses: list[dict], contacts: list[dict] | None = None) -> bytes:
    """A status webhook as Meta sends it: compact JSON with `/` escaped and non-ASCII as \\u escapes."""
    value = {"messaging_product": "whatsapp", "metadata": METADATA}
    if contacts is not None:
        value["contacts"] = contacts
    value["statuses"] = statuses
    body = {"object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}]}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode()


def signed_headers(body: bytes) -> dict[str, str]:
    return {"content-type": "application/json", "x-hub-signature-256": signature_for(body, settings().app_secret)}


def chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Delivery:
    """Calls the project's functions the way API Gateway would, without the local
    gateway's stream drain after each POST: the benchmark decides when the stream
    consumer runs (once per simulated second, like the deployed 1 s batching window)."""

    def __init__(self, aws):
        from infra.local.gateway import LocalGateway

        self.aws = aws
        self.gateway = LocalGateway(aws)

    def call(self, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, dict]:
        route = next(r for r in self.gateway.routes if r.matches(method, path))
        event = self.gateway._event(method, path, "", headers or {}, body, route)
        result = self.aws.functions[route.function].invoke(event)
        raw = result.get("body") or "{}"
        return int(result.get("statusCode", 200)), json.loads(raw)

    def record(self, campaign_id: str, recipients: list[dict]) -> None:
        for batch in chunks(recipients, 1000):
            body = json.dumps({"recipients": batch}).encode()
            status, answer = self.call("POST", f"/campaigns/{campaign_id}/recipients", body, {"content-type": "application/json"})
            if status != 200:
                raise RuntimeError(f"recording failed: {status} {answer}")

    def webhook(self, statuses: list[dict]) -> None:
        body = meta_body(statuses)
        status, answer = self.call("POST", "/webhooks/whatsapp", body, signed_headers(body))
        if status != 200 or answer.get("status") != "applied":
            raise RuntimeError(f"webhook not applied: {status} {answer}")


def replay(delivery: Delivery, meter, campaign_id: str, recipients: list[dict], arrivals: list[Arrival],
           *, statuses_per_post: int, send_rate: float, window: float = 1.0) -> dict:
    """Deliver a campaign window by window (a window is one simulated second unless told
    otherwise): the sender records what it sent in that window, Meta posts that window's
    statuses, then the stream consumer runs once, as the deployed 1 s batching window makes it.

    A recipient is recorded no later than the window of its first status: the benchmarks
    measure the steady state, not statuses that overtake their recording.
    """
    first_arrival: dict[str, float] = {}
    for a in arrivals:
        first_arrival[a.message_id] = min(a.at, first_arrival.get(a.message_id, math.inf))
    record_at: dict[int, list[dict]] = defaultdict(list)
    sent_index = 0
    for recipient in recipients:
        if "message_id" in recipient:
            at = min(sent_index / send_rate, first_arrival.get(recipient["message_id"], math.inf))
            sent_index += 1
        else:
            at = max(0, sent_index - 1) / send_rate
        record_at[int(at / window)].append(recipient)
    post_at: dict[int, list[dict]] = defaultdict(list)
    for a in arrivals:
        post_at[int(a.at / window)].append(a.status)
    windows = sorted(set(record_at) | set(post_at))
    posts = 0
    for index in windows:
        meter.clock = index
        if record_at.get(index):
            meter.phase = "recording"
            delivery.record(campaign_id, record_at[index])
        meter.phase = "webhooks"
        for batch in chunks(post_at.get(index, []), statuses_per_post):
            delivery.webhook(batch)
            posts += 1
        meter.phase = "stream"
        delivery.aws.pump.drain()
    meter.clock = meter.phase = None
    return {"simulated_seconds": round(((windows[-1] + 1) if windows else 0) * window, 3), "webhook_posts": posts}
