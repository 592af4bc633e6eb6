"""``momentum jobs``: list the jobs over all users or rows, and run one now as AWS runs it.

``momentum jobs run NAME`` is the whole path of template.yaml in one process: the job's scheduled producer cuts the
rows into ranges and queues them on an in-process SQS (moto) queue with the template's redrive to a dead-letter
queue, and the queue's function computes each range, a failed one received again until it succeeds or is
dead-lettered. It runs against the local database (the embedded one, or DATABASE_URL). ``momentum dev`` runs the
same producers on their schedules against its own queues.

A purge by age (``momentum.jobs.Purge``) has no queue: ``momentum jobs run NAME`` calls its scheduled function
once, with the time its Timeout gives, as its schedule does.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from momentum.jobs import Purge


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="jobs_command", required=True)
    sub.add_parser("list", help="the jobs and their schedules").set_defaults(func=cmd_list)
    run = sub.add_parser("run", help="run a job now: producer, queue, consumer (as its schedule does in AWS)")
    run.add_argument("name", help="the job (see `momentum jobs list`)")
    run.set_defaults(func=cmd_run)


def cmd_list(args: argparse.Namespace) -> int:
    from momentum import jobs

    from momentum_infra import template as tpl

    wired = tpl.job_wiring()
    for name, job in jobs.all_jobs().items():
        wiring = wired[job.queue_setting.upper()]
        print(f"{name:16} {wiring.producer.expression:20} ranges of {job.batch} {job.table} ids -> {wiring.queue}")
    for name, purge in jobs.all_purges().items():
        trigger = tpl.purge_trigger(purge.handler)
        rows = f"old {purge.table} rows, {purge.batch} a statement"
        print(f"{name:16} {trigger.expression:20} {rows} -> {trigger.function}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    import boto3
    from momentum import db, jobs
    from momentum.config import get_settings
    from moto import mock_aws

    from momentum_infra import localstack
    from momentum_infra import template as tpl
    from momentum_infra.pg import local_database_url

    known, purges = jobs.all_jobs(), jobs.all_purges()
    if args.name not in known and args.name not in purges:
        print(f"momentum jobs run: no job {args.name!r} (jobs: {', '.join([*known, *purges])})", file=sys.stderr)
        return 2
    if args.name in purges:
        return run_purge(purges[args.name])
    wiring = tpl.job_wiring()[known[args.name].queue_setting.upper()]
    saved = dict(os.environ)
    os.environ["DATABASE_URL"] = local_database_url()
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(var, "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.pop("MOMENTUM_AWS_ENDPOINT_URL", None)  # the in-process SQS below, never a real one
    get_settings.cache_clear()
    try:
        with mock_aws():
            sqs = boto3.client("sqs", region_name="us-east-1")
            queues = localstack.create_queues(sqs)
            localstack.point_functions_at_queues(queues)
            run = localstack.run_job(localstack.LocalStack(routes=[]), sqs, queues, args.name, wiring)
    finally:
        db.close_conn()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
    print(
        f"{run.job}: {run.ranges} range(s) queued, {run.deliveries} delivered ({run.failures} failed and retried), "
        f"{run.dead_lettered} dead-lettered, in {run.seconds:.2f}s",
        file=sys.stderr,
    )
    return 1 if run.dead_lettered else 0


def run_purge(purge: Purge) -> int:
    """Call the purge's scheduled function once against the local database; prints what it deleted."""
    from momentum import db
    from momentum.config import get_settings

    from momentum_infra import localstack
    from momentum_infra import template as tpl
    from momentum_infra.pg import local_database_url

    saved = dict(os.environ)
    os.environ["DATABASE_URL"] = local_database_url()
    get_settings.cache_clear()
    try:
        figures = localstack.run_purge(localstack.LocalStack(routes=[]), tpl.purge_trigger(purge.handler))
    finally:
        db.close_conn()
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
    rest = "none left" if figures["finished"] else "more left for the next run"
    print(
        f"{purge.name}: {figures['deleted']} row(s) deleted in {figures['statements']} statement(s), {rest}",
        file=sys.stderr,
    )
    return 0
