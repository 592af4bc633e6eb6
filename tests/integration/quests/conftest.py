from __future__ import annotations

import uuid

import pytest

from tests.integration.daily_support import Caller


@pytest.fixture()
def caller(api, make_user):
    """Factory: a new user's Caller."""
    return lambda admin=False: Caller(api, make_user(admin=admin))


@pytest.fixture()
def admin(caller):
    return caller(admin=True)


@pytest.fixture()
def quest(admin):
    """Factory: a universal quest created through the admin API."""

    def make(target_type="habits_completed", target=2, type="daily", xp=20, coins=10, **fields):
        body = {
            "title": f"Quest {uuid.uuid4().hex[:6]}",
            "type": type,
            "target_type": target_type,
            "target": target,
            "xp_reward": xp,
            "coin_reward": coins,
        } | fields
        return admin.post("/admin/quests", body)

    return make
