"""Onboarding: admins keep flows with dense, unique step order and total_steps = the step count; a person walks
the active flow (answers checked, forward, back, skip, resume, complete) and the answers configure the app."""

import uuid

import pytest
from momentum_infra.seed import platform as seed_platform

from tests.helpers import run_concurrently


def step(title, **fields):
    return {"step_type": "info", "title": title} | fields


QUESTIONS = [
    step("Welcome", step_type="welcome"),
    step(
        "Daily goal",
        step_type="question",
        options=[{"value": 50, "label": "Some"}, {"value": 200, "label": "Lots"}],
        required=True,
        action_type="set_setting",
        action_config={"key": "daily_xp_goal"},
    ),
    step(
        "Interests",
        step_type="question",
        options=[{"value": "mixing", "label": "Mixing"}, {"value": "drums", "label": "Drums"}],
        allows_multiple=True,
        required=True,
        action_type="set_interests",
    ),
    step(
        "Training",
        step_type="question",
        options=[{"value": "light", "label": "Twice a week"}, {"value": "none", "label": "Not now"}],
        action_type="enroll_program",
        action_config={"programs": {"light": {"name": "Studio fit", "duration_weeks": 4}}},
    ),
    step("First book", step_type="question", action_type="add_book"),
    step("Tour", step_type="tour", target_route="/today"),
]


def orders(conn, flow_id):
    rows = conn.execute(
        "SELECT s.title, s.step_order, f.total_steps FROM onboarding_steps s "
        "JOIN onboarding_flows f ON f.id = s.flow_id WHERE s.flow_id = %s ORDER BY s.step_order",
        (flow_id,),
    ).fetchall()
    assert [o for _, o, _ in rows] == list(range(1, len(rows) + 1)), "dense and unique"
    assert all(total == len(rows) for _, _, total in rows), "total_steps is the step count"
    return [t for t, _, _ in rows]


@pytest.fixture()
def active_flow(caller, conn):
    """Factory: an admin-made flow, made the only active one (tests share the database)."""
    admin = caller(admin=True)

    def make(steps=QUESTIONS):
        flow = admin.post("/admin/onboarding/flows", {"name": f"flow-{uuid.uuid4().hex[:8]}", "steps": steps})
        conn.execute("UPDATE onboarding_flows SET is_active = (id = %s)", (flow["id"],))
        return flow

    return make


def test_admins_keep_step_order_dense_and_total_steps_equal_to_the_count(caller, conn):
    admin = caller(admin=True)
    flow = admin.post(
        "/admin/onboarding/flows", {"name": f"f-{uuid.uuid4().hex[:8]}", "steps": [step("A"), step("B"), step("C")]}
    )
    base = f"/admin/onboarding/flows/{flow['id']}"
    assert (flow["total_steps"], [s["step_order"] for s in flow["steps"]]) == (3, [1, 2, 3])

    admin.post(f"{base}/steps", step("Between", position=2))
    assert orders(conn, flow["id"]) == ["A", "Between", "B", "C"]
    admin.post(f"{base}/steps", step("Far", position=99))
    assert orders(conn, flow["id"]) == ["A", "Between", "B", "C", "Far"]

    c = next(s for s in admin.get(base)["steps"] if s["title"] == "C")
    admin.put(f"{base}/steps/{c['id']}", step("C first", position=1))
    assert orders(conn, flow["id"]) == ["C first", "A", "Between", "B", "Far"]

    a = next(s for s in admin.get(base)["steps"] if s["title"] == "A")
    assert admin.delete(f"{base}/steps/{a['id']}", expect=200)["total_steps"] == 4
    assert orders(conn, flow["id"]) == ["C first", "Between", "B", "Far"]

    ids = [s["id"] for s in admin.get(base)["steps"]]
    admin.put(f"{base}/order", {"step_ids": list(reversed(ids))})
    assert orders(conn, flow["id"]) == ["Far", "B", "Between", "C first"]
    status, error = admin.request("PUT", f"{base}/order", {"step_ids": ids[:3]})
    assert (status, error["error"]["code"]) == (422, "invalid_order")
    assert orders(conn, flow["id"]) == ["Far", "B", "Between", "C first"]

    admin.patch(base, {"description": "Second try", "is_active": False})
    assert admin.get(base)["is_active"] is False
    admin.delete(base)
    assert admin.request("GET", base)[0] == 404

    trail = conn.execute(
        "SELECT action FROM audit_log WHERE resource_type = 'onboarding_flow' AND resource_id = %s AND user_id = %s "
        "ORDER BY created_at",
        (flow["id"], admin.id),
    ).fetchall()
    assert [a for (a,) in trail] == [
        "create_flow",
        "add_step",
        "add_step",
        "replace_step",
        "delete_step",
        "reorder_steps",
        "update_flow",
        "delete_flow",
    ]


def test_concurrent_step_inserts_keep_the_order_dense(caller, conn):
    admin = caller(admin=True)
    flow = admin.post("/admin/onboarding/flows", {"name": f"f-{uuid.uuid4().hex[:8]}", "is_active": False})
    results = run_concurrently(
        lambda i: admin.request("POST", f"/admin/onboarding/flows/{flow['id']}/steps", step(f"S{i}", position=1))[0],
        12,
    )
    assert results == [201] * 12
    assert len(orders(conn, flow["id"])) == 12


def test_flow_names_are_unique(caller):
    admin = caller(admin=True)
    name = f"f-{uuid.uuid4().hex[:8]}"
    admin.post("/admin/onboarding/flows", {"name": name, "is_active": False})
    status, error = admin.request("POST", "/admin/onboarding/flows", {"name": name})
    assert (status, error["error"]["code"]) == (409, "flow_exists")


@pytest.mark.parametrize(
    "bad",
    [
        step(
            "x", step_type="question", options=[{"value": "basket_weaving", "label": "?"}], action_type="set_interests"
        ),
        step(
            "x",
            step_type="question",
            options=[{"value": 1, "label": "?"}],
            action_type="set_setting",
            action_config={"key": "daily_xp_goal"},
        ),
        step("x", step_type="question", action_type="set_setting", action_config={"key": "favourite_colour"}),
        step("x", step_type="question", allows_multiple=True),
        step("x", step_type="tour", action_type="add_book"),
        step("x", step_type="question", options=[{"value": "a", "label": "A"}, {"value": "a", "label": "B"}]),
        step(
            "x",
            step_type="question",
            options=[{"value": "a", "label": "A"}],
            action_type="enroll_program",
            action_config={"programs": {"a": {"name": "P", "duration_weeks": 0}}},
        ),
    ],
)
def test_inconsistent_steps_are_refused(caller, bad):
    admin = caller(admin=True)
    status, _ = admin.request("POST", "/admin/onboarding/flows", {"name": f"f-{uuid.uuid4().hex[:8]}", "steps": [bad]})
    assert status == 422


def test_the_walk_configures_the_app(caller, conn, active_flow):
    flow = active_flow()
    ids = [s["id"] for s in flow["steps"]]
    me = caller()
    assert me.get("/onboarding")["state"] is None
    assert me.request("POST", "/onboarding/next", {})[1]["error"]["code"] == "not_started"

    started = me.post("/onboarding/start", expect=200)
    assert (started["state"]["status"], started["current_position"]) == ("in_progress", 1)
    assert me.request("POST", "/onboarding/answers", {"step_id": ids[0], "value": "hi"})[1]["error"]["code"] == (
        "not_a_question"
    )
    me.post("/onboarding/next", expect=200)

    # A required question: no skipping, no moving on unanswered, only its options
    assert me.request("POST", "/onboarding/skip", {})[1]["error"]["code"] == "step_required"
    assert me.request("POST", "/onboarding/next", {})[1]["error"]["code"] == "answer_required"
    assert me.request("POST", "/onboarding/answers", {"step_id": ids[1], "value": 75})[0] == 422
    assert me.request("POST", "/onboarding/answers", {"step_id": ids[1], "value": "50"})[0] == 422
    assert me.request("POST", "/onboarding/answers", {"step_id": ids[1], "value": [50]})[0] == 422
    me.post("/onboarding/answers", {"step_id": ids[1], "value": 50}, expect=200)
    assert me.get("/me/settings")["daily_xp_goal"] == 50
    # Changing the answer upserts it and re-applies it
    me.post("/onboarding/answers", {"step_id": ids[1], "value": 200}, expect=200)
    assert me.get("/me/settings")["daily_xp_goal"] == 200
    assert me.post("/onboarding/next", expect=200)["current_position"] == 3

    me.post("/onboarding/answers", {"step_id": ids[2], "value": ["mixing", "drums"]}, expect=200)
    assert sorted(i["interest_key"] for i in me.get("/me/interests")) == ["drums", "mixing"]
    assert me.post("/onboarding/back", expect=200)["current_position"] == 2
    me.post("/onboarding/next", expect=200)
    me.post("/onboarding/next", expect=200)

    # An optional question: answering enrols in a starter program, once however often it is sent
    for _ in range(2):
        me.post("/onboarding/answers", {"step_id": ids[3], "value": "light"}, expect=200)
    programs = conn.execute("SELECT name, is_active FROM training_programs WHERE user_id = %s", (me.id,)).fetchall()
    assert programs == [("Studio fit", True)]
    assert me.post("/onboarding/skip", {}, expect=200)["current_position"] == 5

    me.post("/onboarding/answers", {"step_id": ids[4], "value": "Mixing Secrets"}, expect=200)
    books = conn.execute("SELECT title, status FROM books WHERE user_id = %s", (me.id,)).fetchall()
    assert books == [("Mixing Secrets", "reading")]
    me.post("/onboarding/next", expect=200)
    assert me.request("POST", "/onboarding/next", {})[1]["error"]["code"] == "last_step"

    done = me.post("/onboarding/complete", expect=200)
    assert (done["state"]["status"], done["state"]["can_resume"]) == ("completed", False)
    assert done["state"]["completed_at"] is not None
    assert done["answers"] == {ids[1]: 200, ids[2]: ["mixing", "drums"], ids[3]: "light", ids[4]: "Mixing Secrets"}
    assert me.request("POST", "/onboarding/start", {})[1]["error"]["code"] == "already_completed"
    responses = conn.execute("SELECT count(*) FROM user_onboarding_responses WHERE user_id = %s", (me.id,))
    assert responses.fetchone()[0] == 4


def test_complete_needs_the_required_answers(caller, active_flow):
    flow = active_flow()
    me = caller()
    me.post("/onboarding/start", expect=200)
    status, error = me.request("POST", "/onboarding/complete", {})
    assert (status, error["error"]["code"]) == (422, "answer_required")
    assert set(error["error"]["details"]["steps"]) == {flow["steps"][1]["id"], flow["steps"][2]["id"]}


def test_skip_the_flow_and_resume_where_you_were(caller, active_flow):
    active_flow()
    me = caller()
    me.post("/onboarding/start", expect=200)
    me.post("/onboarding/next", expect=200)

    skipped = me.post("/onboarding/skip", {"scope": "flow"}, expect=200)
    assert (skipped["state"]["status"], skipped["current_position"]) == ("skipped", 2)
    assert skipped["state"]["skipped_at"] is not None
    assert me.request("POST", "/onboarding/next", {})[0] == 409

    resumed = me.post("/onboarding/start", expect=200)
    assert (resumed["state"]["status"], resumed["current_position"]) == ("in_progress", 2)


def test_deleting_the_step_someone_stands_on_moves_them_on(caller, active_flow):
    flow = active_flow()
    me, admin = caller(), caller(admin=True)
    me.post("/onboarding/start", expect=200)
    admin.delete(f"/admin/onboarding/flows/{flow['id']}/steps/{flow['steps'][0]['id']}", expect=200)
    here = me.get("/onboarding")
    assert (here["state"]["current_step_id"], here["current_position"]) == (flow["steps"][1]["id"], 1)


def test_the_welcome_flow_is_seeded_once(conn):
    with conn.transaction():
        seed_platform.seed(conn)
    with conn.transaction():
        seed_platform.seed(conn)
    rows = conn.execute(
        "SELECT s.step_type, s.action_type, f.total_steps FROM onboarding_flows f "
        "JOIN onboarding_steps s ON s.flow_id = f.id WHERE f.name = 'welcome' ORDER BY s.step_order"
    ).fetchall()
    assert [(t, a) for t, a, _ in rows] == [
        ("welcome", None),
        ("question", "set_setting"),
        ("question", "set_interests"),
        ("question", "enroll_program"),
        ("tour", None),
    ]
    assert {total for _, _, total in rows} == {5}


def test_concurrent_starts_and_answers_leave_one_state_and_one_answer(caller, conn, active_flow):
    flow = active_flow()
    me = caller()
    assert run_concurrently(lambda _: me.request("POST", "/onboarding/start", {})[0], 10) == [200] * 10
    question = flow["steps"][2]["id"]
    answers = [["mixing"], ["drums"], ["mixing", "drums"]]
    results = run_concurrently(
        lambda i: me.request("POST", "/onboarding/answers", {"step_id": question, "value": answers[i % 3]})[0], 12
    )
    assert results == [200] * 12

    states = conn.execute("SELECT count(*) FROM user_onboarding_state WHERE user_id = %s", (me.id,))
    assert states.fetchone()[0] == 1
    stored = conn.execute(
        "SELECT response FROM user_onboarding_responses WHERE user_id = %s AND step_id = %s", (me.id, question)
    ).fetchall()
    assert len(stored) == 1
    # The interests are those of the answer that won, not a mix of several
    interests = sorted(i["interest_key"] for i in me.get("/me/interests"))
    assert interests == sorted(stored[0][0]["value"])
