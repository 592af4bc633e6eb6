"""Authoring the curriculum (admin routes): topics, lessons and drills. Quizzes and drill configurations are
validated by their models (a correct answer that is not one of its options is a 422); a lesson's skill must be a
defined skill; keys are unique (409)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection, sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from momentum.db import fetch_one, fetch_value
from momentum.errors import InvalidInput, NotFound
from momentum.learn.models import (
    AdminDrill,
    AdminLesson,
    AdminTopic,
    DrillIn,
    DrillPatch,
    LessonIn,
    LessonPatch,
    TopicIn,
    TopicPatch,
)

TOPIC_COLUMNS = "id, key, name, description, category, icon, color, sort_order, is_active, created_at"
LESSON_COLUMNS = (
    "id, topic_id, key, title, description, content_markdown, duration_minutes, difficulty, quiz_json, xp_reward, "
    "coin_reward, skill_key, skill_star_reward, video_url, sort_order, is_active, created_at"
)
DRILL_COLUMNS = (
    "id, topic_id, key, title, description, drill_type, config_json, difficulty, duration_seconds, xp_reward, "
    "sort_order, is_active, created_at"
)
# Body field -> column, where they differ.
RENAMED = {"quiz": "quiz_json", "config": "config_json"}


def _columns(body: BaseModel, fields: set[str]) -> dict[str, Any]:
    values = body.model_dump(include=fields, mode="json")
    return {RENAMED.get(k, k): Jsonb(v) if k in RENAMED and v is not None else v for k, v in values.items()}


def _insert(table: str, values: dict[str, Any], returning: str) -> Any:
    return sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING {}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(map(sql.Placeholder, values)),
        sql.SQL(returning),
    )


def _update(table: str, values: dict[str, Any], returning: str) -> Any:
    sets = sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in values)
    return sql.SQL("UPDATE {} SET {} WHERE id = %(id)s RETURNING {}").format(
        sql.Identifier(table), sets, sql.SQL(returning)
    )


def _check_topic(conn: Connection, topic_id: UUID | None) -> None:
    if topic_id is not None and fetch_value(conn, "SELECT 1 FROM learn_topics WHERE id = %s", (topic_id,)) is None:
        raise InvalidInput("Unknown topic", code="unknown_topic", details={"topic_id": str(topic_id)})


def _check_skill(conn: Connection, skill_key: str | None) -> None:
    if skill_key and fetch_value(conn, "SELECT 1 FROM skill_definitions WHERE key = %s", (skill_key,)) is None:
        raise InvalidInput("Unknown skill", code="unknown_skill", details={"skill_key": skill_key})


def create_topic(conn: Connection, body: TopicIn) -> AdminTopic:
    values = _columns(body, set(type(body).model_fields))
    return fetch_one(conn, AdminTopic, _insert("learn_topics", values, TOPIC_COLUMNS), values, resource="topic")


def update_topic(conn: Connection, topic_id: UUID, body: TopicPatch) -> AdminTopic:
    values = _columns(body, body.model_fields_set)
    if not values:
        return fetch_one(
            conn,
            AdminTopic,
            f"SELECT {TOPIC_COLUMNS} FROM learn_topics WHERE id = %(id)s",
            {"id": topic_id},
            resource="topic",
        )
    query = _update("learn_topics", values, TOPIC_COLUMNS)
    return fetch_one(conn, AdminTopic, query, values | {"id": topic_id}, resource="topic")


def create_lesson(conn: Connection, body: LessonIn) -> AdminLesson:
    _check_topic(conn, body.topic_id)
    _check_skill(conn, body.skill_key)
    values = _columns(body, set(type(body).model_fields))
    query = _insert("learn_lessons", values, LESSON_COLUMNS)
    return fetch_one(conn, AdminLesson, query, values, resource="lesson")


def update_lesson(conn: Connection, lesson_id: UUID, body: LessonPatch) -> AdminLesson:
    values = _columns(body, body.model_fields_set)
    with conn.transaction():
        current = fetch_one(
            conn,
            AdminLesson,
            f"SELECT {LESSON_COLUMNS} FROM learn_lessons WHERE id = %(id)s FOR UPDATE",
            {"id": lesson_id},
            resource="lesson",
        )
        if not values:
            return current
        _check_topic(conn, body.topic_id)
        _check_skill(conn, body.skill_key)
        stars = values.get("skill_star_reward", current.skill_star_reward)
        skill = values.get("skill_key", current.skill_key)
        if stars and not skill:
            raise InvalidInput("skill_star_reward needs a skill_key")
        query = _update("learn_lessons", values, LESSON_COLUMNS)
        return fetch_one(conn, AdminLesson, query, values | {"id": lesson_id}, resource="lesson")


def create_drill(conn: Connection, body: DrillIn) -> AdminDrill:
    _check_topic(conn, body.topic_id)
    values = _columns(body, set(type(body).model_fields))
    return fetch_one(conn, AdminDrill, _insert("learn_drills", values, DRILL_COLUMNS), values, resource="drill")


def update_drill(conn: Connection, drill_id: UUID, body: DrillPatch) -> AdminDrill:
    values = _columns(body, body.model_fields_set)
    _check_topic(conn, body.topic_id)
    if not values:
        return fetch_one(
            conn,
            AdminDrill,
            f"SELECT {DRILL_COLUMNS} FROM learn_drills WHERE id = %(id)s",
            {"id": drill_id},
            resource="drill",
        )
    query = _update("learn_drills", values, DRILL_COLUMNS)
    return fetch_one(conn, AdminDrill, query, values | {"id": drill_id}, resource="drill")


def delete(conn: Connection, table: str, resource: str, row_id: UUID) -> None:
    """Delete a topic, lesson or drill (progress, stats, rounds and review cards go with it). Raises: NotFound."""
    assert table in {"learn_topics", "learn_lessons", "learn_drills"}
    deleted = conn.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(table)), (row_id,))
    if deleted.rowcount == 0:
        raise NotFound(resource)
