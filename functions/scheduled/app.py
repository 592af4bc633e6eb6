"""Scheduled and queue-triggered upkeep (see template.yaml): the jobs over all users or all rows, and the analysis
dead-letter queue.

Each job (``momentum.jobs``) runs the same way: its schedule calls a producer here, which only cuts the rows into
ranges and queues one message per range; the job's queue function computes each range (the recommendations in
functions/recommend_batch, the upload sweep's ranges here), so a job's wall time does not grow with the rows and a
failed range is retried, then dead-lettered, alone. ``momentum jobs run NAME`` runs a job the same way locally;
``momentum recommend`` and ``momentum sweep`` compute everything in one process instead.

A purge of one table by age (``jobs.all_purges``) needs no queue: its schedule calls its function here, which
deletes in bounded batches within the function's time (``momentum jobs run NAME`` calls it the same way).
"""

from typing import Any

import boto3
from momentum import db, jobs
from momentum.config import get_settings
from momentum.http import MomentumApp
from momentum.log import log
from momentum.reference import endings

app = MomentumApp("momentum-scheduled")


def enqueue(name: str) -> int:
    """Queue every range of the job ``name`` on its queue; returns how many ranges were queued.

    Raises: RuntimeError when the job's queue is not configured or SQS refuses a message (see ``jobs.enqueue``).
    """
    job = jobs.all_jobs()[name]
    settings = get_settings()
    queue_url = getattr(settings, job.queue_setting)
    if not queue_url:
        raise RuntimeError(f"No queue configured for the {name} job: set {job.queue_setting.upper()}")
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url)
    return jobs.enqueue(db.get_conn(), job, sqs, queue_url)


@app.lambda_function(name="enqueue_recommendations")
def enqueue_recommendations(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The nightly recommendations: a message per range of users; returns how many ranges were queued."""
    return {"batches": enqueue("recommendations")}


@app.lambda_function(name="enqueue_upload_sweep")
def enqueue_upload_sweep(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The upload sweep (every five minutes): a message per range of tracks still processing."""
    return {"batches": enqueue("upload-sweep")}


def purge(name: str, context: Any) -> dict[str, Any]:
    """Run the purge ``name`` until none of its rows are left or the function's time is nearly up: it stops taking
    new batches once less than one statement's timeout (and a few seconds to answer) remains."""
    job = jobs.all_purges()[name]
    reserve = get_settings().statement_timeout_ms / 1000 + 5
    seconds = max(1.0, context.get_remaining_time_in_millis() / 1000 - reserve)
    figures = dict(job.run(db.get_conn(), job.batch, seconds))
    log("purge done", job=name, **figures)
    return figures


@app.lambda_function(name="purge_rate_limit_events")
def purge_rate_limit_events(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Hourly: delete the abuse-limit events no limit counts any more (``limits.purge``)."""
    return purge("rate-limit-purge", context)


@app.lambda_function(name="sweep_upload_range")
def sweep_upload_range(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """End the expired uploads of one range of tracks per queue message (SQS's partial batch response)."""
    return jobs.handle(jobs.all_jobs()["upload-sweep"], event)


@app.lambda_function(name="end_dead_letters")
def end_dead_letters(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """End the tracks and runs of analysis messages that went to the dead-letter queue."""
    return endings.end_dead_letters(db.get_conn(), event)
