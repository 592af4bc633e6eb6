"""Keyset cursors: opaque to clients, and checked when they come back."""

import uuid
from datetime import datetime

import pytest
from momentum.errors import InvalidInput
from momentum.pagination import PageRequest, decode_cursor, encode_cursor


def test_a_cursor_round_trips_to_typed_values():
    when, row_id = datetime(2025, 1, 2, 3, 4, 5), uuid.uuid4()
    page = PageRequest(limit=5, after=decode_cursor(encode_cursor([when.isoformat(), str(row_id)])))
    assert page.after_key(datetime, uuid.UUID) == (when, row_id)


def test_the_first_page_has_no_key():
    assert PageRequest(limit=5).after_key(int, uuid.UUID) == (None, None)


@pytest.mark.parametrize(
    "after",
    [
        ["x", str(uuid.uuid4())],
        [1],
        [1, "not-a-uuid"],
        ["1", str(uuid.uuid4())],
        [1, str(uuid.uuid4()), 3],
        [None, None],
    ],
)
def test_a_tampered_cursor_is_invalid_input(after):
    with pytest.raises(InvalidInput):
        PageRequest(limit=5, after=after).after_key(int, uuid.UUID)


@pytest.mark.parametrize("cursor", ["%%%", encode_cursor({"a": 1}), "bm90IGpzb24"])
def test_an_undecodable_cursor_is_invalid_input(cursor):
    with pytest.raises(InvalidInput):
        decode_cursor(cursor)
