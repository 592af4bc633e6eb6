"""Listening prompts: admins write templates and presets, users read the active ones; the starter set seeds."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.helpers import run_concurrently

# Prompts and presets belong to no user: everyone reads the active ones, only admins write them.
SHARED_ROUTES = {
    ("GET", "/reference/prompts/{prompt_id}"),
    ("PATCH", "/reference/prompts/{prompt_id}"),
    ("DELETE", "/reference/prompts/{prompt_id}"),
    ("POST", "/reference/prompts/{prompt_id}/presets"),
    ("PATCH", "/reference/prompts/{prompt_id}/presets/{preset_id}"),
    ("DELETE", "/reference/prompts/{prompt_id}/presets/{preset_id}"),
}


def send(client, method, path, user, body=None):
    return client.request(
        method, path, headers=user.headers, body=json.dumps(body).encode() if body is not None else b""
    )


def prompt_body(**fields):
    return {
        "name": f"Prompt {uuid.uuid4().hex[:8]}",
        "category": "rhythm",
        "difficulty": "beginner",
        "prompt_text": "Count the bars of the intro.",
        "hints": ["Count along"],
        "tags": ["Counting"],
    } | fields


def test_admin_crud_with_presets(reference, make_user):
    admin, user = make_user(admin=True), make_user()
    created = send(reference, "POST", "/reference/prompts", admin, prompt_body(expected_observations=["8 bars"]))
    assert created.status_code == 201
    prompt = created.json_body
    assert prompt["tags"] == ["counting"] and prompt["is_active"] is True
    path = f"/reference/prompts/{prompt['id']}"

    preset = send(
        reference,
        "POST",
        f"{path}/presets",
        admin,
        {"name": "Loop intro", "preset_type": "loop_region", "config": {"from": 0, "to": 16000}},
    )
    assert preset.status_code == 201
    preset_path = f"{path}/presets/{preset.json_body['id']}"
    changed = send(reference, "PATCH", preset_path, admin, {"config": {"from": 0, "to": 8000}, "description": "x"})
    assert changed.status_code == 200 and changed.json_body["config"] == {"from": 0, "to": 8000}

    detail = reference.get(path, headers=user.headers).json_body
    assert detail["hints"] == ["Count along"] and [p["name"] for p in detail["presets"]] == ["Loop intro"]

    updated = send(reference, "PATCH", path, admin, {"difficulty": "advanced", "hints": None})
    assert (updated.json_body["difficulty"], updated.json_body["hints"]) == ("advanced", None)

    assert send(reference, "DELETE", preset_path, admin).status_code == 204
    assert send(reference, "DELETE", preset_path, admin).status_code == 404
    assert send(reference, "DELETE", path, admin).status_code == 204
    assert reference.get(path, headers=admin.headers).status_code == 404


def test_non_admins_get_403_on_every_write(reference, make_user):
    admin, user = make_user(admin=True), make_user()
    prompt = send(reference, "POST", "/reference/prompts", admin, prompt_body()).json_body
    preset = send(
        reference,
        "POST",
        f"/reference/prompts/{prompt['id']}/presets",
        admin,
        {"name": "p", "preset_type": "playback", "config": {"rate": 0.5}},
    ).json_body
    writes = [
        ("POST", "/reference/prompts", prompt_body()),
        ("PATCH", f"/reference/prompts/{prompt['id']}", {"name": "taken over"}),
        ("DELETE", f"/reference/prompts/{prompt['id']}", None),
        ("POST", f"/reference/prompts/{prompt['id']}/presets", {"name": "p", "preset_type": "x", "config": {}}),
        ("PATCH", f"/reference/prompts/{prompt['id']}/presets/{preset['id']}", {"name": "q"}),
        ("DELETE", f"/reference/prompts/{prompt['id']}/presets/{preset['id']}", None),
    ]
    for method, path, body in writes:
        response = send(reference, method, path, user, body)
        assert response.status_code == 403, (method, path)
        assert response.json_body["error"]["code"] == "forbidden"
    assert reference.get(f"/reference/prompts/{prompt['id']}", headers=user.headers).json_body["name"] == prompt["name"]


def test_users_see_active_prompts_filtered(reference, make_user):
    admin, user = make_user(admin=True), make_user()
    category = f"cat_{uuid.uuid4().hex[:8]}"
    easy = send(
        reference, "POST", "/reference/prompts", admin, prompt_body(category=category, tags=["Groove"], display_order=1)
    ).json_body
    hard = send(
        reference,
        "POST",
        "/reference/prompts",
        admin,
        prompt_body(category=category, difficulty="advanced", display_order=2),
    ).json_body
    hidden = send(
        reference, "POST", "/reference/prompts", admin, prompt_body(category=category, is_active=False, display_order=3)
    ).json_body
    send(
        reference,
        "POST",
        f"/reference/prompts/{easy['id']}/presets",
        admin,
        {"name": "off", "preset_type": "playback", "config": {}, "is_active": False},
    )

    def ids(query, who=user):
        response = reference.get(f"/reference/prompts?category={category}{query}", headers=who.headers)
        assert response.status_code == 200, response.body
        return [p["id"] for p in response.json_body["items"]]

    assert ids("") == [easy["id"], hard["id"]]
    assert ids("&difficulty=advanced") == [hard["id"]]
    assert ids("&tag=GROOVE") == [easy["id"]]
    assert ids("&include_inactive=true", admin) == [easy["id"], hard["id"], hidden["id"]]
    assert reference.get("/reference/prompts?include_inactive=true", headers=user.headers).status_code == 403
    assert reference.get(f"/reference/prompts/{hidden['id']}", headers=user.headers).status_code == 404
    assert reference.get(f"/reference/prompts/{hidden['id']}", headers=admin.headers).status_code == 200
    assert reference.get(f"/reference/prompts/{easy['id']}", headers=user.headers).json_body["presets"] == []
    assert len(reference.get(f"/reference/prompts/{easy['id']}", headers=admin.headers).json_body["presets"]) == 1
    first = reference.get(f"/reference/prompts?category={category}&limit=1", headers=user.headers).json_body
    assert [p["id"] for p in first["items"]] == [easy["id"]]
    assert ids(f"&limit=1&cursor={first['next_cursor']}") == [hard["id"]]
    for bad in ("difficulty=expert", "category=Not A Token", "limit=0"):
        assert reference.get(f"/reference/prompts?{bad}", headers=user.headers).status_code == 422, bad


@pytest.mark.parametrize(
    "changes",
    [
        {"prompt_text": None},
        {"difficulty": "expert"},
        {"category": "Mix Bus"},
        {"hints": ["x"] * 21},
        {"prompt_text": ""},
        {"created_by": str(uuid.uuid4())},
    ],
)
def test_invalid_prompts_are_422(changes, reference, make_user):
    payload = {k: v for k, v in (prompt_body() | changes).items() if v is not None}
    assert send(reference, "POST", "/reference/prompts", make_user(admin=True), payload).status_code == 422


def test_a_preset_config_is_bounded(reference, make_user):
    admin = make_user(admin=True)
    prompt = send(reference, "POST", "/reference/prompts", admin, prompt_body()).json_body
    response = send(
        reference,
        "POST",
        f"/reference/prompts/{prompt['id']}/presets",
        admin,
        {"name": "huge", "preset_type": "x", "config": {"blob": "x" * 20_000}},
    )
    assert response.status_code == 422
    response = send(
        reference,
        "POST",
        f"/reference/prompts/{uuid.uuid4()}/presets",
        admin,
        {"name": "orphan", "preset_type": "x", "config": {}},
    )
    assert response.status_code == 404


def test_a_name_is_taken_once_even_under_concurrency(reference, make_user, api):
    admin = make_user(admin=True)
    name = f"Same name {uuid.uuid4().hex[:6]}"

    def create(_):
        return (
            api("reference")
            .post("/reference/prompts", headers=admin.headers, body=json.dumps(prompt_body(name=name)))
            .status_code
        )

    assert sorted(run_concurrently(create, 8)) == [201] + [409] * 7
    other = send(reference, "POST", "/reference/prompts", admin, prompt_body()).json_body
    response = send(reference, "PATCH", f"/reference/prompts/{other['id']}", admin, {"name": name.upper()})
    assert response.status_code == 409 and response.json_body["error"]["code"] == "name_taken"
    assert (
        send(reference, "PATCH", f"/reference/prompts/{other['id']}", admin, {"name": other["name"]}).status_code == 200
    )


def test_the_starter_set_seeds_idempotently(conn, reference, make_user):
    from momentum_infra.seed import reference as starter

    starter.seed(conn)
    counts = conn.execute(
        "SELECT (SELECT count(*) FROM listening_prompt_templates), (SELECT count(*) FROM listening_prompt_presets)"
    ).fetchone()
    starter.seed(conn)
    assert (
        conn.execute(
            "SELECT (SELECT count(*) FROM listening_prompt_templates), (SELECT count(*) FROM listening_prompt_presets)"
        ).fetchone()
        == counts
    )

    seeded = {name for name, *_ in starter.PROMPTS}
    rows = conn.execute(
        "SELECT name, category, difficulty FROM listening_prompt_templates WHERE name = ANY(%s)", (list(seeded),)
    ).fetchall()
    assert len(rows) == len(seeded) >= 12
    assert {c for _, c, _ in rows} >= {"rhythm", "harmony", "mix", "arrangement", "sound_design"}
    assert {d for *_, d in rows} == {"beginner", "intermediate", "advanced"}
    user = make_user()
    listed = reference.get("/reference/prompts?category=rhythm&difficulty=beginner", headers=user.headers).json_body
    assert {"Find the downbeat", "Tempo by ear"} <= {p["name"] for p in listed["items"]}
