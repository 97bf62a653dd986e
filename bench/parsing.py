"""CPU per status for signature + parse + validation, ours against pywa 4.5 (storage excluded).

Both sides get the same bytes: webhooks of 1,000 statuses each (Meta's largest batch),
drawn from the same campaign generator as the replays (sent/delivered/read/failed with
errors, conversation/pricing on some, opaque callback data on half), compact and escaped
as Meta sends them.

pywa 4.5 builds a status from `value.contacts[i]` and requires the contact's `user_id`
(business-scoped user id); it raises KeyError without them (Meta omits `contacts` on many
status webhooks, failed ones in particular). So every payload here carries one contact per
status with `user_id`, `wa_id` and a profile, which we ignore and pywa reads.

- ours: `signature.is_signed_by` + `MetaWebhook.model_validate_json` + `MetaWebhook.statuses()`
  (which validates each status item on its own) + `StatusEvent.from_meta` for each status
  (what the webhook function does before touching DynamoDB);
- pywa: `utils.webhook_updates_validator` (its signature check) + `json.loads` (what its
  `RawUpdate` does) + `MessageStatus.from_update(client, update, contact_idx=i, status_idx=i)`
  for each status (its dispatcher builds only status 0 of a batch; we ask for all of them).

Each side runs over all payloads in rounds; a round's CPU time (time.process_time) is
divided by the statuses it parsed, and the best round is kept (the least disturbed by
other processes).
"""

from __future__ import annotations

import json
import time

from campaign_status.models import MetaWebhook, StatusEvent
from campaign_status.signature import is_signed_by, signature_for

from .workload import BURST_LAGS, Profile, campaign_recipients, chunks, meta_body, status_arrivals

SECRET = "bench-app-secret"


def payloads(count: int = 8, per_payload: int = 1000, seed: int = 3) -> list[tuple[bytes, str]]:
    people = campaign_recipients("bench-parse", count * per_payload // 2, seed)
    arrivals = status_arrivals("bench-parse", people, seed, send_rate=1000, profile=Profile(), lags=BURST_LAGS)
    statuses = [a.status for a in arrivals][: count * per_payload]
    out = []
    for batch in chunks(statuses, per_payload):
        contacts = [{"profile": {"name": f"Customer {s['recipient_id'][-4:]}"}, "wa_id": s["recipient_id"],
                     "user_id": f"IN.{s['recipient_id']}"} for s in batch]
        body = meta_body(batch, contacts=contacts)
        out.append((body, signature_for(body, SECRET)))
    return out


def ours(bodies: list[tuple[bytes, str]]) -> int:
    n = 0
    for body, header in bodies:
        if not is_signed_by(body, header, SECRET):
            raise AssertionError("signature rejected")
        payload = MetaWebhook.model_validate_json(body)
        found = payload.statuses()
        # `statuses()` returns (readable, problems) since items are validated one by one.
        readable, problems = found if isinstance(found, tuple) else (found, [])
        if problems:
            raise AssertionError(f"statuses rejected: {problems[:3]}")
        events = [StatusEvent.from_meta(s) for s in readable]
        n += len(events)
    return n


def pywa_side():
    from pywa import WhatsApp, utils
    from pywa.types import MessageStatus

    client = WhatsApp(phone_id="412398765432101", token="bench", app_secret=SECRET)

    def parse(bodies: list[tuple[bytes, str]]) -> int:
        n = 0
        for body, header in bodies:
            if not utils.webhook_updates_validator(app_secret=SECRET, request_body=body, x_hub_signature=header):
                raise AssertionError("signature rejected")
            update = json.loads(body)
            statuses = update["entry"][0]["changes"][0]["value"]["statuses"]
            objects = [MessageStatus.from_update(client, update, contact_idx=i, status_idx=i) for i in range(len(statuses))]
            n += len(objects)
        return n

    return parse


def _best_us_per_status(parse, bodies, rounds: int) -> tuple[float, list[float]]:
    per_round = []
    for _ in range(rounds):
        start = time.process_time()
        n = parse(bodies)
        per_round.append((time.process_time() - start) / n * 1e6)
    return min(per_round), per_round


def run(rounds: int = 7) -> dict:
    bodies = payloads()
    pywa_parse = pywa_side()
    # Both must accept every status before timing means anything.
    statuses = ours(bodies)
    if pywa_parse(bodies) != statuses:
        raise AssertionError("pywa and ours parsed different numbers of statuses")
    ours_us, ours_rounds = _best_us_per_status(ours, bodies, rounds)
    pywa_us, pywa_rounds = _best_us_per_status(pywa_parse, bodies, rounds)
    return {
        "ingest_us_per_status": round(ours_us, 2),
        "pywa_us_per_status": round(pywa_us, 2),
        "ingest_vs_pywa_ratio": round(ours_us / pywa_us, 3),
        "details": {
            "payloads": len(bodies),
            "statuses_per_payload": statuses // len(bodies),
            "payload_bytes": [len(b) for b, _ in bodies][:3],
            "ours_us_rounds": [round(x, 2) for x in ours_rounds],
            "pywa_us_rounds": [round(x, 2) for x in pywa_rounds],
        },
    }
