"""Fixtures of the fitness tests: the seeded exercise library and callers for new users."""

from __future__ import annotations

import pytest

from tests.integration.fitness.helpers import Caller


@pytest.fixture(scope="session")
def library(database_url):
    """The seeded built-in exercises, name -> id."""
    from momentum import db
    from momentum_infra.seed import fitness

    with db.connect(database_url) as conn:
        with conn.transaction():
            fitness.seed(conn)
        return {name: str(i) for i, name in conn.execute("SELECT id, name FROM exercises WHERE is_builtin")}


@pytest.fixture()
def caller(api, make_user, library):
    """Factory: a Caller for a new user."""
    return lambda: Caller(api, make_user())


@pytest.fixture()
def bench_press(library):
    return library["Barbell Bench Press"]


@pytest.fixture()
def squat(library):
    return library["Barbell Back Squat"]
