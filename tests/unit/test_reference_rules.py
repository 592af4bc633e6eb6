"""Pure rules of reference tracks: accepted audio types, object keys, time ranges, the analysis run plan, and
reading upload events."""

from __future__ import annotations

import uuid

import pytest
from momentum.errors import InvalidInput, UnsupportedMediaType
from momentum.reference.common import check_time_range
from momentum.reference.models import FrameRangeQuery
from momentum.reference.notifications import messages_in, objects_in
from momentum.reference.results import MAX_FRAME_SPAN_MS, frame_range
from momentum.reference.runs import MAX_ATTEMPTS, Plan, RunState, Step, plan_run
from momentum.reference.storage import reanalysis_notification
from momentum.reference.tracks import normalise_media_type, object_key, safe_file_name

from tests.reference_support import load_event


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("audio/mpeg", ("audio/mpeg", "mp3")),
        ("audio/MP3", ("audio/mp3", "mp3")),
        (" audio/x-wav ", ("audio/x-wav", "wav")),
        ("audio/flac", ("audio/flac", "flac")),
        ("audio/ogg", ("audio/ogg", "ogg")),
        ('audio/ogg; codecs="opus"', ("audio/ogg; codecs=opus", "opus")),
        ("audio/ogg;codecs=vorbis", ("audio/ogg; codecs=vorbis", "ogg")),
        ("audio/opus", ("audio/opus", "opus")),
        ("audio/x-aiff", ("audio/x-aiff", "aiff")),
    ],
)
def test_accepted_audio_types(given, expected):
    assert normalise_media_type(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "audio/aac",
        "audio/mp4",
        "audio/x-m4a",
        "audio/webm",
        "video/mp4",
        "",
        "audio/ogg; codecs=flac",
        "audio/wav; codecs=1",
        "audio/ogg; charset=utf-8",
        "audio/mpeg, audio/wav",
    ],
)
def test_other_types_are_unsupported(given):
    with pytest.raises(UnsupportedMediaType) as error:
        normalise_media_type(given)
    assert "audio/flac" in error.value.details["supported"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("My Song + Friends (Live)", "My Song + Friends (Live).wav"),
        ("../../etc/passwd", "etc_passwd.wav"),
        ("a/b\\c", "a_b_c.wav"),
        ("Tab\there\nnewline", "Tab here newline.wav"),
        ("Beyoncé – Halo", "Beyoncé _ Halo.wav"),
        ("...", "track.wav"),
        ("???", "track.wav"),
        ("x" * 300, "x" * 120 + ".wav"),
    ],
)
def test_object_names_stay_readable_and_safe(name, expected):
    assert safe_file_name(name, "wav") == expected


def test_object_keys_live_under_the_user_and_track():
    user_id, track_id = uuid.uuid4(), uuid.uuid4()
    assert object_key(user_id, track_id, "Intro", "flac") == f"tracks/{user_id}/{track_id}/Intro.flac"


@pytest.mark.parametrize(
    ("start", "end", "duration"),
    [
        (0, None, 1000),
        (0, 1000, 1000),
        (999, 1000, 1000),
        (5_000_000, None, None),
        (0, 5_000_000, None),
    ],
)
def test_ranges_inside_the_track_are_accepted(start, end, duration):
    assert accepts(start, end, duration)


def test_the_end_of_the_track_is_the_last_accepted_moment():
    assert accepts(0, 1000, 1000)
    assert not accepts(0, 1001, 1000)
    assert accepts(1000, None, 1000)
    assert not accepts(1001, None, 1000)


def accepts(start: int, end: int | None, duration: int | None) -> bool:
    """check_time_range answers by raising InvalidInput or not."""
    try:
        check_time_range(start, end, duration)
    except InvalidInput:
        return False
    return True


@pytest.mark.parametrize(
    ("start", "end", "duration", "field"),
    [
        (500, 500, 1000, "end_time_ms"),
        (600, 500, 1000, "end_time_ms"),
        (0, 1001, 1000, "end_time_ms"),
        (1001, None, 1000, "start_time_ms"),
        (-1, None, None, "start_time_ms"),
        (10, 5, None, "end_time_ms"),
    ],
)
def test_ranges_outside_or_reversed_are_invalid(start, end, duration, field):
    with pytest.raises(InvalidInput) as error:
        check_time_range(start, end, duration)
    assert error.value.details["field"] == field


def run(status, fingerprint=None, version="1", attempts=0, stale=False):
    return RunState(uuid.uuid4(), status, version, fingerprint, attempts, stale)


def test_a_pending_run_is_started():
    pending = run("pending")
    assert plan_run([pending], "fp", "1") == Plan(Step.START, pending.id, 1)


def test_the_same_content_twice_is_a_duplicate():
    assert plan_run([run("completed", "fp")], "fp", "1").step is Step.DUPLICATE
    assert plan_run([run("error", "fp")], "fp", "1").step is Step.DUPLICATE
    assert plan_run([run("running", "fp")], "fp", "1").step is Step.DUPLICATE


def test_new_content_or_a_new_analyser_starts_a_new_run():
    assert plan_run([run("completed", "fp")], "other", "1") == Plan(Step.START)
    assert plan_run([run("completed", "fp", version="1")], "fp", "2") == Plan(Step.START)


def test_a_reanalysis_request_runs_even_for_analysed_content():
    pending = run("pending", attempts=0)
    assert plan_run([run("completed", "fp"), pending], "fp", "1") == Plan(Step.START, pending.id, 1)


def test_anything_else_waits_while_an_analysis_runs():
    assert plan_run([run("running", "fp")], "other", "1").step is Step.BUSY
    assert plan_run([run("running", "fp"), run("pending")], "fp", "1").step is Step.BUSY


def test_a_dead_run_is_retried_then_given_up():
    dead = run("running", "fp", attempts=1, stale=True)
    assert plan_run([dead], "fp", "1") == Plan(Step.START, dead.id, 2)
    dead_again = run("running", "fp", attempts=MAX_ATTEMPTS, stale=True)
    assert plan_run([dead_again], "fp", "1") == Plan(Step.GIVE_UP, dead_again.id, MAX_ATTEMPTS)
    # A dead run of other content does not block new content
    assert plan_run([run("running", "old", stale=True)], "fp", "1") == Plan(Step.START)


def test_sqs_messages_carry_decoded_keys():
    key = "tracks/u/t/My Song + Friends (Live).wav"
    (message,) = messages_in(load_event("sqs_s3_object_created", bucket="b", key=key, message_id="m-1"))
    assert message.message_id == "m-1" and message.problem is None
    assert [(o.bucket, o.key, o.event_name) for o in message.objects] == [("b", key, "ObjectCreated:Put")]


def test_a_plain_s3_event_is_one_message_without_an_id():
    (message,) = messages_in(load_event("s3_object_created", bucket="b", key="tracks/a b.wav"))
    assert message.message_id is None and [o.key for o in message.objects] == ["tracks/a b.wav"]


def test_test_events_removals_and_garbage_name_no_objects():
    assert messages_in(load_event("sqs_s3_test_event"))[0].objects == []
    assert messages_in(load_event("s3_object_removed"))[0].objects == []
    broken = load_event("sqs_s3_object_created", message_id="m-2")
    broken["Records"][0]["body"] = "[1, 2"
    (message,) = messages_in(broken)
    assert message.message_id == "m-2" and message.problem and not message.objects


def test_a_reanalysis_request_reads_like_an_upload():
    key = "tracks/u/t/Déjà vu + 2.mp3"
    (found,) = objects_in(reanalysis_notification("bucket", key))
    assert (found.bucket, found.key, found.event_name) == ("bucket", key, "ObjectCreated:Reanalyze")


def test_frame_ranges_default_and_bounds():
    assert frame_range(FrameRangeQuery()) == (0, MAX_FRAME_SPAN_MS)
    assert frame_range(FrameRangeQuery(start_time_ms=1000, end_time_ms=2000)) == (1000, 2000)
    for query in (
        FrameRangeQuery(start_time_ms=5, end_time_ms=5),
        FrameRangeQuery(start_time_ms=0, end_time_ms=MAX_FRAME_SPAN_MS + 1),
    ):
        with pytest.raises(InvalidInput):
            frame_range(query)
