from __future__ import annotations

import pytest

from tests.integration.daily_support import Caller


@pytest.fixture()
def caller(api, make_user):
    """Factory: a new user's Caller."""
    return lambda admin=False: Caller(api, make_user(admin=admin))
