"""Focus libraries: tracks (external or the person's reference tracks) with tracks_count kept equal."""

from __future__ import annotations

import uuid

from tests.helpers import run_concurrently


def reference_track(conn, user_id, name="Reference mix"):
    return conn.execute(
        """INSERT INTO reference_tracks (user_id, name, r2_key, file_size_bytes, mime_type, duration_seconds)
           VALUES (%s, %s, %s, 1000, 'audio/wav', 241.6) RETURNING id""",
        (user_id, name, f"tracks/{user_id}/{uuid.uuid4()}/a.wav"),
    ).fetchone()[0]


def test_tracks_count_follows_adds_and_removals(caller):
    user = caller()
    library = user.post("/focus/libraries", {"name": "Deep work"})
    assert library["tracks_count"] == 0

    first = user.post(
        f"/focus/libraries/{library['id']}/tracks", {"track_title": "Rain", "track_url": "https://example.com/rain"}
    )
    second = user.post(f"/focus/libraries/{library['id']}/tracks", {"track_title": "Brown noise"})
    assert second["tracks_count"] == 2
    assert [t["track_title"] for t in second["tracks"]] == ["Rain", "Brown noise"]

    after = user.delete(f"/focus/libraries/{library['id']}/tracks/{first['tracks'][0]['id']}", expect=200)
    assert after["tracks_count"] == 1 == len(after["tracks"])


def test_concurrent_adds_keep_the_count_equal(caller, conn):
    user = caller()
    library = user.post("/focus/libraries", {"name": "Many"})
    run_concurrently(lambda i: user.post(f"/focus/libraries/{library['id']}/tracks", {"track_title": f"Track {i}"}), 10)
    count, tracks = conn.execute(
        "SELECT tracks_count, (SELECT count(*) FROM focus_library_tracks WHERE library_id = l.id)"
        " FROM focus_libraries l WHERE id = %s",
        (library["id"],),
    ).fetchone()
    assert count == tracks == 10


def test_a_reference_track_of_ones_own_can_be_added(caller, conn):
    user = caller()
    track_id = reference_track(conn, user.id)
    library = user.post("/focus/libraries", {"name": "References"})

    added = user.post(f"/focus/libraries/{library['id']}/tracks", {"reference_track_id": str(track_id)})

    track = added["tracks"][0]
    assert track["reference_track_id"] == str(track_id)
    assert (track["track_title"], track["duration_seconds"]) == ("Reference mix", 242)


def test_another_users_reference_track_is_refused(caller, conn):
    owner, user = caller(), caller()
    track_id = reference_track(conn, owner.id)
    library = user.post("/focus/libraries", {"name": "Mine"})

    status, error = user.request(
        "POST", f"/focus/libraries/{library['id']}/tracks", {"reference_track_id": str(track_id)}
    )

    assert (status, error["error"]["code"]) == (422, "unknown_reference_track")
    assert user.get(f"/focus/libraries/{library['id']}")["tracks_count"] == 0


def test_a_track_needs_a_title_or_a_reference(caller):
    user = caller()
    library = user.post("/focus/libraries", {"name": "Mine"})
    status, error = user.request("POST", f"/focus/libraries/{library['id']}/tracks", {"track_url": "https://x.io/a"})
    assert (status, error["error"]["code"]) == (422, "invalid_input")


def test_patch_and_delete(caller):
    user = caller()
    library = user.post("/focus/libraries", {"name": "Old"})
    assert user.patch(f"/focus/libraries/{library['id']}", {"name": "New", "is_favorite": True})["is_favorite"]
    status, _ = user.request("PATCH", f"/focus/libraries/{library['id']}", {"name": None})
    assert status == 422
    user.delete(f"/focus/libraries/{library['id']}")
    assert user.get("/focus/libraries")["items"] == []
