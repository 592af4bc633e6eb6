"""The signed-in user's balances and history, and admin grants."""

import json
import uuid

from momentum import db, gamification
from momentum.pagination import encode_cursor

from tests.helpers import run_concurrently

# Admin routes name the user they act on; a signed-in user gets 403 there (tests/integration/test_bad_input.py).
SHARED_ROUTES = {
    ("POST", "/admin/users/{user_id}/grants"),
    ("POST", "/admin/users/{user_id}/rewards"),
}


def grant(http, admin, user_id, body, key=None):
    headers = admin.headers | ({"Idempotency-Key": key} if key else {})
    return http.post(f"/admin/users/{user_id}/grants", headers=headers, body=json.dumps(body))


def test_wallet_progress_and_ledger_show_only_the_callers_rows(api, make_user, conn):
    me, other = make_user(), make_user()
    for i in range(5):
        gamification.award(conn, me.id, event_type="test", idempotency_key=f"me-{i}", coins=10, xp=40)
    gamification.award(conn, other.id, event_type="test", idempotency_key="other", coins=999)
    http = api("me")

    assert http.get("/me/wallet", headers=me.headers).json_body["coins"] == 50
    progress = http.get("/me/progress", headers=me.headers).json_body
    assert (progress["total_xp"], progress["level"]) == (200, 2)

    seen, cursor = [], None
    while True:
        page = http.get("/me/ledger?limit=2" + (f"&cursor={cursor}" if cursor else ""), headers=me.headers).json_body
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 and len({e["id"] for e in seen}) == 5
    assert all(e["coins"] == 10 for e in seen)
    assert [e["created_at"] for e in seen] == sorted((e["created_at"] for e in seen), reverse=True)


def test_ledger_rejects_bad_paging(api, make_user):
    user = make_user()
    http = api("me")
    tampered = [encode_cursor(key) for key in ([1, 2, 3], ["yesterday", "not-a-uuid"], [None, None])]
    for query in ("limit=0", "limit=101", "limit=abc", "cursor=%%%", "unknown=1", *(f"cursor={c}" for c in tampered)):
        response = http.get(f"/me/ledger?{query}", headers=user.headers)
        assert response.status_code == 422, (query, response.body)


def test_skills_streaks_and_achievements_lists(api, make_user, conn):
    user = make_user()
    gamification.touch_streak(conn, user.id, "workout")
    http = api("me")
    # Every list answers the one page envelope, even the short ones that always fit on one page.
    for path in ("/me/skills", "/me/streaks", "/me/achievements", "/me/boosts"):
        response = http.get(path, headers=user.headers)
        assert response.status_code == 200, path
        assert set(response.json_body) == {"items", "next_cursor"}, path
        assert response.json_body["next_cursor"] is None, path
    streaks = http.get("/me/streaks", headers=user.headers).json_body["items"]
    assert [(s["streak_type"], s["current_streak"]) for s in streaks] == [("workout", 1)]


def test_grants_need_the_admin_role(api, make_user):
    user, target = make_user(), make_user()
    response = grant(api("admin"), user, target.id, {"coins": 100, "reason": "please"})
    assert response.status_code == 403
    assert response.json_body["error"]["code"] == "forbidden"


def test_admin_grant_pays_once_per_idempotency_key(api, make_user, conn):
    admin, target = make_user(admin=True), make_user()
    http = api("admin")
    first = grant(http, admin, target.id, {"coins": 100, "xp": 20, "reason": "contest"}, key="contest-1")
    again = grant(http, admin, target.id, {"coins": 100, "xp": 20, "reason": "contest"}, key="contest-1")
    assert first.status_code == again.status_code == 201
    assert first.json_body == again.json_body
    assert gamification.get_wallet(conn, target.id).coins == 100
    audit = conn.execute(
        "SELECT action, resource_id FROM audit_log WHERE user_id = %s AND event_type = 'admin_action'", (admin.id,)
    ).fetchall()
    assert audit == [("grant", target.id)]


def test_fifty_concurrent_grants_with_one_key_pay_once(api, make_user, database_url):
    admin, target = make_user(admin=True), make_user()
    http = api("admin")
    responses = run_concurrently(
        lambda _: grant(http, admin, target.id, {"coins": 5, "reason": "retry storm"}, key="storm"), 50
    )
    assert {r.status_code for r in responses} == {201}
    assert len({json.dumps(r.json_body, sort_keys=True) for r in responses}) == 1
    with db.connect(database_url) as c:
        assert gamification.get_wallet(c, target.id).coins == 5


def test_admin_cannot_take_a_user_below_zero(api, make_user, conn):
    admin, target = make_user(admin=True), make_user()
    response = grant(api("admin"), admin, target.id, {"coins": -1, "reason": "oops"})
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "insufficient_coins"
    assert gamification.get_wallet(conn, target.id).coins == 0


def test_grant_to_unknown_user_is_404(api, make_user):
    admin = make_user(admin=True)
    assert grant(api("admin"), admin, uuid.uuid4(), {"coins": 1, "reason": "x"}).status_code == 404
    assert grant(api("admin"), admin, "not-a-uuid", {"coins": 1, "reason": "x"}).status_code == 404


def test_grant_validation(api, make_user):
    admin, target = make_user(admin=True), make_user()
    http = api("admin")
    for body in (
        {"coins": 0, "xp": 0, "reason": "nothing"},
        {"coins": "5", "reason": "text"},
        {"coins": 5},
        {"coins": 5, "reason": "x", "bonus": 1},
        {"coins": 10**9, "reason": "x"},
    ):
        response = grant(http, admin, target.id, body)
        assert response.status_code == 422, body
        assert response.json_body["error"]["code"] == "invalid_input"


def test_path_ids_are_parsed_once_so_any_uuid_spelling_names_the_same_user(api, make_user, conn):
    admin, target = make_user(admin=True), make_user()
    response = grant(api("admin"), admin, str(target.id).upper(), {"coins": 3, "reason": "shouting"})
    assert response.status_code == 201
    assert gamification.get_wallet(conn, target.id).coins == 3


def test_a_grant_pays_skill_stars_into_the_skill(api, make_user, conn):
    admin, target = make_user(admin=True), make_user()
    conn.execute(
        "INSERT INTO skill_definitions (key, name, category, stars_per_level) VALUES ('mixing', 'Mixing', 'music', 10) "
        "ON CONFLICT (key) DO NOTHING"
    )
    response = grant(
        api("admin"), admin, target.id, {"skill_key": "mixing", "skill_stars": 12, "reason": "mix contest"}
    )
    assert response.status_code == 201, response.json_body
    assert (response.json_body["skill_key"], response.json_body["skill_stars"]) == ("mixing", 12)
    skills = api("me").get("/me/skills", headers=target.headers).json_body["items"]
    mixing = next(s for s in skills if s["key"] == "mixing")
    assert (mixing["total_stars"], mixing["current_level"]) == (12, 2)


def test_a_grant_refuses_an_unknown_skill_and_stars_without_a_skill(api, make_user, conn):
    admin, target = make_user(admin=True), make_user()
    http = api("admin")
    unknown = grant(http, admin, target.id, {"skill_key": "no-such-skill", "skill_stars": 1, "reason": "x"})
    assert unknown.status_code == 422
    assert unknown.json_body["error"]["code"] == "unknown_skill"
    lonely = grant(http, admin, target.id, {"skill_stars": 1, "reason": "x"})
    assert lonely.status_code == 422
    assert lonely.json_body["error"]["code"] == "invalid_input"
    assert conn.execute("SELECT count(*) FROM points_ledger WHERE user_id = %s", (target.id,)).fetchone() == (0,)


def test_a_grant_key_sent_again_with_another_body_is_409(api, make_user, conn):
    admin, target = make_user(admin=True), make_user()
    http = api("admin")
    first = grant(http, admin, target.id, {"coins": 100, "reason": "contest"}, key="contest-2")
    assert first.status_code == 201
    for other in (
        {"coins": 500, "reason": "contest"},
        {"coins": 100, "reason": "another"},
        {"coins": 100, "xp": 1, "reason": "contest"},
    ):
        again = grant(http, admin, target.id, other, key="contest-2")
        assert again.status_code == 409, other
        assert again.json_body["error"]["code"] == "idempotency_key_reused"
    assert (
        grant(http, admin, target.id, {"coins": 100, "reason": "contest"}, key="contest-2").json_body == first.json_body
    )
    assert gamification.get_wallet(conn, target.id).coins == 100


def test_concurrent_grants_of_one_key_with_two_bodies_pay_one_of_them_once(api, make_user, database_url, conn):
    admin, target = make_user(admin=True), make_user()
    conn.execute(
        "INSERT INTO skill_definitions (key, name, category) VALUES ('mixing', 'Mixing', 'music') "
        "ON CONFLICT (key) DO NOTHING"
    )
    http = api("admin")
    bodies = [
        {"skill_key": "mixing", "skill_stars": 3, "reason": "storm"},
        {"skill_key": "mixing", "skill_stars": 4, "reason": "storm"},
    ]
    responses = run_concurrently(lambda i: grant(http, admin, target.id, bodies[i % 2], key="star-storm"), 30)

    assert {r.status_code for r in responses} <= {201, 409}
    paid = [r for r in responses if r.status_code == 201]
    refused = [r for r in responses if r.status_code == 409]
    assert paid and refused  # both bodies were sent 15 times: one was paid, the other refused every time
    assert len({r.json_body["skill_stars"] for r in paid}) == 1
    assert {r.json_body["error"]["code"] for r in refused} == {"idempotency_key_reused"}
    stars = paid[0].json_body["skill_stars"]
    assert len(refused) == 15
    with db.connect(database_url) as c:
        total = c.execute(
            "SELECT total_stars FROM user_skills WHERE user_id = %s AND skill_key = 'mixing'", (target.id,)
        ).fetchone()
        assert total == (stars,)


def test_a_grant_that_completes_an_achievement_earns_it(api, make_user, conn):
    """The grant's statement says when an achievement could be due; the check that follows grants it."""
    admin, target = make_user(admin=True), make_user()
    conn.execute(
        "INSERT INTO skill_definitions (key, name, category) VALUES ('mixing', 'Mixing', 'music') "
        "ON CONFLICT (key) DO NOTHING"
    )
    key = f"ach_{uuid.uuid4().hex[:6]}"
    trigger = {
        "all": [
            {"type": "event", "event_type": "admin_grant"},
            {"type": "threshold", "metric": "skill_stars", "value": 9_999},
        ]
    }
    conn.execute(
        "INSERT INTO achievement_definitions (key, name, category, trigger_type, trigger_config) "
        "VALUES (%s, 'Star mixer', 'test', 'compound', %s)",
        (key, json.dumps(trigger)),
    )
    earned = "SELECT count(*) FROM user_achievements WHERE user_id = %s AND achievement_key = %s"
    try:
        http = api("admin")
        body = {"skill_key": "mixing", "skill_stars": 1, "reason": "first steps"}
        assert grant(http, admin, target.id, body).status_code == 201
        assert conn.execute(earned, (target.id, key)).fetchone() == (0,)
        body = {"skill_key": "mixing", "skill_stars": 9_998, "reason": "a lifetime of mixing"}
        assert grant(http, admin, target.id, body).status_code == 201
        assert conn.execute(earned, (target.id, key)).fetchone() == (1,)
    finally:
        conn.execute("DELETE FROM user_achievements WHERE achievement_key = %s", (key,))
        conn.execute("DELETE FROM achievement_definitions WHERE key = %s", (key,))
