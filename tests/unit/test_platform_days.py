"""A person's day follows their timezone; changing it does not start a new day early or bring an ended one back."""

from datetime import UTC, date, datetime, timedelta

import pytest
from momentum.platform import days
from momentum.platform.flags import bucket


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_day_rolls_over_at_local_midnight_not_utc_midnight():
    # 23:59 and 00:01 in Los Angeles (UTC-8 in December) are 07:59 and 08:01 UTC: one UTC day, two local days
    before, after = at("2026-12-02T07:59:00"), at("2026-12-02T08:01:00")
    assert days.local_day(before, "America/Los_Angeles") == date(2026, 12, 1)
    assert days.local_day(after, "America/Los_Angeles") == date(2026, 12, 2)
    assert days.new_day_everywhere(after, before, ["America/Los_Angeles"])
    assert not days.new_day_everywhere(after, before, ["UTC"])


def test_at_16_00_in_utc_minus_8_the_day_is_not_over():
    # The bug this fixes: at UTC midnight (16:00 in Los Angeles) the old code started a new day
    afternoon, evening = at("2026-12-01T23:00:00"), at("2026-12-02T00:30:00")
    assert not days.new_day_everywhere(evening, afternoon, ["America/Los_Angeles"])


def test_moving_east_does_not_start_a_new_day_before_the_old_zones_midnight():
    claimed = at("2026-12-02T09:00:00")  # 09:00 in UTC, 23:00 on Dec 2 in Kiritimati (UTC+14)
    later = at("2026-12-02T10:30:00")  # 00:30 on Dec 3 in Kiritimati, still Dec 2 in UTC
    assert days.new_day_everywhere(later, claimed, ["Pacific/Kiritimati"])
    assert not days.new_day_everywhere(later, claimed, ["Pacific/Kiritimati", "UTC"])
    assert days.new_day_everywhere(at("2026-12-03T00:00:01"), claimed, ["Pacific/Kiritimati", "UTC"])


def test_moving_west_does_not_bring_back_a_day_that_ended():
    now = at("2026-12-03T06:00:00")  # Dec 3 in UTC, Dec 2 in UTC-12
    assert days.local_day(now, "Etc/GMT+12") == date(2026, 12, 2)
    assert days.latest_day(now, ["Etc/GMT+12", "UTC"]) == date(2026, 12, 3)


def test_zones_left_long_ago_no_longer_count_for_the_activity_day():
    now = at("2026-12-03T06:00:00")
    clock = days.Clock(now=now, zone="Etc/GMT+12", left=(("UTC", now - timedelta(hours=49)),))
    assert clock.activity_day() == date(2026, 12, 2)
    recent = days.Clock(now=now, zone="Etc/GMT+12", left=(("UTC", now - timedelta(hours=3)),))
    assert recent.activity_day() == date(2026, 12, 3)


def test_local_midnight_is_the_start_of_the_local_day():
    assert days.local_midnight(date(2026, 12, 2), "America/Los_Angeles") == at("2026-12-02T08:00:00")


def test_an_unknown_zone_in_the_database_reads_as_utc():
    assert days.local_day(at("2026-12-02T23:30:00"), "Not/AZone") == date(2026, 12, 2)


@pytest.mark.parametrize("flag", ["new_home", "beta_market"])
def test_rollout_buckets_are_stable_and_spread(flag):
    import uuid

    users = [uuid.UUID(int=i * 7919 + 1) for i in range(2000)]
    buckets = [bucket(flag, u) for u in users]
    assert buckets == [bucket(flag, u) for u in users]
    assert all(0 <= b < 100 for b in buckets)
    share = sum(b < 25 for b in buckets) / len(buckets)
    assert 0.21 < share < 0.29


def test_rollout_buckets_differ_between_flags():
    import uuid

    users = [uuid.UUID(int=i + 1) for i in range(500)]
    assert [bucket("a", u) for u in users] != [bucket("b", u) for u in users]
