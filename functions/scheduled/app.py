"""Scheduled and queue-triggered upkeep (see template.yaml): the nightly market recommendations, the sweep of uploads
that never arrived, and the analysis dead-letter queue.

The schedule only cuts the users into ranges and queues one message per range; the recommendations queue's
function (functions/recommend_batch) computes each range, so the night's wall time does not grow with the users
and a failed range is retried, then dead-lettered, alone. ``momentum recommend`` computes everything in one
process instead. ``momentum sweep`` runs the upload sweep by hand.
"""

import json
from typing import Any

import boto3
from momentum import db
from momentum.config import get_settings
from momentum.http import MomentumApp
from momentum.log import log
from momentum.market import recommendations
from momentum.reference import endings

app = MomentumApp("momentum-scheduled")

SQS_BATCH = 10  # the most messages one SendMessageBatch call takes


@app.lambda_function(name="enqueue_recommendations")
def enqueue_recommendations(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Queue every range of users for the recommendations function; returns how many ranges were queued.

    Raises: RuntimeError when no queue is configured or SQS refuses a message (the run fails visibly; the ranges
    already queued are computed, and recomputing them the next night is harmless).
    """
    settings = get_settings()
    if not settings.recommendations_queue_url:
        raise RuntimeError("No recommendations queue configured: set RECOMMENDATIONS_QUEUE_URL")
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url)
    ranges = 0
    pending: list[dict[str, str]] = []

    def send() -> None:
        answer = sqs.send_message_batch(QueueUrl=settings.recommendations_queue_url, Entries=pending)
        if answer.get("Failed"):
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} recommendation batches: {answer['Failed']}")
        pending.clear()

    for users in recommendations.user_batches(db.get_conn(), recommendations.BATCH_USERS):
        pending.append({"Id": str(len(pending)), "MessageBody": json.dumps(users.message())})
        ranges += 1
        if len(pending) == SQS_BATCH:
            send()
    if pending:
        send()
    log("recommendation batches queued", batches=ranges, users_per_batch=recommendations.BATCH_USERS)
    return {"batches": ranges}


@app.lambda_function(name="sweep_uploads")
def sweep_uploads(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """End the tracks whose upload never arrived before its form expired; returns how many."""
    ended = endings.sweep_expired_uploads(db.get_conn())
    log("expired uploads swept", ended=ended)
    return {"ended": ended}


@app.lambda_function(name="end_dead_letters")
def end_dead_letters(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """End the tracks and runs of analysis messages that went to the dead-letter queue."""
    return endings.end_dead_letters(db.get_conn(), event)
