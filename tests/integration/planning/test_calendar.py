"""Calendar events: RRULE expansion with dateutil in the event's zone, exceptions, links, the .ics export."""

from __future__ import annotations

from icalendar import Calendar


def event(user, **fields):
    body = {"title": "Studio", "start_time": "2027-03-01T09:00:00+01:00", "end_time": "2027-03-01T11:00:00+01:00"}
    return user.post("/calendar/events", body | fields)


def test_a_single_event_shows_in_its_range_only(caller):
    user = caller()
    e = event(user)
    assert [o["event_id"] for o in user.get("/calendar/events?start=2027-03-01&end=2027-03-01")] == [e["id"]]
    assert user.get("/calendar/events?start=2027-03-02&end=2027-03-05") == []


def test_a_weekly_rule_expands_at_the_same_local_time_across_daylight_saving(caller):
    user = caller()
    event(
        user,
        start_time="2027-03-22T09:00:00+01:00",
        end_time="2027-03-22T10:00:00+01:00",
        timezone="Europe/Berlin",
        recurrence_rule="FREQ=WEEKLY;BYDAY=MO",
    )

    starts = [o["start_time"] for o in user.get("/calendar/events?start=2027-03-20&end=2027-04-06")]

    # Berlin moves to summer time on 28 March 2027: still 09:00 local, one hour earlier in UTC.
    assert starts == ["2027-03-22T09:00:00+01:00", "2027-03-29T09:00:00+02:00", "2027-04-05T09:00:00+02:00"]


def test_recurrence_end_and_count_stop_the_series(caller):
    user = caller()
    event(
        user,
        start_time="2027-01-01T08:00:00Z",
        end_time=None,
        recurrence_rule="FREQ=DAILY",
        recurrence_end="2027-01-03",
    )
    event(user, title="Counted", start_time="2027-01-01T20:00:00Z", end_time=None, recurrence_rule="FREQ=DAILY;COUNT=2")
    found = user.get("/calendar/events?start=2027-01-01&end=2027-01-10")
    assert [(o["title"], o["start_time"][:10]) for o in found] == [
        ("Studio", "2027-01-01"),
        ("Counted", "2027-01-01"),
        ("Studio", "2027-01-02"),
        ("Counted", "2027-01-02"),
        ("Studio", "2027-01-03"),
    ]


def test_exceptions_move_or_cancel_one_occurrence(caller):
    user = caller()
    e = event(
        user, start_time="2027-05-03T18:00:00Z", end_time="2027-05-03T19:00:00Z", recurrence_rule="FREQ=DAILY;COUNT=3"
    )
    user.post(f"/calendar/events/{e['id']}/exceptions", {"original_start": "2027-05-04T18:00:00Z", "cancelled": True})
    moved = user.post(
        f"/calendar/events/{e['id']}/exceptions",
        {"original_start": "2027-05-05T18:00:00Z", "start_time": "2027-05-05T20:00:00Z", "title": "Late session"},
    )
    assert moved["parent_event_id"] == e["id"]

    found = user.get("/calendar/events?start=2027-05-01&end=2027-05-10")

    assert [(o["title"], o["start_time"], o["end_time"]) for o in found] == [
        ("Studio", "2027-05-03T18:00:00Z", "2027-05-03T19:00:00Z"),
        ("Late session", "2027-05-05T20:00:00Z", "2027-05-05T21:00:00Z"),
    ]
    status, error = user.request(
        "POST", f"/calendar/events/{e['id']}/exceptions", {"original_start": "2027-05-04T18:30:00Z"}
    )
    assert status == 422


def test_an_rrule_that_does_not_parse_is_422(caller):
    user = caller()
    for rule in ("FREQ=SOMETIMES", "DTSTART:20270101T000000Z\nRRULE:FREQ=DAILY", "FREQ=DAILY;UNTIL=20270105T000000"):
        status, error = user.request(
            "POST", "/calendar/events", {"title": "x", "start_time": "2027-01-01T00:00:00Z", "recurrence_rule": rule}
        )
        assert (status, error["error"]["code"]) == (422, "invalid_input"), rule


def test_links_must_be_ones_own(caller):
    owner, user = caller(), caller()
    habit = owner.post("/habits", {"name": "Owner's"})
    status, error = user.request(
        "POST", "/calendar/events", {"title": "x", "start_time": "2027-01-01T00:00:00Z", "habit_id": habit["id"]}
    )
    assert (status, error["error"]["code"]) == (422, "unknown_link")
    mine = user.post("/habits", {"name": "Mine"})
    assert event(user, habit_id=mine["id"])["habit_id"] == mine["id"]


def test_the_ics_export_parses_and_keeps_rules_and_exceptions(caller):
    user = caller()
    e = event(
        user,
        start_time="2027-06-07T09:00:00+02:00",
        end_time="2027-06-07T10:00:00+02:00",
        timezone="Europe/Berlin",
        recurrence_rule="FREQ=WEEKLY;BYDAY=MO",
        recurrence_end="2027-06-30",
    )
    user.post(
        f"/calendar/events/{e['id']}/exceptions", {"original_start": "2027-06-14T09:00:00+02:00", "cancelled": True}
    )
    user.post(
        f"/calendar/events/{e['id']}/exceptions", {"original_start": "2027-06-21T09:00:00+02:00", "title": "Moved"}
    )
    status, body = user.request("GET", "/calendar/export?start=2027-06-01&end=2027-06-30")

    assert status == 200
    calendar = Calendar.from_ical(body)
    vevents = list(calendar.walk("VEVENT"))
    assert len(vevents) == 2
    series = next(v for v in vevents if "RRULE" in v)
    assert series["RRULE"]["FREQ"] == ["WEEKLY"]
    assert "UNTIL" in series["RRULE"]
    assert "EXDATE" in series
    moved = next(v for v in vevents if "RECURRENCE-ID" in v)
    assert str(moved["SUMMARY"]) == "Moved"
    assert moved["UID"] == series["UID"]


def test_a_range_longer_than_a_year_is_refused(caller):
    user = caller()
    status, _ = user.request("GET", "/calendar/events?start=2027-01-01&end=2028-06-01")
    assert status == 422
