"""Settings: known keys with schemas and defaults; unknown keys and bad or oversized values are refused."""

import pytest
from momentum import gamification
from momentum.platform import settings

DEFAULTS = {
    "timezone": "UTC",
    "weight_unit": "kg",
    "daily_xp_goal": 100,
    "reading_goal_books": 12,
    "reminder_time": None,
    "week_starts_on": "monday",
    "theme": "system",
    "notifications_enabled": True,
}


def test_a_new_user_reads_every_default(caller):
    assert caller().get("/me/settings") == DEFAULTS


def test_put_get_delete_one_key(caller):
    me = caller()

    stored = me.put("/me/settings/weight_unit", {"value": "lb"})
    assert (stored["value"], stored["is_default"]) == ("lb", False)
    assert me.get("/me/settings/weight_unit")["value"] == "lb"
    assert me.get("/me/settings")["weight_unit"] == "lb"

    reset = me.delete("/me/settings/weight_unit", expect=200)
    assert (reset["value"], reset["is_default"]) == ("kg", True)
    assert me.get("/me/settings/weight_unit") == {
        "key": "weight_unit",
        "value": "kg",
        "is_default": True,
        "updated_at": None,
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timezone", "Europe/Berlin"),
        ("timezone", "America/Argentina/Buenos_Aires"),
        ("weight_unit", "lb"),
        ("daily_xp_goal", 250),
        ("reading_goal_books", 0),
        ("reminder_time", "07:30"),
        ("week_starts_on", "sunday"),
        ("notifications_enabled", False),
    ],
)
def test_valid_values_are_stored(caller, key, value):
    me = caller()
    assert me.put(f"/me/settings/{key}", {"value": value})["value"] == value
    assert me.get("/me/settings")[key] == value


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timezone", "Mars/Olympus_Mons"),
        ("timezone", "../../etc/passwd"),
        ("timezone", "utc "),
        ("timezone", 3),
        ("weight_unit", "stone"),
        ("daily_xp_goal", "100"),
        ("daily_xp_goal", 5),
        ("daily_xp_goal", 1.5),
        ("daily_xp_goal", True),
        ("reading_goal_books", -1),
        ("reminder_time", "25:00"),
        ("reminder_time", "7:30"),
        ("week_starts_on", "friday"),
        ("notifications_enabled", "yes"),
        ("theme", None),
    ],
)
def test_invalid_values_are_422_and_store_nothing(caller, conn, key, value):
    me = caller()
    status, error = me.request("PUT", f"/me/settings/{key}", {"value": value})
    assert status == 422, error
    assert conn.execute("SELECT count(*) FROM user_settings WHERE user_id = %s", (me.id,)).fetchone()[0] == 0


def test_unknown_keys_are_refused(caller, conn):
    me = caller()
    status, error = me.request("PUT", "/me/settings/timezon", {"value": "UTC"})
    assert (status, error["error"]["code"]) == (422, "unknown_setting")
    assert "timezone" in error["error"]["details"]["known_keys"]
    assert me.request("GET", "/me/settings/timezon")[0] == 404
    assert me.request("DELETE", "/me/settings/timezon")[0] == 404
    status, _ = me.request("PATCH", "/me/settings", {"timezon": "UTC"})
    assert status == 422
    assert conn.execute("SELECT count(*) FROM user_settings WHERE user_id = %s", (me.id,)).fetchone()[0] == 0


def test_a_value_is_size_limited(caller):
    me = caller()
    with pytest.raises(Exception) as raised:
        settings.validate_value("timezone", "x" * (settings.MAX_VALUE_BYTES + 1))
    assert "too large" in str(raised.value)
    status, error = me.request("PUT", "/me/settings/theme", {"value": ["dark"] * 1000})
    assert status == 422


def test_patch_changes_several_keys_or_none(caller):
    me = caller()
    assert me.patch("/me/settings", {"weight_unit": "lb", "daily_xp_goal": 300})["daily_xp_goal"] == 300
    status, _ = me.request("PATCH", "/me/settings", {"weight_unit": "kg", "daily_xp_goal": 1})
    assert status == 422
    assert me.get("/me/settings")["weight_unit"] == "lb"


def test_a_first_timezone_before_any_activity_is_no_move(caller, conn):
    me = caller()
    me.put("/me/settings/timezone", {"value": "Asia/Tokyo"})
    assert conn.execute("SELECT count(*) FROM timezone_changes WHERE user_id = %s", (me.id,)).fetchone()[0] == 0


def test_a_timezone_change_is_recorded_once_per_change(caller, conn):
    me = caller()
    gamification.touch_streak(conn, me.id, "reading")
    me.put("/me/settings/timezone", {"value": "Asia/Tokyo"})
    me.put("/me/settings/timezone", {"value": "Asia/Tokyo"})
    me.delete("/me/settings/timezone", expect=200)
    changes = conn.execute(
        "SELECT old_timezone, new_timezone FROM timezone_changes WHERE user_id = %s ORDER BY changed_at", (me.id,)
    ).fetchall()
    assert changes == [("UTC", "Asia/Tokyo"), ("Asia/Tokyo", "UTC")]


def test_the_openapi_document_lists_every_known_key():
    from momentum_infra.openapi import openapi_document

    document = openapi_document()
    patch = document["paths"]["/me/settings"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    schema = document["components"]["schemas"][patch["$ref"].rsplit("/", 1)[1]] if "$ref" in patch else patch
    assert set(schema["properties"]) == set(DEFAULTS)
    assert document["paths"]["/me/settings/{key}"]["put"]["parameters"][0]["schema"]["type"] == "string"
