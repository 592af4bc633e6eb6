"""The reference API through the Chalice app: tracks, validation before upload, the analysis read API,
annotations and regions, and that nobody reaches another user's rows."""

from __future__ import annotations

import base64
import json
import uuid
import zlib

import pytest
from momentum.config import get_settings
from momentum.reference import pipeline
from momentum.reference.models import EVENT_TYPES

from tests.reference_support import load_event, wav_bytes

TRACK_SECONDS = 8.0


def post(client, path, user, body=None):
    return client.post(path, headers=user.headers, body=json.dumps(body) if body is not None else b"")


def patch(client, path, user, body):
    return client.patch(path, headers=user.headers, body=json.dumps(body))


def new_track(reference, user, **fields):
    body = {"name": "Reference", "mime_type": "audio/wav", "file_size_bytes": 500_000} | fields
    response = post(reference, "/reference/tracks", user, body)
    assert response.status_code == 201, response.body
    return response.json_body["track"]


@pytest.fixture()
def analysed(uploads, reference, make_user):
    """A user's track, uploaded and analysed (8 s at 120 BPM), and its analysis as the API shows it."""
    user = make_user()
    data = wav_bytes(seconds=TRACK_SECONDS)
    track = new_track(reference, user, name="Analysed", file_size_bytes=len(data))
    uploads.s3.put_object(Bucket=uploads.bucket, Key=track["r2_key"], Body=data, ContentType=track["mime_type"])
    assert pipeline.handle_event(load_event("s3_object_created", bucket=uploads.bucket, key=track["r2_key"])) == {
        "batchItemFailures": []
    }
    analysis = reference.get(f"/reference/tracks/{track['id']}/analysis", headers=user.headers).json_body
    return user, track, analysis


# ------------------------------------------------------------------ tracks


def test_create_returns_the_track_and_a_presigned_post(uploads, reference, make_user):
    user = make_user()
    response = post(
        reference,
        "/reference/tracks",
        user,
        {
            "name": "  Daft Punk / One More Time: live?  ",
            "mime_type": 'Audio/OGG; codecs="opus"',
            "file_size_bytes": 1234,
            "artist": "Daft Punk",
            "tags": ["House", "house", "French"],
        },
    )

    assert response.status_code == 201
    track, upload = response.json_body["track"], response.json_body["upload"]
    assert track["status"] == "processing" and track["mime_type"] == "audio/ogg; codecs=opus"
    assert track["tags"] == ["house", "french"]
    assert track["r2_key"] == f"tracks/{user.id}/{track['id']}/Daft Punk _ One More Time_ live.opus"
    assert upload["method"] == "POST" and upload["max_bytes"] == 1234
    assert upload["fields"]["key"] == track["r2_key"]
    assert upload["fields"]["Content-Type"] == "audio/ogg; codecs=opus"
    policy = json.loads(base64.b64decode(upload["fields"]["policy"]))
    assert ["content-length-range", 1, 1234] in policy["conditions"]
    assert {"Content-Type": "audio/ogg; codecs=opus"} in policy["conditions"]


@pytest.mark.parametrize(
    "mime_type",
    [
        "audio/aac",
        "audio/mp4",
        "audio/x-m4a",
        "video/mp4",
        "text/plain",
        "audio/ogg; codecs=flac",
        "audio/mpeg; codecs=mp3",
        "audio",
    ],
)
def test_unsupported_types_are_415_before_anything_is_written(mime_type, reference, make_user, conn):
    user = make_user()
    response = post(reference, "/reference/tracks", user, {"name": "x", "mime_type": mime_type, "file_size_bytes": 10})
    assert response.status_code == 415 and response.json_body["error"]["code"] == "unsupported_media_type"
    assert conn.execute("SELECT count(*) FROM reference_tracks WHERE user_id = %s", (user.id,)).fetchone() == (0,)


def test_a_file_over_the_limit_is_413_before_anything_is_written(uploads, reference, make_user, conn):
    from momentum.config import get_settings

    user = make_user()
    limit = get_settings().upload_max_bytes
    response = post(
        reference, "/reference/tracks", user, {"name": "x", "mime_type": "audio/flac", "file_size_bytes": limit + 1}
    )
    assert response.status_code == 413 and response.json_body["error"]["details"]["max_bytes"] == limit
    assert (
        post(
            reference, "/reference/tracks", user, {"name": "x", "mime_type": "audio/flac", "file_size_bytes": limit}
        ).status_code
        == 201
    )
    assert conn.execute("SELECT count(*) FROM reference_tracks WHERE user_id = %s", (user.id,)).fetchone() == (1,)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "mime_type": "audio/wav", "file_size_bytes": 0},
        {"name": "x", "mime_type": "audio/wav", "file_size_bytes": "10"},
        {"name": "", "mime_type": "audio/wav", "file_size_bytes": 10},
        {"mime_type": "audio/wav", "file_size_bytes": 10},
        {"name": "x", "mime_type": "audio/wav", "file_size_bytes": 10, "tags": ["a"] * 21},
        {"name": "x", "mime_type": "audio/wav", "file_size_bytes": 10, "status": "ready"},
    ],
)
def test_invalid_track_bodies_are_422(body, reference, make_user):
    assert post(reference, "/reference/tracks", make_user(), body).status_code == 422


def test_list_filters_and_pages(uploads, reference, make_user):
    user, other = make_user(), make_user()
    new_track(reference, other, name="not mine", genre="House")
    first = new_track(reference, user, name="one", genre="House", tags=["Groove"])
    second = new_track(reference, user, name="two", genre="techno")
    third = new_track(reference, user, name="three", genre="house", tags=["groove", "vocal"])

    def names(query=""):
        response = reference.get(f"/reference/tracks{query}", headers=user.headers)
        assert response.status_code == 200, response.body
        return [t["name"] for t in response.json_body["items"]], response.json_body["next_cursor"]

    assert names() == (["three", "two", "one"], None)
    assert names("?genre=HOUSE") == (["three", "one"], None)
    assert names("?tag=groove") == (["three", "one"], None)
    assert names("?tag=vocal&genre=house") == (["three"], None)
    assert names("?status=ready") == ([], None)
    page, cursor = names("?limit=2")
    assert page == ["three", "two"] and cursor
    assert names(f"?limit=2&cursor={cursor}") == (["one"], None)
    assert {first["id"], second["id"], third["id"]} == {
        t["id"] for t in reference.get("/reference/tracks", headers=user.headers).json_body["items"]
    }
    assert reference.get("/reference/tracks?status=done", headers=user.headers).status_code == 422
    assert reference.get("/reference/tracks?cursor=WyJ4Il0", headers=user.headers).status_code == 422


def test_patch_changes_metadata_only(uploads, reference, make_user):
    user = make_user()
    track = new_track(reference, user, description="old", genre="house")
    path = f"/reference/tracks/{track['id']}"

    response = patch(reference, path, user, {"name": "Renamed", "description": None, "tags": ["Dub"]})
    assert response.status_code == 200
    changed = response.json_body
    assert (changed["name"], changed["description"], changed["genre"], changed["tags"]) == (
        "Renamed",
        None,
        "house",
        ["dub"],
    )
    assert changed["r2_key"] == track["r2_key"]  # the file keeps its key
    assert reference.get(path, headers=user.headers).json_body == changed
    for body in ({}, {"name": None}, {"status": "ready"}, {"mime_type": "audio/mpeg"}, {"bpm": 120}):
        assert patch(reference, path, user, body).status_code == 422, body


# ------------------------------------------------------------------ analysis read API


def test_the_analysis_is_pending_until_the_file_is_analysed(uploads, reference, make_user):
    user = make_user()
    track = new_track(reference, user)
    analysis = reference.get(f"/reference/tracks/{track['id']}/analysis", headers=user.headers).json_body
    assert (analysis["status"], analysis["version"], analysis["summary"]) == ("pending", None, None)
    response = reference.get(f"/reference/analyses/{analysis['id']}/frames", headers=user.headers)
    assert response.status_code == 409 and response.json_body["error"]["code"] == "analysis_not_ready"


def test_analysis_summary_and_manifest(analysed, reference):
    user, track, analysis = analysed
    assert analysis["status"] == "completed" and analysis["version"]
    assert analysis["summary"]["bpm"] == pytest.approx(120, rel=0.04)
    manifest = analysis["manifest"]
    assert manifest["frame_count"] * manifest["hop_ms"] == pytest.approx(TRACK_SECONDS * 1000, abs=manifest["hop_ms"])
    assert manifest["fingerprint"] and manifest["event_counts"]["beat"] >= 12
    shown = reference.get(f"/reference/tracks/{track['id']}", headers=user.headers).json_body
    assert shown["status"] == "ready" and shown["bpm"] == pytest.approx(120, rel=0.04)


def test_frames_cover_the_range_and_decode_with_the_layout(analysed, reference):
    user, _, analysis = analysed
    path = f"/reference/analyses/{analysis['id']}/frames"

    whole = reference.get(path, headers=user.headers).json_body
    manifest = whole["manifest"]
    frames = 0
    for chunk in whole["chunks"]:
        data = base64.b64decode(chunk["data"])
        raw = zlib.decompress(data) if chunk["compression_type"] == "zlib" else data
        assert len(raw) == chunk["frame_count"] * manifest["bytes_per_frame"]
        frames += chunk["frame_count"]
    assert frames == manifest["frame_count"]
    assert manifest["frame_layout"]["bytes_per_frame"] == manifest["bytes_per_frame"]

    # 8 s at 20 ms per frame is 400 frames: one chunk of up to 1,000 frames; past the end there is nothing
    assert [
        c["chunk_index"]
        for c in reference.get(f"{path}?start_time_ms=1000&end_time_ms=2000", headers=user.headers).json_body["chunks"]
    ] == [0]
    assert (
        reference.get(f"{path}?start_time_ms=60000&end_time_ms=61000", headers=user.headers).json_body["chunks"] == []
    )


def test_bad_frame_ranges_are_422(analysed, reference):
    user, _, analysis = analysed
    for query in (
        "start_time_ms=2000&end_time_ms=2000",
        "start_time_ms=2000&end_time_ms=1000",
        "start_time_ms=-1",
        "start_time_ms=0&end_time_ms=300001",
        "start_time_ms=abc",
        "frm=1",
    ):
        response = reference.get(f"/reference/analyses/{analysis['id']}/frames?{query}", headers=user.headers)
        assert response.status_code == 422, (query, response.body)


def test_events_filter_by_type_and_range_and_page(analysed, reference):
    user, _, analysis = analysed
    path = f"/reference/analyses/{analysis['id']}/events"

    def get(query):
        response = reference.get(f"{path}?{query}", headers=user.headers)
        assert response.status_code == 200, response.body
        return response.json_body

    beats = get("type=beat")["items"]
    assert len(beats) >= 12 and {e["event_type"] for e in beats} == {"beat"}
    assert [e["time_ms"] for e in beats] == sorted(e["time_ms"] for e in beats)
    both = get("type=beat,downbeat")["items"]
    assert {e["event_type"] for e in both} == {"beat", "downbeat"}

    # Events overlapping [from, to): a beat (or section) that began before the window and lasts into it counts
    def overlaps(event, start, end):
        return event["time_ms"] < end and (
            event["time_ms"] >= start or event["time_ms"] + (event["duration_ms"] or 0) > start
        )

    window = get("type=beat&start_time_ms=2000&end_time_ms=4000")["items"]
    assert window == [e for e in beats if overlaps(e, 2000, 4000)]
    assert 2 < len(window) < len(beats)
    sections = get("type=section&start_time_ms=3000&end_time_ms=3500")["items"]
    assert sections and all(overlaps(s, 3000, 3500) for s in sections)

    page = get("type=beat&limit=5")
    rest = get(f"type=beat&limit=1000&cursor={page['next_cursor']}")
    assert [e["id"] for e in page["items"] + rest["items"]] == [e["id"] for e in beats]
    for bad in ("type=Beat", "start_time_ms=5&end_time_ms=5", "limit=5001", "type=beat;drop", "from_ms=0"):
        assert reference.get(f"{path}?{bad}", headers=user.headers).status_code == 422, bad


def test_an_unknown_event_type_is_422_naming_the_vocabulary(analysed, reference, conn):
    user, _, analysis = analysed
    path = f"/reference/analyses/{analysis['id']}/events"
    for query in ("type=bogus", "type=beat,bogus", "type=beat,", "type=,beat"):
        response = reference.get(f"{path}?{query}", headers=user.headers)
        assert response.status_code == 422, (query, response.body)
        assert response.json_body["error"]["code"] == "invalid_input"
        assert "beat, downbeat, section" in json.dumps(response.json_body["error"]), response.body
    # The vocabulary is what the analysis writes: every stored type can be asked for
    stored = {
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT event_type FROM analysis_events WHERE analysis_id = %s", (analysis["id"],)
        ).fetchall()
    }
    assert stored and stored <= set(EVENT_TYPES)
    everything = reference.get(f"{path}?type={','.join(EVENT_TYPES)}&limit=5000", headers=user.headers)
    assert everything.status_code == 200 and {e["event_type"] for e in everything.json_body["items"]} == stored


def test_the_openapi_document_names_ranges_and_the_event_vocabulary():
    import re

    from momentum_infra.openapi import openapi_document

    paths = openapi_document()["paths"]
    for path in ("/reference/analyses/{analysis_id}/frames", "/reference/analyses/{analysis_id}/events"):
        names = {p["name"] for p in paths[path]["get"]["parameters"] if p["in"] == "query"}
        assert {"start_time_ms", "end_time_ms"} <= names and not names & {"from_ms", "to_ms"}, names
    (type_param,) = [
        p for p in paths["/reference/analyses/{analysis_id}/events"]["get"]["parameters"] if p["name"] == "type"
    ]
    pattern = type_param["schema"]["pattern"]
    assert re.fullmatch(pattern, "beat,downbeat,section") and not re.fullmatch(pattern, "bogus")


def test_time_ranges_are_named_start_time_ms_and_end_time_ms(analysed, reference):
    user, _, analysis = analysed
    frames = reference.get(
        f"/reference/analyses/{analysis['id']}/frames?start_time_ms=1000&end_time_ms=2000", headers=user.headers
    ).json_body
    assert (frames["start_time_ms"], frames["end_time_ms"]) == (1000, 2000)
    assert "from_ms" not in frames and "to_ms" not in frames
    # The summary's sections too, in whole milliseconds, matching the section events
    sections = analysis["summary"]["sections"]
    assert sections and all(set(s) >= {"start_time_ms", "end_time_ms"} and "start_s" not in s for s in sections)
    events = reference.get(f"/reference/analyses/{analysis['id']}/events?type=section", headers=user.headers).json_body[
        "items"
    ]
    assert [(s["start_time_ms"], s["end_time_ms"]) for s in sections] == [
        (e["time_ms"], e["time_ms"] + e["duration_ms"]) for e in events
    ]
    reversed_range = reference.get(
        f"/reference/analyses/{analysis['id']}/events?start_time_ms=2000&end_time_ms=1000", headers=user.headers
    ).json_body["error"]
    assert reversed_range["details"] == {"field": "end_time_ms", "start_time_ms": 2000, "end_time_ms": 1000}


# ------------------------------------------------------------------ annotations and regions


def test_annotation_crud_and_ranges_inside_the_track(analysed, reference):
    user, track, _ = analysed
    base = f"/reference/tracks/{track['id']}/annotations"
    duration_ms = round(TRACK_SECONDS * 1000)

    created = post(
        reference,
        base,
        user,
        {"start_time_ms": 1000, "end_time_ms": 2000, "title": "Snare roll", "category": "rhythm", "color": "#ff8800"},
    )
    assert created.status_code == 201
    note = created.json_body
    assert (note["is_private"], note["content"]) == (True, None)
    point = post(reference, base, user, {"start_time_ms": duration_ms, "title": "Last moment"}).json_body
    assert point["end_time_ms"] is None

    item = f"{base}/{note['id']}"
    changed = patch(reference, item, user, {"end_time_ms": None, "content": "Listen to the fill"}).json_body
    assert (changed["start_time_ms"], changed["end_time_ms"], changed["content"]) == (1000, None, "Listen to the fill")
    assert reference.get(item, headers=user.headers).json_body == changed
    listed = reference.get(base, headers=user.headers).json_body["items"]
    assert [a["id"] for a in listed] == [note["id"], point["id"]]

    bad = [
        ({"start_time_ms": 2000, "end_time_ms": 2000, "title": "empty"}, base, post),
        ({"start_time_ms": 3000, "end_time_ms": 1000, "title": "reversed"}, base, post),
        ({"start_time_ms": 1000, "end_time_ms": duration_ms + 1, "title": "past the end"}, base, post),
        ({"start_time_ms": duration_ms + 1, "title": "after the end"}, base, post),
        ({"start_time_ms": -5, "title": "negative"}, base, post),
        ({"start_time_ms": 1000, "title": "bad colour", "color": "orange"}, base, post),
        ({"end_time_ms": 500}, item, patch),
        ({"title": None}, item, patch),
        ({"start_time_ms": duration_ms + 10}, item, patch),
        ({}, item, patch),
    ]
    for body, path, send in bad:
        response = send(reference, path, user, body)
        assert response.status_code == 422, (body, response.body)

    assert reference.delete(item, headers=user.headers).status_code == 204
    assert reference.get(item, headers=user.headers).status_code == 404
    assert reference.delete(item, headers=user.headers).status_code == 404


def test_any_range_from_zero_is_accepted_while_the_duration_is_unknown(uploads, reference, make_user):
    user = make_user()
    track = new_track(reference, user)  # not analysed yet: no duration
    base = f"/reference/tracks/{track['id']}"
    assert (
        post(reference, f"{base}/annotations", user, {"start_time_ms": 3_600_000, "title": "late"}).status_code == 201
    )
    assert (
        post(
            reference, f"{base}/regions", user, {"start_time_ms": 0, "end_time_ms": 3_600_000, "name": "all"}
        ).status_code
        == 201
    )
    assert (
        post(
            reference, f"{base}/regions", user, {"start_time_ms": 10, "end_time_ms": 5, "name": "reversed"}
        ).status_code
        == 422
    )


def test_region_crud_in_display_order(analysed, reference):
    user, track, _ = analysed
    base = f"/reference/tracks/{track['id']}/regions"
    drop = post(
        reference,
        base,
        user,
        {"start_time_ms": 4000, "end_time_ms": 8000, "name": "Drop", "section_type": "drop", "display_order": 2},
    ).json_body
    intro = post(
        reference,
        base,
        user,
        {"start_time_ms": 0, "end_time_ms": 4000, "name": "Intro", "section_type": "intro", "display_order": 1},
    ).json_body
    assert [r["name"] for r in reference.get(base, headers=user.headers).json_body["items"]] == ["Intro", "Drop"]

    moved = patch(reference, f"{base}/{intro['id']}", user, {"display_order": 3, "description": "pads"}).json_body
    assert (moved["display_order"], moved["description"], moved["end_time_ms"]) == (3, "pads", 4000)
    page = reference.get(f"{base}?limit=1", headers=user.headers).json_body
    assert [r["id"] for r in page["items"]] == [drop["id"]]
    assert [
        r["id"]
        for r in reference.get(f"{base}?limit=1&cursor={page['next_cursor']}", headers=user.headers).json_body["items"]
    ] == [intro["id"]]
    for body in ({"end_time_ms": None}, {"end_time_ms": 9000}, {"start_time_ms": 4000}, {"section_type": "Drop!"}):
        assert patch(reference, f"{base}/{intro['id']}", user, body).status_code == 422, body
    assert post(reference, base, user, {"start_time_ms": 0, "name": "no end"}).status_code == 422
    assert reference.delete(f"{base}/{drop['id']}", headers=user.headers).status_code == 204


# ------------------------------------------------------------------ nobody reaches another user's rows


# (method, template path, valid body): every route of the reference function that takes a track's or analysis's id.
ISOLATION_CASES = [
    ("GET", "/reference/tracks/{track_id}", None),
    ("PATCH", "/reference/tracks/{track_id}", {"name": "stolen"}),
    ("DELETE", "/reference/tracks/{track_id}", None),
    ("POST", "/reference/tracks/{track_id}/reanalyze", None),
    ("GET", "/reference/tracks/{track_id}/playback", None),
    ("POST", "/reference/tracks/{track_id}/upload", None),
    ("GET", "/reference/tracks/{track_id}/analysis", None),
    ("GET", "/reference/analyses/{analysis_id}/frames", None),
    ("GET", "/reference/analyses/{analysis_id}/events", None),
    ("GET", "/reference/tracks/{track_id}/annotations", None),
    ("POST", "/reference/tracks/{track_id}/annotations", {"start_time_ms": 0, "title": "x"}),
    ("GET", "/reference/tracks/{track_id}/annotations/{annotation_id}", None),
    ("PATCH", "/reference/tracks/{track_id}/annotations/{annotation_id}", {"title": "x"}),
    ("DELETE", "/reference/tracks/{track_id}/annotations/{annotation_id}", None),
    ("GET", "/reference/tracks/{track_id}/regions", None),
    ("POST", "/reference/tracks/{track_id}/regions", {"start_time_ms": 0, "end_time_ms": 10, "name": "x"}),
    ("GET", "/reference/tracks/{track_id}/regions/{region_id}", None),
    ("PATCH", "/reference/tracks/{track_id}/regions/{region_id}", {"name": "x"}),
    ("DELETE", "/reference/tracks/{track_id}/regions/{region_id}", None),
]
ISOLATED_ROUTES = {(method, path) for method, path, _ in ISOLATION_CASES}


def test_every_route_with_an_id_is_404_for_another_user(analysed, reference, make_user, conn):
    owner, track, analysis = analysed
    stranger = make_user()
    t = f"/reference/tracks/{track['id']}"
    note = post(reference, f"{t}/annotations", owner, {"start_time_ms": 0, "title": "mine"}).json_body
    region = post(reference, f"{t}/regions", owner, {"start_time_ms": 0, "end_time_ms": 1000, "name": "mine"}).json_body
    ids = {
        "track_id": track["id"],
        "analysis_id": analysis["id"],
        "annotation_id": note["id"],
        "region_id": region["id"],
    }
    for method, path, body in ISOLATION_CASES:
        response = reference.request(
            method,
            path.format(**ids),
            headers=stranger.headers,
            body=json.dumps(body).encode() if body is not None else b"",
        )
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json_body["error"]["code"] == "not_found"

    # The owner's rows are untouched, and the stranger's own track cannot hold the owner's annotation either
    assert reference.get(t, headers=owner.headers).json_body["name"] == track["name"]
    theirs = new_track(reference, stranger)
    assert (
        reference.get(
            f"/reference/tracks/{theirs['id']}/annotations/{note['id']}", headers=stranger.headers
        ).status_code
        == 404
    )
    assert conn.execute("SELECT count(*) FROM track_annotations WHERE track_id = %s", (track["id"],)).fetchone() == (1,)
    assert reference.get(f"/reference/tracks/{uuid.uuid4()}", headers=owner.headers).status_code == 404


def test_reanalysis_without_a_queue_is_503_and_writes_nothing(uploads, reference, make_user, conn, monkeypatch):
    user = make_user()
    track = new_track(reference, user)
    monkeypatch.delenv("ANALYSIS_QUEUE_URL")
    get_settings.cache_clear()
    response = post(reference, f"/reference/tracks/{track['id']}/reanalyze", user)
    assert response.status_code == 503 and response.json_body["error"]["code"] == "unavailable"
    assert conn.execute("SELECT count(*) FROM track_analyses WHERE track_id = %s", (track["id"],)).fetchone() == (1,)


def test_repeated_reanalysis_requests_share_one_pending_run(uploads, reference, make_user, conn):
    user = make_user()
    track = new_track(reference, user)
    ids = {post(reference, f"/reference/tracks/{track['id']}/reanalyze", user).json_body["id"] for _ in range(3)}
    assert len(ids) == 1
    assert conn.execute("SELECT count(*) FROM track_analyses WHERE track_id = %s", (track["id"],)).fetchone() == (1,)
    assert len([m for m in uploads.receive() if "Reanalyze" in m["Body"]]) == 3
