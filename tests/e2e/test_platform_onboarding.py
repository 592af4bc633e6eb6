"""A newcomer walks the seeded welcome flow over HTTP through `momentum dev`, and their answers configure the app:
the daily XP goal, the interests the market recommends by, a starter training program."""

import uuid

import pytest

pytestmark = pytest.mark.e2e


def test_the_welcome_walk(dev_server):
    token = dev_server.create_user(f"newcomer-{uuid.uuid4().hex[:8]}@example.com")

    def call(method, path, body=None, expect=200):
        status, data = dev_server.call(method, path, body, token=token)
        assert status == expect, (method, path, status, data)
        return data

    shown = call("GET", "/onboarding")
    assert shown["flow"]["name"] == "welcome" and shown["state"] is None
    steps = {s["step_order"]: s for s in shown["flow"]["steps"]}
    assert [steps[n]["step_type"] for n in sorted(steps)] == ["welcome", "question", "question", "question", "tour"]
    assert shown["flow"]["total_steps"] == 5

    assert call("POST", "/onboarding/start")["current_position"] == 1
    call("POST", "/onboarding/next")
    call("POST", "/onboarding/next", {}, expect=422)  # the goal question is required
    call("POST", "/onboarding/answers", {"step_id": steps[2]["id"], "value": 200})
    call("POST", "/onboarding/next")
    call("POST", "/onboarding/answers", {"step_id": steps[3]["id"], "value": ["mixing", "basket_weaving"]}, 422)
    call("POST", "/onboarding/answers", {"step_id": steps[3]["id"], "value": ["mixing", "sound_design"]})

    # Put it aside and come back later: it resumes on the same step
    assert call("POST", "/onboarding/skip", {"scope": "flow"})["state"]["status"] == "skipped"
    assert call("POST", "/onboarding/start")["current_position"] == 3

    call("POST", "/onboarding/next")
    call("POST", "/onboarding/answers", {"step_id": steps[4]["id"], "value": "steady"})
    assert call("POST", "/onboarding/back")["current_position"] == 3
    call("POST", "/onboarding/next")
    assert call("POST", "/onboarding/skip", {})["current_position"] == 5
    done = call("POST", "/onboarding/complete")
    assert done["state"]["status"] == "completed"

    assert call("GET", "/me/settings")["daily_xp_goal"] == 200
    assert sorted(i["interest_key"] for i in call("GET", "/me/interests")) == ["mixing", "sound_design"]
    programs = call("GET", "/fitness/programs")["items"]
    assert [(p["name"], p["is_active"]) for p in programs] == [("Studio fit: three days", True)]
