"""Recompute the recommendations of one range of users per queue message (the nightly fan-out's worker).

Returns SQS's partial batch response: a message whose range failed is retried on its own (then dead-lettered),
the others are done.
"""

import json
import logging
from dataclasses import asdict
from typing import Any

from momentum import db
from momentum.log import log
from momentum.market import recommendations


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        try:
            users = recommendations.UserRange.from_message(json.loads(record["body"]))
            run = recommendations.recommend_range(db.get_conn(), users)
        except Exception:  # noqa: BLE001 - any failure retries this message alone
            log("recommendation batch failed", logging.ERROR, exc_info=True, message_id=record.get("messageId"))
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            log("recommendation batch computed", **asdict(run))
    return {"batchItemFailures": failures}
