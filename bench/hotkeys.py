"""Hot partition keys at Meta's peak rate for one campaign.

A business number sends up to 1,000 messages/s, so one campaign can bring about 3,000
status webhooks/s. DynamoDB takes at most 1,000 write units/s on one partition key value,
in the table and in each index. This replays one campaign through the real write path
(the API function records what was sent, the webhook function applies Meta's statuses,
the counter function folds the stream once per simulated second) with the statuses
re-timed to exactly `rate` a second, and charges every write unit to its partition key
value (table `pk`, index `gsi1pk`) in the simulated second it happens.

The result is the busiest partition key value in any one simulated second.
"""

from __future__ import annotations

import time
from collections import Counter

from campaign_status import aws as project_aws

from infra.local.runtime import TABLE_NAME

from .meter import DynamoMeter
from .workload import BURST_LAGS, Delivery, Profile, at_fixed_rate, campaign_recipients, replay, status_arrivals

CAMPAIGN = "bench-hot"
LIMIT_PER_KEY = 1000  # DynamoDB's write units per second on one partition key value


def simulate(local_aws, *, recipients: int = 4000, rate: int = 3000, send_rate: int = 1000, seed: int = 11,
             statuses_per_post: int = 100, window: float = 1.0) -> dict:
    """Replay one campaign at `rate` statuses/s; returns the hottest key and what led to it.

    `window` shortens the simulated second for a quick run: writes are counted per window,
    the stream consumer runs once per window (more often than deployed, so counters are
    over- rather than under-counted) and the result is scaled back to write units per second.
    """
    local_aws.reset()
    meter = DynamoMeter(TABLE_NAME).attach(project_aws.dynamodb().meta.client)
    started = time.perf_counter()
    try:
        people = campaign_recipients(CAMPAIGN, recipients, seed)
        arrivals = status_arrivals(CAMPAIGN, people, seed, send_rate=send_rate, profile=Profile(), lags=BURST_LAGS)
        arrivals = at_fixed_rate(arrivals, rate)
        timing = replay(Delivery(local_aws), meter, CAMPAIGN, people, arrivals,
                        statuses_per_post=statuses_per_post, send_rate=send_rate, window=window)
    finally:
        meter.detach()
    hottest, second, key = meter.hottest()
    events_per_window = Counter(int(a.at / window) for a in arrivals)
    full = rate * window
    per_key_totals = Counter()
    for (s, k), v in meter.per_key_second.items():
        if s == second:
            per_key_totals[k] += v
    return {
        "max_writes_per_key_per_s": round(hottest / window),
        "hottest_key": key,
        "hottest_window": second,
        "window_seconds": window,
        "events_in_hottest_window": events_per_window.get(second, 0),
        "full_rate_windows": sum(1 for n in events_per_window.values() if n >= full - 0.5),
        "status_events": len(arrivals),
        "recipients": recipients,
        "rate_per_s": rate,
        "top_keys_in_hottest_window": per_key_totals.most_common(5),
        "write_units": meter.totals.write_units,
        "write_units_per_status": round(meter.totals.write_units / len(arrivals), 3),
        "write_units_by_kind": dict(meter.totals.by_kind),
        "wall_seconds": round(time.perf_counter() - started, 1),
        **timing,
    }
