"""Uploads always finish: a file that is not the one declared, a file that never arrives, and an analysis whose
messages all failed each end the track as ``error`` with a message the client can show."""

# ruff: noqa: F811 (the upload fixtures are imported from test_reference_upload and named as parameters)
from __future__ import annotations

import json

import pytest
from momentum.reference import endings
from momentum.reference import runs as run_state
from momentum.reference.storage import reanalysis_notification

from functions.scheduled.app import end_dead_letters
from tests.integration.reference.test_reference_upload import create_track, put_file, runs, track_row
from tests.reference_support import wav_bytes


def test_a_file_larger_than_declared_is_refused_with_a_readable_error(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, size=len(data) - 1)
    put_file(uploads, created, data)

    assert handler(uploads.sqs_event(uploads.receive())) == {"batchItemFailures": []}

    status, error, *_ = track_row(conn, created["track"]["id"])
    assert status == "error"
    assert error.startswith(f"The uploaded file is {len(data)} bytes, but the track was created for a file of ")
    assert runs(conn, created["track"]["id"]) == [("error", error)]


def test_an_empty_file_is_refused_by_its_size(uploads, reference, handler, make_user, conn):
    user = make_user()
    created = create_track(reference, user, size=1000)
    put_file(uploads, created, b"")
    handler(uploads.sqs_event(uploads.receive()))
    assert track_row(conn, created["track"]["id"])[:2] == (
        "error",
        "The uploaded file is 0 bytes, but the track was created for a file of 1000 bytes; add the track again "
        "with its file",
    )


def test_a_file_of_another_type_is_refused(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, mime_type="audio/mpeg", data=data)
    uploads.s3.put_object(Bucket=uploads.bucket, Key=created["track"]["r2_key"], Body=data, ContentType="audio/wav")

    handler(uploads.sqs_event(uploads.receive()))

    status, error, *_ = track_row(conn, created["track"]["id"])
    assert status == "error"
    assert "of type audio/wav, but the track was created for audio/mpeg" in error


def test_the_declared_file_is_analysed(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    put_file(uploads, created, data)
    handler(uploads.sqs_event(uploads.receive()))
    assert track_row(conn, created["track"]["id"])[0] == "ready"


def expire(conn, track_id, seconds_ago):
    conn.execute(
        "UPDATE reference_tracks SET created_at = now() - make_interval(secs => %s) WHERE id = %s",
        (seconds_ago, track_id),
    )


def test_the_sweep_ends_tracks_whose_upload_never_arrived(uploads, sweep_queue, reference, make_user, conn):
    from momentum.config import get_settings

    ttl = get_settings().upload_url_ttl_seconds
    user = make_user()
    expired = create_track(reference, user, name="never uploaded")["track"]["id"]
    fresh = create_track(reference, user, name="uploading now")["track"]["id"]
    analysing = create_track(reference, user, name="being analysed")["track"]["id"]
    expire(conn, expired, ttl + 1)
    expire(conn, fresh, ttl - 60)
    expire(conn, analysing, ttl + 1)
    run_state.claim_run(conn, analysing, "content", "0")

    # As template.yaml runs it: the schedule queues ranges of processing tracks, the queue's function sweeps them
    run = sweep_job(uploads, sweep_queue)
    assert run.ranges >= 1 and run.deliveries == run.ranges and (run.failures, run.dead_lettered) == (0, 0)

    assert track_row(conn, expired)[:2] == ("error", endings.UPLOAD_NEVER_ARRIVED)
    assert runs(conn, expired) == [("error", endings.UPLOAD_NEVER_ARRIVED)]
    assert track_row(conn, fresh)[0] == "processing"
    assert track_row(conn, analysing)[0] == "processing"
    # Nothing left to end: a second sweep changes nothing
    assert endings.sweep_expired_uploads(conn) == 0


def template_queues(sqs) -> dict[str, str]:
    """The template's queues, as the uploads fixture created them on moto."""
    from momentum_infra import template as tpl

    names = [name for name, r in tpl.load_template()["Resources"].items() if r["Type"] == "AWS::SQS::Queue"]
    return {name: sqs.get_queue_url(QueueName=f"local-{name}")["QueueUrl"] for name in names}


@pytest.fixture()
def sweep_queue(uploads, monkeypatch):
    """The sweep's producer points at the sweep's queue; returns the template's queues."""
    from momentum.config import get_settings

    queues = template_queues(uploads.sqs)
    monkeypatch.setenv("UPLOAD_SWEEP_QUEUE_URL", queues["UploadSweepQueue"])
    get_settings.cache_clear()
    yield queues
    monkeypatch.delenv("UPLOAD_SWEEP_QUEUE_URL")
    get_settings.cache_clear()


def sweep_job(uploads, queues):
    """The sweep as template.yaml runs it, to the end (``momentum jobs run upload-sweep``)."""
    from momentum_infra import localstack
    from momentum_infra import template as tpl

    wiring = tpl.job_wiring()["UPLOAD_SWEEP_QUEUE_URL"]
    return localstack.run_job(localstack.LocalStack(routes=[]), uploads.sqs, queues, "upload-sweep", wiring)


def test_a_late_file_after_the_sweep_is_still_analysed(uploads, reference, handler, make_user, conn):
    from momentum.config import get_settings

    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    track_id = created["track"]["id"]
    expire(conn, track_id, get_settings().upload_url_ttl_seconds + 1)
    endings.sweep_expired_uploads(conn)
    assert track_row(conn, track_id)[0] == "error"

    put_file(uploads, created, data)
    handler(uploads.sqs_event(uploads.receive()))
    assert track_row(conn, track_id)[:2] == ("ready", None)


def dead_letter_event(bucket, key, message_id="dead-1"):
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": "handle",
                "body": json.dumps(reanalysis_notification(bucket, key)),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:AnalysisDeadLetterQueue",
            }
        ]
    }


def test_a_dead_letter_ends_its_track_and_runs(uploads, reference, make_user, conn):
    user = make_user()
    waiting = create_track(reference, user, name="waiting")["track"]
    running = create_track(reference, user, name="running")["track"]
    run_state.claim_run(conn, running["id"], "content", "0")

    for track in (waiting, running):
        assert end_dead_letters(dead_letter_event(uploads.bucket, track["r2_key"]), None) == {"batchItemFailures": []}
        assert track_row(conn, track["id"])[:2] == ("error", endings.GAVE_UP)
        assert runs(conn, track["id"]) == [("error", endings.GAVE_UP)]


def test_a_dead_letter_of_finished_work_changes_nothing(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    put_file(uploads, created, data)
    handler(uploads.sqs_event(uploads.receive()))

    end_dead_letters(dead_letter_event(uploads.bucket, created["track"]["r2_key"]), None)

    assert track_row(conn, created["track"]["id"])[:2] == ("ready", None)
    assert runs(conn, created["track"]["id"]) == [("completed", None)]


@pytest.mark.parametrize("body", ["{not json", json.dumps({"Records": []})])
def test_unreadable_dead_letters_are_dropped(uploads, body):
    event = dead_letter_event(uploads.bucket, "tracks/x")
    event["Records"][0]["body"] = body
    assert end_dead_letters(event, None) == {"batchItemFailures": []}


def test_the_local_stack_runs_the_sweep_on_its_schedule(uploads, sweep_queue, reference, make_user, conn):
    """`momentum dev` runs the template's schedules, and the sweep's producer feeds the queue its function polls;
    here five minutes pass in half a second."""
    import threading
    import time

    from momentum.config import get_settings
    from momentum_infra import localstack

    user = make_user()
    track_id = create_track(reference, user, name="forgotten")["track"]["id"]
    expire(conn, track_id, get_settings().upload_url_ttl_seconds + 1)
    stop = threading.Event()
    try:
        stack = localstack.LocalStack()
        delivery = localstack.start_queue_delivery(stack, None, sweep_queue)
        assert "SweepUploadsFunction" in localstack.start_schedules(stack, stop, speedup=600)
        deadline = time.monotonic() + 10
        while track_row(conn, track_id)[0] == "processing" and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        delivery.set()
        for thread in threading.enumerate():
            if thread.name.startswith(("schedule-", "sqs-")):
                thread.join(5)  # each closes its database connection as it ends
    assert track_row(conn, track_id)[:2] == ("error", endings.UPLOAD_NEVER_ARRIVED)


class DownStorage:
    """S3 unreachable on every read, the way an outage looks to the analysis."""

    def read(self, bucket, key, max_bytes):
        from botocore.exceptions import EndpointConnectionError

        raise EndpointConnectionError(endpoint_url="https://s3.amazonaws.com")


def test_a_message_that_keeps_failing_reaches_the_dead_letter_queue_and_ends_its_track(
    uploads, reference, make_user, conn
):
    """The whole path as template.yaml wires it: three failed receives, the redrive, the dead-letter handler."""
    from momentum.reference import pipeline

    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    for waiting in uploads.receive():  # S3's test event: out of the way
        uploads.sqs.delete_message(QueueUrl=uploads.queue_url, ReceiptHandle=waiting["ReceiptHandle"])
    put_file(uploads, created, data)
    for _ in range(3):  # the queue's maxReceiveCount
        messages = uploads.sqs.receive_message(QueueUrl=uploads.queue_url, VisibilityTimeout=0, AttributeNames=["All"])[
            "Messages"
        ]
        failed = pipeline.handle_event(uploads.sqs_event(messages), store=DownStorage())["batchItemFailures"]
        assert failed == [{"itemIdentifier": messages[0]["MessageId"]}]
    assert "Messages" not in uploads.sqs.receive_message(QueueUrl=uploads.queue_url, VisibilityTimeout=0)
    assert track_row(conn, created["track"]["id"])[0] == "processing"

    dead = uploads.sqs.receive_message(QueueUrl=uploads.dead_letter_queue_url)["Messages"]
    assert end_dead_letters(uploads.sqs_event(dead), None) == {"batchItemFailures": []}

    assert track_row(conn, created["track"]["id"])[:2] == ("error", endings.GAVE_UP)
    assert runs(conn, created["track"]["id"]) == [("error", endings.GAVE_UP)]
