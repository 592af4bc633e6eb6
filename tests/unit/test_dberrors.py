"""The one table from database errors to domain errors: constraint violations by name, both directions of a
foreign key, and the key a violation names."""

from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from momentum.dberrors import domain_error, key
from momentum.errors import Conflict, InvalidInput


class FakeDiag(psycopg.errors.ForeignKeyViolation):
    """A ForeignKeyViolation whose diag is plain data."""

    def __init__(self, constraint: str, message: str, detail: str) -> None:
        super().__init__(message)
        self._fake = SimpleNamespace(constraint_name=constraint, message_primary=message, message_detail=detail)

    @property
    def diag(self) -> Any:  # type: ignore[override]
        return self._fake

    @property
    def sqlstate(self) -> str:  # type: ignore[override]
        return "23503"


INSERT = 'insert or update on table "exercise_sets" violates foreign key constraint "exercise_sets_exercise_id_fkey"'
DELETE = (
    'update or delete on table "exercises" violates foreign key constraint "exercise_sets_exercise_id_fkey" '
    'on table "exercise_sets"'
)
ID = "3f2c4d1e-0000-4000-8000-000000000001"


def test_a_write_naming_a_missing_row_is_the_clients_unknown_id():
    error = domain_error(
        FakeDiag("exercise_sets_exercise_id_fkey", INSERT, f'Key (exercise_id)=({ID}) is not present in table "x".')
    )
    assert isinstance(error, InvalidInput)
    assert (error.status, error.code, error.details) == (422, "unknown_exercise", {"exercise_ids": [ID]})


def test_deleting_a_row_still_referenced_is_a_conflict():
    error = domain_error(
        FakeDiag("exercise_sets_exercise_id_fkey", DELETE, f'Key (id)=({ID}) is still referenced from table "y".')
    )
    assert isinstance(error, Conflict)
    assert (error.status, error.code) == (409, "exercise_in_use")


def test_a_direction_without_an_entry_has_no_domain_meaning():
    # A session's workout is never deleted while referenced by its sessions (the link is cleared first).
    error = FakeDiag("workout_sessions_workout_id_fkey", DELETE.replace("exercise", "workout"), "")
    assert domain_error(error) is None


def test_an_unknown_constraint_has_no_domain_meaning():
    assert domain_error(FakeDiag("some_other_fkey", INSERT, "")) is None


@pytest.mark.parametrize(
    "detail, expected",
    [
        (f'Key (exercise_id)=({ID}) is not present in table "exercises".', {"exercise_id": ID}),
        ("Key (user_id, day)=(7, 2030-01-01) already exists.", {"user_id": "7", "day": "2030-01-01"}),
        ('Key is not present in table "exercises".', {}),
        ("", {}),
    ],
)
def test_the_key_a_violation_names(detail, expected):
    assert key(FakeDiag("c", "m", detail)) == expected
