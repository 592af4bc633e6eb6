"""A person's day: the date in their ``timezone`` setting, not the UTC date.

Streaks and the daily reward roll over at the person's local midnight. Changing the timezone must not buy a
second daily reward in one real day (moving east starts "tomorrow" early) nor save a streak that was already lost
(moving west brings "yesterday" back). The rules, with the zones a person used recently taken from
``timezone_changes``:

- A streak's day is the latest local date among the zones used in the last 48 hours, so moving west cannot step
  back into a day that has already ended in the zone the person was in (48 hours covers the widest offset gap,
  UTC−12 to UTC+14, with room to spare).
- A new daily reward needs a later date than the previous claim's in *every* zone used since that claim, so moving
  east cannot start a new day before the old zone's midnight. In one unchanged zone both rules are plain local
  midnight.

``local_today`` is the plain local date (for display and plans); ``activity_day`` is the guarded one (streaks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from psycopg import Connection

from momentum.platform.settings import DEFAULTS, TIMEZONE

RECENT = timedelta(hours=48)

ZONES = """
WITH left_zones AS (
    SELECT old_timezone, changed_at FROM timezone_changes
    WHERE user_id = %(user_id)s AND changed_at > least(%(since)s, now() - %(recent)s)
)
SELECT now() AS clock_now,
       coalesce((SELECT value #>> '{}' FROM user_settings WHERE user_id = %(user_id)s AND key = 'timezone'),
                %(default)s) AS clock_zone,
       array(SELECT old_timezone FROM left_zones ORDER BY changed_at) AS clock_left_zones,
       array(SELECT changed_at FROM left_zones ORDER BY changed_at) AS clock_left_at
"""

# ZONES as a relation another statement can join (with the parameters of ``clock_params``), so a write that reads
# a row first learns the person's clock in the same round trip; ``clock_of`` reads its four columns.
CLOCK = f"({ZONES}) clock"


@dataclass(frozen=True)
class Clock:
    """The database's now, the person's current zone, and the zones they left (with when) since a given instant
    or in the last 48 hours, whichever is earlier."""

    now: datetime
    zone: str
    left: tuple[tuple[str, datetime], ...] = ()

    def zones_since(self, instant: datetime) -> tuple[str, ...]:
        """The current zone and every zone left after ``instant``."""
        return tuple(dict.fromkeys([self.zone, *(z for z, at in self.left if at > instant)]))

    def today(self) -> date:
        return local_day(self.now, self.zone)

    def activity_day(self) -> date:
        return latest_day(self.now, self.zones_since(self.now - RECENT))


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):  # only validated names are stored; a database edited by hand falls back to UTC
        return ZoneInfo("UTC")


def local_day(instant: datetime, zone_name: str) -> date:
    return instant.astimezone(zone(zone_name)).date()


def local_midnight(day: date, zone_name: str) -> datetime:
    """The instant ``day`` starts in a zone."""
    return datetime(day.year, day.month, day.day, tzinfo=zone(zone_name))


def latest_day(instant: datetime, zones: Iterable[str]) -> date:
    """The latest local date of ``instant`` among ``zones`` (the guarded day of a streak)."""
    return max(local_day(instant, z) for z in zones)


def new_day_everywhere(now: datetime, before: datetime, zones: Iterable[str]) -> bool:
    """Whether ``now`` falls on a later date than ``before`` in every one of ``zones``."""
    return all(local_day(now, z) > local_day(before, z) for z in zones)


def clock_params(user_id: UUID, since: datetime | None = None) -> dict[str, Any]:
    """The parameters of ZONES (and CLOCK)."""
    return {"user_id": user_id, "default": DEFAULTS[TIMEZONE], "since": since, "recent": RECENT}


def clock_of(row: dict[str, Any]) -> Clock:
    """The Clock in a row that carries CLOCK's columns."""
    left = tuple(zip(row["clock_left_zones"], row["clock_left_at"], strict=True))
    return Clock(now=row["clock_now"], zone=row["clock_zone"], left=left)


def clock(conn: Connection, user_id: UUID, since: datetime | None = None) -> Clock:
    """The person's clock in one query: now, their zone, and the zones they used since ``since`` / in 48 hours."""
    row = conn.execute(ZONES, clock_params(user_id, since)).fetchone()
    assert row is not None
    now, current, left_zones, left_at = row
    return Clock(now=now, zone=current, left=tuple(zip(left_zones, left_at, strict=True)))


def local_today(conn: Connection, user_id: UUID) -> date:
    """Today's date in the person's timezone."""
    return clock(conn, user_id).today()


def activity_day(conn: Connection, user_id: UUID) -> date:
    """The day activity counts for (streaks): the local date, never earlier than in a zone left in 48 hours."""
    return clock(conn, user_id).activity_day()
