"""Feature flags: admin CRUD (audited), one call for a client's flags, stable percentage rollout, short cache."""

import uuid

from momentum.platform import flags


def name() -> str:
    return f"flag_{uuid.uuid4().hex[:10]}"


def test_admin_crud_and_the_users_view(caller, conn):
    admin, me = caller(admin=True), caller()
    on, off = name(), name()
    created = admin.post("/admin/feature-flags", {"flag_name": on, "enabled": True, "description": "New home"})
    admin.post("/admin/feature-flags", {"flag_name": off})

    mine = me.get("/me/flags")["flags"]
    assert (mine[on], mine[off]) == (True, False)

    admin.patch(f"/admin/feature-flags/{created['id']}", {"enabled": False})
    assert me.get("/me/flags")["flags"][on] is False  # the changing function drops its cache at once
    assert admin.get(f"/admin/feature-flags/{created['id']}")["description"] == "New home"

    admin.delete(f"/admin/feature-flags/{created['id']}")
    assert on not in me.get("/me/flags")["flags"]
    assert admin.request("GET", f"/admin/feature-flags/{created['id']}")[0] == 404

    actions = conn.execute(
        "SELECT action FROM audit_log WHERE resource_id = %s ORDER BY created_at", (created["id"],)
    ).fetchall()
    assert [a for (a,) in actions] == ["create_flag", "update_flag", "delete_flag"]


def test_names_are_unique_and_checked(caller):
    admin = caller(admin=True)
    taken = name()
    admin.post("/admin/feature-flags", {"flag_name": taken})
    status, error = admin.request("POST", "/admin/feature-flags", {"flag_name": taken})
    assert (status, error["error"]["code"]) == (409, "flag_exists")
    assert admin.request("POST", "/admin/feature-flags", {"flag_name": "Has Spaces"})[0] == 422
    bad = {"flag_name": name(), "metadata": {"rollout_percent": 101}}
    assert admin.request("POST", "/admin/feature-flags", bad)[0] == 422


def test_percentage_rollout_is_stable_per_user(caller, conn):
    admin = caller(admin=True)
    flag = name()
    admin.post("/admin/feature-flags", {"flag_name": flag, "enabled": True, "metadata": {"rollout_percent": 30}})
    users = [caller() for _ in range(12)]

    first = {u.id: u.get("/me/flags")["flags"][flag] for u in users}
    again = {u.id: u.get("/me/flags")["flags"][flag] for u in users}

    assert first == again
    assert first == {u.id: flags.bucket(flag, u.id) < 30 for u in users}


def test_an_allow_list_turns_an_enabled_flag_on_for_testers(caller):
    admin, tester, other = caller(admin=True), caller(), caller()
    flag = name()
    meta = {"rollout_percent": 0, "allow_user_ids": [str(tester.id)], "owner": "growth team"}
    created = admin.post("/admin/feature-flags", {"flag_name": flag, "enabled": True, "metadata": meta})
    assert created["metadata"]["owner"] == "growth team"
    assert tester.get("/me/flags")["flags"][flag] is True
    assert other.get("/me/flags")["flags"][flag] is False


def test_reads_are_cached_for_the_cache_time(conn):
    # Given a cache with a clock we move by hand
    now = [1000.0]
    cache = flags.FlagCache(ttl=30, clock=lambda: now[0])
    flag = name()
    user = uuid.uuid4()
    assert flag not in flags.my_flags(conn, user, cache).flags

    # When a flag is created by another function
    conn.execute("INSERT INTO feature_flags (flag_name, enabled) VALUES (%s, true)", (flag,))

    # Then this function sees it only once the cache time has passed
    now[0] += 29
    assert flag not in flags.my_flags(conn, user, cache).flags
    now[0] += 1
    assert flags.my_flags(conn, user, cache).flags[flag] is True
