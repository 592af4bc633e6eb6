"""The reading rules as the SQL functions apply them: what a session pays, and a session's pages, which the
correction path (rules.session_pages) completes by the same rule."""

import itertools

import psycopg
import pytest
from momentum import dberrors
from momentum.books import rules
from momentum.errors import InvalidInput
from psycopg.types.json import Jsonb


@pytest.mark.parametrize(
    ("pages", "today", "paid", "expected"),
    [
        (60, 60, (0, 0, 0), (12, 6, 1)),
        (3, 3, (0, 0, 0), (1, 0, 0)),  # at least 1 XP for any pages
        (0, 0, (0, 0, 0), (0, 0, 0)),  # minutes only
        (400, 400, (0, 0, 0), (80, 40, 8)),
        (400, 800, (80, 40, 8), (20, 10, 2)),  # the rest of the day's cap
        (5000, 5800, (100, 50, 10), (0, 0, 0)),  # a capped day pays nothing more
        (49, 101, (4, 2, 1), (9, 4, 1)),  # crossing 100 pages: the second star
    ],
)
def test_session_payout(conn, pages, today, paid, expected):
    payout = conn.execute(
        "SELECT xp, coins, skill_stars FROM reading_session_payout(%s, %s, %s, %s, %s, %s)",
        (pages, today, *paid, Jsonb(rules.READING_RULES)),
    ).fetchone()
    assert payout == expected


def sql_pages(conn, *args):
    """reading_session_pages, its error as the domain error the API answers with."""
    try:
        with conn.transaction():
            row = conn.execute(
                "SELECT start_page, end_page, pages_read FROM reading_session_pages(%s, %s, %s, %s, %s)", args
            ).fetchone()
    except psycopg.Error as error:
        mapped = dberrors.domain_error(error)
        assert isinstance(mapped, InvalidInput), error
        return ("error", mapped.code, mapped.message, mapped.details)
    return rules.SessionPages(*row)


def python_pages(*args):
    try:
        return rules.session_pages(*args)
    except InvalidInput as error:
        return ("error", error.code, error.message, error.details)


def test_the_sql_pages_rule_is_the_python_one(conn):
    values = (None, 0, 5, 12, 30)
    cases = itertools.product(values, values, values, (0, 7), (None, 20))
    for pages_read, start, end, current, total in cases:
        args = (pages_read, start, end, current, total)
        assert sql_pages(conn, *args) == python_pages(*args), args
