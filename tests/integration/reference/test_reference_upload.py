"""The upload path on moto, as template.yaml wires it: presigned POST -> bucket -> ObjectCreated notification ->
analysis queue -> analysis function -> rows. Bad files end in a clear error without retries; redeliveries and
concurrent deliveries make one analysis."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from momentum.reference import pipeline
from momentum.reference import runs as run_state
from momentum.reference.storage import get_storage

from tests.helpers import run_concurrently
from tests.reference_support import (
    analysis_context,
    click_track,
    encode,
    load_event,
    wav_bytes,
)

TRACK_NAME = "My Song + Friends (Live)"


def create_track(reference, user, name=TRACK_NAME, mime_type="audio/wav", size=1_000_000, data=None):
    """A track declared for ``data`` (its size) when given: the analysis refuses a file of another size."""
    size = len(data) if data is not None else size
    response = reference.post(
        "/reference/tracks",
        headers=user.headers,
        body=json.dumps({"name": name, "mime_type": mime_type, "file_size_bytes": size}),
    )
    assert response.status_code == 201, response.body
    return response.json_body


def track_row(conn, track_id):
    return conn.execute(
        "SELECT status, error_message, bpm, key_signature, duration_seconds FROM reference_tracks WHERE id = %s",
        (track_id,),
    ).fetchone()


def runs(conn, track_id):
    return conn.execute(
        "SELECT status, error_message FROM track_analyses WHERE track_id = %s ORDER BY created_at", (track_id,)
    ).fetchall()


def put_file(uploads, created, data):
    """Store the track's file directly (not through the form), with the type the track declared."""
    track = created["track"]
    uploads.s3.put_object(Bucket=uploads.bucket, Key=track["r2_key"], Body=data, ContentType=track["mime_type"])


def upload_and_receive(uploads, created, data):
    assert uploads.upload(created["upload"], data) == 204
    messages = uploads.receive()
    assert messages, "the bucket notification put no message on the analysis queue"
    return messages


def test_upload_reaches_the_analysis_through_the_queue(uploads, reference, handler, make_user, conn):
    # Given a track created through the API, its file POSTed with the presigned form
    user = make_user()
    data = wav_bytes(seconds=8.0, bpm=120.0)
    created = create_track(reference, user, data=data)
    key = created["track"]["r2_key"]
    assert key == f"tracks/{user.id}/{created['track']['id']}/{TRACK_NAME}.wav"
    messages = upload_and_receive(uploads, created, data)
    # S3 sends the key URL-encoded: spaces as '+', '+' as %2B
    bodies = [json.loads(m["Body"]) for m in messages]
    assert any(b.get("Event") == "s3:TestEvent" for b in bodies)
    (sent_key,) = [r["s3"]["object"]["key"] for b in bodies for r in b.get("Records", [])]
    assert sent_key.endswith("My+Song+%2B+Friends+%28Live%29.wav") and unquote_plus(sent_key) == key

    # When the analysis function gets the queue's messages
    result = handler(uploads.sqs_event(messages))

    # Then the track is ready with its tempo, key and duration, and the analysis is stored whole
    assert result == {"batchItemFailures": []}
    status, error, bpm, key_signature, duration = track_row(conn, created["track"]["id"])
    assert (status, error) == ("ready", None)
    assert bpm == pytest.approx(120.0, rel=0.04)
    assert key_signature and duration == pytest.approx(8.0, abs=0.05)
    assert runs(conn, created["track"]["id"]) == [("completed", None)]
    manifest = conn.execute(
        "SELECT m.id, m.frame_count, m.bytes_per_frame, m.total_chunks, m.fingerprint, m.analyzer_version "
        "FROM analysis_frame_manifests m JOIN track_analyses a ON a.id = m.analysis_id WHERE a.track_id = %s",
        (created["track"]["id"],),
    ).fetchone()
    manifest_id, frame_count, bytes_per_frame, total_chunks, fingerprint, version = manifest
    assert fingerprint and version
    chunks = conn.execute(
        "SELECT frame_data, frame_count, compressed, compression_type FROM analysis_frame_data "
        "WHERE manifest_id = %s ORDER BY chunk_index",
        (manifest_id,),
    ).fetchall()
    assert len(chunks) == total_chunks >= 1
    assert sum(c[1] for c in chunks) == frame_count
    for data, count, compressed, compression in chunks:
        raw = zlib.decompress(data) if compressed else data
        assert compression == ("zlib" if compressed else None)
        assert len(raw) == count * bytes_per_frame
    kinds = dict(
        conn.execute(
            "SELECT event_type, count(*) FROM analysis_events e JOIN track_analyses a ON a.id = e.analysis_id "
            "WHERE a.track_id = %s GROUP BY event_type",
            (created["track"]["id"],),
        ).fetchall()
    )
    assert kinds["beat"] >= 12 and kinds["downbeat"] >= 3


def test_a_plain_s3_event_is_analysed_too(uploads, handler, make_user, reference, conn):
    user = make_user()
    data = wav_bytes(seconds=4.0)
    created = create_track(reference, user, data=data)
    put_file(uploads, created, data)

    result = handler(load_event("s3_object_created", bucket=uploads.bucket, key=created["track"]["r2_key"]))

    assert result == {"batchItemFailures": []}
    assert track_row(conn, created["track"]["id"])[0] == "ready"


def test_redelivery_makes_no_second_analysis(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=4.0)
    created = create_track(reference, user, data=data)
    messages = upload_and_receive(uploads, created, data)
    handler(uploads.sqs_event(messages))
    first = conn.execute(
        "SELECT id, completed_at FROM track_analyses WHERE track_id = %s", (created["track"]["id"],)
    ).fetchall()

    # The same messages again, and the same object as a plain S3 event
    assert handler(uploads.sqs_event(messages)) == {"batchItemFailures": []}
    handler(load_event("s3_object_created", bucket=uploads.bucket, key=created["track"]["r2_key"]))

    assert (
        conn.execute(
            "SELECT id, completed_at FROM track_analyses WHERE track_id = %s", (created["track"]["id"],)
        ).fetchall()
        == first
    )
    assert conn.execute(
        "SELECT count(*) FROM analysis_frame_manifests WHERE analysis_id = %s", (first[0][0],)
    ).fetchone() == (1,)


def test_concurrent_deliveries_of_one_upload_make_one_analysis(uploads, reference, make_user, conn):
    from functions.analyze_track.app import handler

    user = make_user()
    data = wav_bytes(seconds=4.0)
    created = create_track(reference, user, data=data)
    put_file(uploads, created, data)

    results = run_concurrently(
        lambda i: handler(
            load_event("sqs_s3_object_created", bucket=uploads.bucket, key=created["track"]["r2_key"]),
            analysis_context(),
        ),
        6,
    )

    assert all(r == {"batchItemFailures": []} for r in results), results
    assert runs(conn, created["track"]["id"]) == [("completed", None)]
    assert conn.execute(
        "SELECT count(*) FROM analysis_frame_manifests m JOIN track_analyses a ON a.id = m.analysis_id "
        "WHERE a.track_id = %s",
        (created["track"]["id"],),
    ).fetchone() == (1,)


def test_concurrent_claims_start_one_run(uploads, reference, make_user, conn, database_url):
    from momentum import db

    user = make_user()
    created = create_track(reference, user)

    def claim(_):
        with db.connect(database_url) as own:
            return run_state.claim_run(own, created["track"]["id"], "same content", "1.0.0")

    results = run_concurrently(claim, 8)

    started = [r for r in results if isinstance(r, run_state.Claim)]
    assert len(started) == 1, results
    assert all(r == run_state.Plan(run_state.Step.DUPLICATE) for r in results if r not in started)


def _truncated_wav() -> bytes:
    data = wav_bytes(seconds=6.0)
    return data[: len(data) // 2]


# (An empty file never reaches the decoder: no track declares 0 bytes, so the size check refuses it first; see
# tests/integration/test_upload_completion.py.)
BAD_FILES = {
    "corrupt": (b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8, "audio/wav", "not a supported audio file"),
    "truncated": (_truncated_wav(), "audio/wav", "truncated"),
    "mislabelled": (b"This is a text file, not an MP3.\n" * 40, "audio/mpeg", "not a supported audio file"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_sets_the_track_to_error_without_retries(case, uploads, reference, handler, make_user, conn):
    data, mime_type, reason = BAD_FILES[case]
    user = make_user()
    created = create_track(reference, user, name=f"bad {case}", mime_type=mime_type, size=max(1, len(data)))
    # put_object: an empty body could not pass the presigned form's size range, but the handler must cope anyway
    uploads.s3.put_object(Bucket=uploads.bucket, Key=created["track"]["r2_key"], Body=data, ContentType=mime_type)
    messages = uploads.receive()

    result = handler(uploads.sqs_event(messages))
    again = handler(uploads.sqs_event(messages))

    assert result == again == {"batchItemFailures": []}
    status, error, *_ = track_row(conn, created["track"]["id"])
    assert status == "error"
    assert error.startswith("The file could not be decoded as audio") and reason in error, error
    assert runs(conn, created["track"]["id"]) == [("error", error)]


def test_an_unknown_key_is_dropped(uploads, handler, conn):
    key = "tracks/nobody/nothing/ghost track.wav"
    uploads.s3.put_object(Bucket=uploads.bucket, Key=key, Body=wav_bytes(seconds=2.0))
    before = conn.execute("SELECT count(*) FROM track_analyses").fetchone()

    result = handler(uploads.sqs_event(uploads.receive()))

    assert result == {"batchItemFailures": []}
    assert conn.execute("SELECT count(*) FROM track_analyses").fetchone() == before


def test_the_s3_test_event_and_removals_are_ignored(uploads, handler, conn):
    before = conn.execute("SELECT count(*) FROM track_analyses").fetchone()
    assert handler(load_event("sqs_s3_test_event", bucket=uploads.bucket)) == {"batchItemFailures": []}
    assert handler(load_event("s3_object_removed", bucket=uploads.bucket)) == {"batchItemFailures": []}
    assert conn.execute("SELECT count(*) FROM track_analyses").fetchone() == before


def test_an_unreadable_message_is_dropped_not_retried(uploads, handler):
    event = load_event("sqs_s3_object_created", bucket=uploads.bucket)
    event["Records"][0]["body"] = "{not json"
    assert handler(event) == {"batchItemFailures": []}


class FlakyStorage:
    """Reads fail the way an S3 outage does, until told otherwise."""

    def __init__(self, real):
        self.real, self.failing = real, True

    def read(self, bucket, key, max_bytes):
        if self.failing:
            from botocore.exceptions import EndpointConnectionError

            raise EndpointConnectionError(endpoint_url="https://s3.amazonaws.com")
        return self.real.read(bucket, key, max_bytes)


def test_a_transient_failure_is_retried_through_the_batch_response(uploads, reference, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    put_file(uploads, created, data)
    event = load_event(
        "sqs_s3_object_created", bucket=uploads.bucket, key=created["track"]["r2_key"], message_id="retry-me"
    )
    store = FlakyStorage(get_storage())

    assert pipeline.handle_event(event, store=store) == {"batchItemFailures": [{"itemIdentifier": "retry-me"}]}
    assert runs(conn, created["track"]["id"]) == [("pending", None)]

    store.failing = False
    assert pipeline.handle_event(event, store=store) == {"batchItemFailures": []}
    assert track_row(conn, created["track"]["id"])[0] == "ready"


def test_a_transient_failure_of_a_plain_s3_event_raises_for_lambdas_retry(uploads, reference, make_user):
    user = make_user()
    created = create_track(reference, user)
    event = load_event("s3_object_created", bucket=uploads.bucket, key=created["track"]["r2_key"])
    with pytest.raises(pipeline.RetryLater):
        pipeline.handle_event(event, store=FlakyStorage(get_storage()))


def test_another_running_analysis_makes_the_delivery_wait(uploads, reference, handler, make_user, conn):
    # Given an analysis of other content of this track, started a moment ago and still running
    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    put_file(uploads, created, data)
    run_state.claim_run(conn, created["track"]["id"], "other content", "0")
    event = load_event(
        "sqs_s3_object_created", bucket=uploads.bucket, key=created["track"]["r2_key"], message_id="wait"
    )

    assert handler(event) == {"batchItemFailures": [{"itemIdentifier": "wait"}]}
    assert track_row(conn, created["track"]["id"])[0] == "processing"


def test_a_run_that_died_twice_is_failed_not_retried_again(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    track_id = created["track"]["id"]
    put_file(uploads, created, data)
    event = load_event("sqs_s3_object_created", bucket=uploads.bucket, key=created["track"]["r2_key"])
    handler(event)
    # Two attempts that died mid-way (out of time or memory) look like a run left "running" long ago
    died = (
        "UPDATE track_analyses SET status = 'running', started_at = now() - interval '1 hour', "
        "manifest = manifest || jsonb_build_object('attempts', %s) WHERE track_id = %s"
    )

    conn.execute(died, (1, track_id))
    handler(event)
    assert runs(conn, track_id) == [("completed", None)]  # the first death is retried

    conn.execute(died, (2, track_id))
    assert handler(event) == {"batchItemFailures": []}
    assert runs(conn, track_id) == [("error", run_state.STALE_RUN_MESSAGE)]
    assert track_row(conn, track_id)[:2] == ("error", run_state.STALE_RUN_MESSAGE)


def test_a_file_over_the_limit_is_refused_before_it_is_read(uploads, reference, handler, make_user, conn, monkeypatch):
    from momentum.config import get_settings

    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    put_file(uploads, created, data)
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "1000")
    get_settings.cache_clear()

    assert handler(uploads.sqs_event(uploads.receive())) == {"batchItemFailures": []}

    status, error, *_ = track_row(conn, created["track"]["id"])
    assert status == "error" and "more than the 1000 allowed" in error
    assert runs(conn, created["track"]["id"])[0][0] == "error"


def test_reanalysis_goes_through_the_queue_and_replaces_the_result(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=4.0)
    created = create_track(reference, user, data=data)
    track_id = created["track"]["id"]
    handler(uploads.sqs_event(upload_and_receive(uploads, created, data)))
    old = conn.execute("SELECT id FROM track_analyses WHERE track_id = %s", (track_id,)).fetchone()[0]

    response = reference.post(f"/reference/tracks/{track_id}/reanalyze", headers=user.headers)
    assert response.status_code == 202 and response.json_body["status"] == "pending"
    assert response.json_body["version"] is None
    assert track_row(conn, track_id)[0] == "processing"
    messages = uploads.receive()
    handler(uploads.sqs_event(messages))

    assert runs(conn, track_id) == [("completed", None)]
    new = conn.execute("SELECT id FROM track_analyses WHERE track_id = %s", (track_id,)).fetchone()[0]
    assert str(new) == response.json_body["id"] != str(old)
    assert track_row(conn, track_id)[0] == "ready"
    # The request's message redelivered: nothing more
    handler(uploads.sqs_event(messages))
    assert conn.execute("SELECT id FROM track_analyses WHERE track_id = %s", (track_id,)).fetchall() == [(new,)]


def test_deleting_a_track_removes_its_file_and_rows(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, data=data)
    track_id = created["track"]["id"]
    handler(uploads.sqs_event(upload_and_receive(uploads, created, data)))

    assert reference.delete(f"/reference/tracks/{track_id}", headers=user.headers).status_code == 204

    listed = uploads.s3.list_objects_v2(Bucket=uploads.bucket, Prefix=f"tracks/{user.id}/")
    assert listed.get("KeyCount", 0) == 0
    assert conn.execute("SELECT count(*) FROM track_analyses WHERE track_id = %s", (track_id,)).fetchone() == (0,)


def test_an_analysis_finishing_after_its_track_was_deleted_stores_nothing(uploads, reference, make_user, conn):
    user = make_user()
    created = create_track(reference, user)
    claim = run_state.claim_run(conn, created["track"]["id"], "content", "0")
    conn.execute("DELETE FROM reference_tracks WHERE id = %s", (created["track"]["id"],))

    from momentum.analysis import analyze

    result = analyze(click_track(seconds=2.0), 22050)
    assert run_state.complete_run(conn, claim, result) is False
    assert run_state.fail_run(conn, claim, "whatever") is False


def test_other_formats_are_analysed(uploads, reference, handler, make_user, conn):
    user = make_user()
    for fmt, subtype, mime_type in (
        ("FLAC", None, "audio/flac"),
        ("OGG", "VORBIS", "audio/ogg"),
        ("MP3", None, "audio/mpeg"),
    ):
        data = encode(click_track(seconds=3.0), file_format=fmt, subtype=subtype)
        created = create_track(reference, user, name=f"clip {fmt}", mime_type=mime_type, data=data)
        handler(uploads.sqs_event(upload_and_receive(uploads, created, data)))
        status, error, *_ = track_row(conn, created["track"]["id"])
        assert (fmt, status, error) == (fmt, "ready", None)


def test_a_track_that_cannot_finish_in_time_fails_cleanly(uploads, reference, make_user, conn):
    # Given a function with no time left beyond the margin it keeps to store the outcome
    user = make_user()
    data = wav_bytes(seconds=30.0)
    created = create_track(reference, user, data=data)
    put_file(uploads, created, data)
    event = load_event("sqs_s3_object_created", bucket=uploads.bucket, key=created["track"]["r2_key"])

    result = pipeline.handle_event(event, remaining_ms=lambda: pipeline.PERSIST_MARGIN_S * 1000)

    assert result == {"batchItemFailures": []}
    assert track_row(conn, created["track"]["id"])[:2] == (
        "error",
        "The track is too long to analyse in the time allowed",
    )


# ------------------------------------------------------------------ object names, playback, fresh upload forms


@pytest.mark.parametrize(
    ("name", "mime_type", "file_name"),
    [
        ("drums.wav", "audio/wav", "drums.wav"),
        ("Drums.WAV", "audio/x-wav", "Drums.wav"),
        ("bounce.mp3", "audio/flac", "bounce.flac"),
        (".wav", "audio/wav", "track.wav"),
        ("v1.2 mix", "audio/mpeg", "v1.2 mix.mp3"),
    ],
)
def test_the_object_name_carries_one_extension_of_the_media_type(
    name, mime_type, file_name, uploads, reference, make_user
):
    user = make_user()
    track = create_track(reference, user, name=name, mime_type=mime_type)["track"]
    assert track["r2_key"] == f"tracks/{user.id}/{track['id']}/{file_name}"
    assert track["name"] == name  # the display name keeps what the person typed


def playback(reference, user, track_id):
    response = reference.get(f"/reference/tracks/{track_id}/playback", headers=user.headers)
    assert response.status_code == 200, response.body
    return response.json_body


def test_the_playback_url_serves_the_file_with_its_type_and_seeks_with_range(uploads, reference, make_user):
    import requests

    user = make_user()
    data = wav_bytes(seconds=2.0)
    created = create_track(reference, user, name="drums.wav", size=len(data))
    assert uploads.upload(created["upload"], data) == 204

    url = playback(reference, user, created["track"]["id"])
    assert url["method"] == "GET" and url["content_type"] == "audio/wav"
    assert 0 < (datetime.fromisoformat(url["expires_at"]) - datetime.now(UTC)).total_seconds() <= 3600

    whole = requests.get(url["url"], timeout=30)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["Content-Type"] == "audio/wav"
    # S3 answers with the headers the signed URL asks for (moto ignores them, so the URL itself is checked)
    signed = parse_qs(urlsplit(url["url"]).query)
    assert signed["response-content-type"] == ["audio/wav"]
    assert signed["response-content-disposition"] == ["inline; filename*=UTF-8''drums.wav"]
    part = requests.get(url["url"], headers={"Range": "bytes=100-1099"}, timeout=30)
    assert part.status_code == 206 and part.content == data[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
    # The URL is signed for this object only: another key with the same signature is refused
    forged = url["url"].replace("drums.wav", "other.wav")
    assert requests.get(forged, timeout=30).status_code == 403


def test_a_fresh_upload_form_replaces_an_expired_one(uploads, reference, handler, make_user, conn):
    user = make_user()
    data = wav_bytes(seconds=4.0)
    created = create_track(reference, user, size=len(data))
    track_id = created["track"]["id"]

    # Given a track whose form went unused (moto does not enforce a policy's expiration, so it is not waited for)
    assert uploads.s3.list_objects_v2(Bucket=uploads.bucket).get("KeyCount") == 0

    # When the person asks for a fresh form, it is for the same key, type and size, and it works
    response = reference.post(f"/reference/tracks/{track_id}/upload", headers=user.headers, body=b"")
    assert response.status_code == 200, response.body
    fresh = response.json_body
    assert fresh["fields"]["key"] == created["track"]["r2_key"]
    assert fresh["fields"]["Content-Type"] == "audio/wav" and fresh["max_bytes"] == len(data)
    assert datetime.fromisoformat(fresh["expires_at"]) > datetime.now(UTC) + timedelta(minutes=10)
    # The signed policy still bounds the size (moto does not enforce policies, so the policy itself is read)
    conditions = json.loads(base64.b64decode(fresh["fields"]["policy"]))["conditions"]
    assert ["content-length-range", 1, len(data)] in conditions
    messages = upload_and_receive(uploads, {"upload": fresh}, data)
    assert handler(uploads.sqs_event(messages)) == {"batchItemFailures": []}
    assert track_row(conn, track_id)[0] == "ready"

    # Then, once analysed, the file is there: no form replaces it
    again = reference.post(f"/reference/tracks/{track_id}/upload", headers=user.headers, body=b"")
    assert again.status_code == 409 and again.json_body["error"]["code"] == "conflict"


def test_a_track_whose_file_was_unusable_takes_a_new_file_through_a_fresh_form(
    uploads, reference, handler, make_user, conn
):
    user = make_user()
    good = wav_bytes(seconds=4.0)
    created = create_track(reference, user, size=len(good))
    track_id = created["track"]["id"]
    bad, _, _ = BAD_FILES["corrupt"]
    handler(uploads.sqs_event(upload_and_receive(uploads, created, bad)))
    assert track_row(conn, track_id)[0] == "error"

    response = reference.post(f"/reference/tracks/{track_id}/upload", headers=user.headers, body=b"")
    assert response.status_code == 200, response.body
    assert handler(uploads.sqs_event(upload_and_receive(uploads, {"upload": response.json_body}, good))) == {
        "batchItemFailures": []
    }
    status, error, bpm, _, _ = track_row(conn, track_id)
    assert (status, error) == ("ready", None) and bpm == pytest.approx(120.0, rel=0.04)
