"""A person's settings: a fixed set of known keys, each with a schema and a default.

``SettingsPatch`` is the one definition of the keys: its fields are the schemas (the OpenAPI document lists them),
``UserSettings`` gives the defaults. Unknown keys are refused, so a client's typo never becomes data. Values are
stored as JSONB in ``user_settings``; a timezone change is also recorded in ``timezone_changes`` (see
``momentum.platform.days``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from psycopg import Connection
from psycopg.types.json import Jsonb
from pydantic import AfterValidator, Field, JsonValue, ValidationError

from momentum.db import fetch_all, fetch_optional, fetch_value
from momentum.errors import InvalidInput, NotFound
from momentum.models import PatchModel, RequestModel, ResponseModel

MAX_VALUE_BYTES = 1024
TIMEZONE = "timezone"


def _check_timezone(name: str) -> str:
    # zoneinfo also opens paths like "../etc"; only names of the IANA database are accepted.
    if name not in _zone_names():
        raise ValueError("not an IANA timezone name (e.g. Europe/Berlin)")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not an IANA timezone name (e.g. Europe/Berlin)") from None
    return name


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


Timezone = Annotated[
    str, Field(min_length=1, max_length=64, examples=["Europe/Berlin"]), AfterValidator(_check_timezone)
]
WeightUnit = Literal["kg", "lb"]
Weekday = Literal["monday", "sunday", "saturday"]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["07:30"])]
Theme = Literal["system", "light", "dark"]


class SettingsPatch(PatchModel):
    """The known settings and their schemas; send only the keys to change (null resets one to its default)."""

    timezone: Timezone | None = Field(default=None, description="IANA name; days, streaks and rewards follow it")
    weight_unit: WeightUnit | None = None
    daily_xp_goal: int | None = Field(default=None, ge=10, le=10_000)
    reading_goal_books: int | None = Field(default=None, ge=0, le=1_000, description="Books to read this year")
    reminder_time: ClockTime | None = Field(default=None, description="Local time of the daily reminder, HH:MM")
    week_starts_on: Weekday | None = None
    theme: Theme | None = None
    notifications_enabled: bool | None = None


class UserSettings(ResponseModel):
    """Every known setting, with its default where the person has not chosen."""

    timezone: str = "UTC"
    weight_unit: WeightUnit = "kg"
    daily_xp_goal: int = 100
    reading_goal_books: int = 12
    reminder_time: str | None = None
    week_starts_on: Weekday = "monday"
    theme: Theme = "system"
    notifications_enabled: bool = True


KNOWN_KEYS: tuple[str, ...] = tuple(SettingsPatch.model_fields)
DEFAULTS: dict[str, Any] = UserSettings().model_dump()


class SettingValueIn(RequestModel):
    value: JsonValue


class Setting(ResponseModel):
    key: str
    value: JsonValue
    is_default: bool
    updated_at: datetime | None = None


class _StoredSetting(ResponseModel):
    key: str
    value: JsonValue
    updated_at: datetime


def check_key(key: str) -> str:
    """Raises: InvalidInput (unknown_setting) for a key that is not a known setting."""
    if key not in KNOWN_KEYS:
        raise InvalidInput(
            f"Unknown setting {key[:64]!r}", code="unknown_setting", details={"known_keys": list(KNOWN_KEYS)}
        )
    return key


def validate_value(key: str, value: Any) -> Any:
    """The value of a known setting, checked against its schema and size. Raises: InvalidInput."""
    check_key(key)
    if value is None:
        raise InvalidInput("A setting's value cannot be null; DELETE it to go back to the default")
    if len(json.dumps(value)) > MAX_VALUE_BYTES:
        raise InvalidInput("Setting value too large", details={"max_bytes": MAX_VALUE_BYTES})
    try:
        return getattr(SettingsPatch.model_validate({key: value}), key)
    except ValidationError as error:
        errors = [{"field": key, "message": e["msg"], "type": e["type"]} for e in error.errors(include_url=False)]
        raise InvalidInput(f"Invalid value for {key}", details={"errors": errors}) from None


GET_ONE = "SELECT key, value, updated_at FROM user_settings WHERE user_id = %s AND key = %s"
GET_ALL = "SELECT key, value, updated_at FROM user_settings WHERE user_id = %s AND key = ANY(%s)"
LOCK_ONE = "SELECT value FROM user_settings WHERE user_id = %s AND key = %s FOR UPDATE"
UPSERT = """
INSERT INTO user_settings (user_id, key, value) VALUES (%(user_id)s, %(key)s, %(value)s)
ON CONFLICT (user_id, key) DO UPDATE SET value = EXCLUDED.value
RETURNING key, value, updated_at
"""
DELETE = "DELETE FROM user_settings WHERE user_id = %s AND key = %s RETURNING value"
HAS_DAY_ACTIVITY = "SELECT 1 FROM user_streaks WHERE user_id = %s LIMIT 1"
RECORD_TIMEZONE_CHANGE = "INSERT INTO timezone_changes (user_id, old_timezone, new_timezone) VALUES (%s, %s, %s)"


def _record_timezone_change(conn: Connection, user_id: UUID, old: Any, new: Any, *, first: bool) -> None:
    """Remember a move between zones for the day rules of ``momentum.platform.days``. Choosing a timezone for
    the first time before any day-keyed activity (a new account, onboarding) is no move: nothing was counted in
    the default zone yet."""
    if old == new:
        return
    if first and fetch_value(conn, HAS_DAY_ACTIVITY, (user_id,)) is None:
        return
    conn.execute(RECORD_TIMEZONE_CHANGE, (user_id, old, new))


def get_setting(conn: Connection, user_id: UUID, key: str) -> Any:
    """A person's value of a known setting, or its default. Raises: InvalidInput for an unknown key."""
    check_key(key)
    found = fetch_optional(conn, _StoredSetting, GET_ONE, (user_id, key))
    return DEFAULTS[key] if found is None else found.value


def get_settings(conn: Connection, user_id: UUID) -> UserSettings:
    """Every known setting of a person, defaults filled in."""
    stored = fetch_all(conn, _StoredSetting, GET_ALL, (user_id, list(KNOWN_KEYS)))
    return UserSettings.model_validate(DEFAULTS | {s.key: s.value for s in stored})


def read_setting(conn: Connection, user_id: UUID, key: str) -> Setting:
    """One setting with whether it is the default. Raises: NotFound for an unknown key."""
    if key not in KNOWN_KEYS:
        raise NotFound("setting")
    found = fetch_optional(conn, _StoredSetting, GET_ONE, (user_id, key))
    if found is None:
        return Setting(key=key, value=DEFAULTS[key], is_default=True)
    return Setting(key=key, value=found.value, is_default=False, updated_at=found.updated_at)


def set_setting(conn: Connection, user_id: UUID, key: str, value: Any) -> Setting:
    """Store one setting (validated). Raises: InvalidInput (unknown key, bad value, too large)."""
    value = validate_value(key, value)
    with conn.transaction():
        old = conn.execute(LOCK_ONE, (user_id, key)).fetchone()
        stored = fetch_optional(conn, _StoredSetting, UPSERT, {"user_id": user_id, "key": key, "value": Jsonb(value)})
        if key == TIMEZONE:
            _record_timezone_change(conn, user_id, DEFAULTS[key] if old is None else old[0], value, first=old is None)
    assert stored is not None
    return Setting(key=key, value=stored.value, is_default=False, updated_at=stored.updated_at)


def update_settings(conn: Connection, user_id: UUID, patch: SettingsPatch) -> UserSettings:
    """Store the settings sent, in one transaction. Raises: InvalidInput."""
    sent = patch.model_dump(exclude_unset=True)
    with conn.transaction():
        for key, value in sent.items():
            set_setting(conn, user_id, key, value)
    return get_settings(conn, user_id)


def delete_setting(conn: Connection, user_id: UUID, key: str) -> Setting:
    """Forget a setting: it reads as its default again. Raises: NotFound for an unknown key."""
    if key not in KNOWN_KEYS:
        raise NotFound("setting")
    with conn.transaction():
        old = conn.execute(DELETE, (user_id, key)).fetchone()
        if key == TIMEZONE and old is not None:
            _record_timezone_change(conn, user_id, old[0], DEFAULTS[key], first=False)
    return Setting(key=key, value=DEFAULTS[key], is_default=True)
