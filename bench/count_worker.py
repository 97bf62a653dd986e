"""Counts a bulk-loaded campaign with the project's counter function, in its own process:
`python -m bench.count_worker CAMPAIGN ROWS SEED`.

The read benchmark writes 100,000 rows straight into the table; their counters are built by
the counter function from stream records in the shape the stream delivers (INSERT, Keys,
NewImage, SequenceNumber), made here from the same seeded rows. Running it in its own process
lets it use the second core while the main process loads the rows. The environment (moto's
endpoint, the table name) is inherited from the benchmark.
"""

from __future__ import annotations

import json
import sys

from boto3.dynamodb.types import TypeSerializer


def stream_records(items, start: int = 0) -> list[dict]:
    serialize = TypeSerializer().serialize
    records = []
    for offset, item in enumerate(items):
        image = {k: serialize(v) for k, v in item.items()}
        records.append({
            "eventID": f"bench-{start + offset}",
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "Keys": {"pk": image["pk"], "sk": image["sk"]},
                "NewImage": image,
                "SequenceNumber": str(start + offset + 1),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        })
    return records


def count(campaign_id: str, rows: int, seed: int, batch: int = 1000) -> int:
    from campaign_status import delivery_store

    from infra.local.runtime import LocalFunction

    from .rows import synthetic_rows

    counter = LocalFunction("CounterFunction", "functions/counter")
    items, done = [], 0
    for row in synthetic_rows(campaign_id, rows, seed):
        items.append(delivery_store.row_to_item(row))
        if len(items) == batch:
            counter.invoke({"Records": stream_records(items, done)})
            done += len(items)
            items = []
    if items:
        counter.invoke({"Records": stream_records(items, done)})
        done += len(items)
    return done


if __name__ == "__main__":
    campaign, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    print(json.dumps({"counted": count(campaign, n, seed)}))
