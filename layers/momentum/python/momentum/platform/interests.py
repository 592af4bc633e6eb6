"""A person's interests, from a fixed vocabulary with labels. The market's recommender reads ``user_interests``:
an item whose key, category, name or description names an interest is recommended first."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from psycopg import Connection
from pydantic import Field

from momentum.db import fetch_all
from momentum.errors import InvalidInput
from momentum.models import RequestModel, ResponseModel

# key -> label. Keys are words the recommender looks for in market items ("sound_design" matches "sound design").
VOCABULARY: dict[str, str] = {
    "mixing": "Mixing",
    "mastering": "Mastering",
    "sound_design": "Sound design",
    "synthesis": "Synthesis",
    "sampling": "Sampling",
    "arrangement": "Arrangement",
    "songwriting": "Songwriting",
    "music_theory": "Music theory",
    "ear_training": "Ear training",
    "drums": "Drums and rhythm",
    "vocals": "Vocals",
    "recording": "Recording",
    "live_performance": "Live performance",
    "djing": "DJing",
    "music_business": "Music business",
    "fitness": "Fitness",
    "reading": "Reading",
    "focus": "Focus and productivity",
}


class Interest(ResponseModel):
    key: str
    label: str


class UserInterest(ResponseModel):
    interest_key: str
    interest_label: str
    created_at: datetime


class InterestsIn(RequestModel):
    keys: list[str] = Field(max_length=len(VOCABULARY), description="Keys from GET /interests; replaces the set")


def vocabulary() -> list[Interest]:
    return [Interest(key=k, label=v) for k, v in VOCABULARY.items()]


def check_keys(keys: list[str]) -> list[str]:
    """Raises: InvalidInput (unknown_interest) naming the keys not in the vocabulary."""
    unknown = [k for k in keys if k not in VOCABULARY]
    if unknown:
        raise InvalidInput(
            "Unknown interest", code="unknown_interest", details={"unknown": unknown[:20], "known": list(VOCABULARY)}
        )
    return list(dict.fromkeys(keys))


LIST = """
SELECT interest_key, interest_label, created_at FROM user_interests WHERE user_id = %s ORDER BY created_at, interest_key
"""
DELETE_OTHERS = "DELETE FROM user_interests WHERE user_id = %s AND NOT (interest_key = ANY(%s))"
INSERT = """
INSERT INTO user_interests (user_id, interest_key, interest_label)
SELECT %s, k, l FROM unnest(%s::text[], %s::text[]) AS t (k, l)
ON CONFLICT (user_id, interest_key) DO UPDATE SET interest_label = EXCLUDED.interest_label
"""


def list_interests(conn: Connection, user_id: UUID) -> list[UserInterest]:
    return fetch_all(conn, UserInterest, LIST, (user_id,))


def set_interests(conn: Connection, user_id: UUID, keys: list[str]) -> list[UserInterest]:
    """Replace a person's interests with ``keys`` (kept ones keep their date). Raises: InvalidInput."""
    keys = check_keys(keys)
    with conn.transaction():
        conn.execute(DELETE_OTHERS, (user_id, keys))
        conn.execute(INSERT, (user_id, keys, [VOCABULARY[k] for k in keys]))
    return list_interests(conn, user_id)
