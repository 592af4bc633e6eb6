"""Listening prompt templates and their presets: exercises a producer runs on a reference track ("count the
bars of the intro", "where does the bass drop out?"). Admins write them; users read the active ones.

A template's name is unique (case-insensitively), so admins and the seed data can address templates by name.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection, sql
from psycopg.types.json import Jsonb

from momentum import db
from momentum.auth import CurrentUser
from momentum.errors import Conflict, Forbidden, NotFound
from momentum.pagination import Page, PageRequest, page_of
from momentum.reference.common import set_clause
from momentum.reference.models import (
    Preset,
    PresetIn,
    PresetPatch,
    Prompt,
    PromptDetail,
    PromptIn,
    PromptPatch,
    PromptQuery,
)

PROMPT_FIELDS = (
    "name",
    "description",
    "category",
    "difficulty",
    "prompt_text",
    "hints",
    "expected_observations",
    "tags",
    "display_order",
    "is_active",
)
PRESET_FIELDS = ("name", "description", "preset_type", "config", "is_active")
JSON_FIELDS = frozenset({"hints", "expected_observations", "config"})

PROMPT_COLUMNS = """id, name, description, category, difficulty, prompt_text, hints, expected_observations, tags,
    display_order, is_active, created_at, updated_at"""
PRESET_COLUMNS = "id, template_id, name, description, preset_type, config, is_active, created_at, updated_at"

LIST_PROMPTS = f"""
SELECT {PROMPT_COLUMNS} FROM listening_prompt_templates
WHERE (is_active OR %(include_inactive)s)
  AND (%(category)s::text IS NULL OR category = %(category)s)
  AND (%(difficulty)s::text IS NULL OR difficulty = %(difficulty)s)
  AND (%(tag)s::text IS NULL OR %(tag)s = ANY (tags))
  AND (%(after_order)s::int IS NULL OR (display_order, name, id) > (%(after_order)s, %(after_name)s, %(after_id)s))
ORDER BY display_order, name, id
LIMIT %(limit)s
"""
SELECT_PROMPT = f"SELECT {PROMPT_COLUMNS} FROM listening_prompt_templates WHERE id = %s AND (is_active OR %s)"
SELECT_PRESETS = f"""
SELECT {PRESET_COLUMNS} FROM listening_prompt_presets WHERE template_id = %s AND (is_active OR %s)
ORDER BY name, id
"""
# Serialises writers of one name, so two admins cannot create the same name at once.
LOCK_NAME = "SELECT pg_advisory_xact_lock(hashtextextended('listening_prompt_templates:' || lower(%s), 0))"
NAME_TAKEN = "SELECT id FROM listening_prompt_templates WHERE lower(name) = lower(%s) AND id IS DISTINCT FROM %s"
INSERT_PROMPT = f"""
INSERT INTO listening_prompt_templates (name, description, category, difficulty, prompt_text, hints,
    expected_observations, tags, display_order, is_active, created_by)
VALUES (%(name)s, %(description)s, %(category)s, %(difficulty)s, %(prompt_text)s, %(hints)s,
    %(expected_observations)s, %(tags)s, %(display_order)s, %(is_active)s, %(created_by)s)
RETURNING {PROMPT_COLUMNS}
"""
DELETE_PROMPT = "DELETE FROM listening_prompt_templates WHERE id = %s RETURNING id"
PROMPT_EXISTS = "SELECT 1 FROM listening_prompt_templates WHERE id = %s FOR SHARE"
INSERT_PRESET = f"""
INSERT INTO listening_prompt_presets (template_id, name, description, preset_type, config, is_active, created_by)
VALUES (%(template_id)s, %(name)s, %(description)s, %(preset_type)s, %(config)s, %(is_active)s, %(created_by)s)
RETURNING {PRESET_COLUMNS}
"""
DELETE_PRESET = "DELETE FROM listening_prompt_presets WHERE id = %s AND template_id = %s RETURNING id"


def _json_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: Jsonb(v) if k in JSON_FIELDS and v is not None else v for k, v in values.items()}


def _update(table: str, columns: str, changes: dict[str, Any], where: str) -> sql.Composed:
    return sql.SQL("UPDATE {table} SET {changes} WHERE {where} RETURNING {columns}").format(
        table=sql.Identifier(table), changes=set_clause(changes), where=sql.SQL(where), columns=sql.SQL(columns)
    )


def _claim_name(conn: Connection, name: str, prompt_id: UUID | None) -> None:
    conn.execute(LOCK_NAME, (name,))
    if conn.execute(NAME_TAKEN, (name, prompt_id)).fetchone() is not None:
        raise Conflict("A listening prompt with this name exists", code="name_taken", details={"name": name})


def list_prompts(conn: Connection, user: CurrentUser, query: PromptQuery, page: PageRequest) -> Page[Prompt]:
    """Active prompts in display order, filtered by category, difficulty and tag (admins may include inactive).

    Raises: Forbidden (include_inactive without the admin role), InvalidInput (bad cursor).
    """
    if query.include_inactive and not user.is_admin:
        raise Forbidden("Only admins see inactive prompts")
    after_order, after_name, after_id = page.after_key(int, str, UUID)
    params = {
        "include_inactive": query.include_inactive,
        "category": query.category,
        "difficulty": query.difficulty,
        "tag": query.tag.strip().lower() if query.tag else None,
        "after_order": after_order,
        "after_name": after_name,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    rows = db.fetch_all(conn, Prompt, LIST_PROMPTS, params)
    return page_of(rows, page, key=lambda p: (p.display_order, p.name, str(p.id)))


def get_prompt(conn: Connection, user: CurrentUser, prompt_id: UUID) -> PromptDetail:
    """A prompt with its presets; users see active ones only, admins everything.

    Raises: NotFound.
    """
    prompt = db.fetch_one(conn, Prompt, SELECT_PROMPT, (prompt_id, user.is_admin), resource="prompt")
    presets = db.fetch_all(conn, Preset, SELECT_PRESETS, (prompt_id, user.is_admin))
    return PromptDetail(**prompt.model_dump(), presets=presets)


def create_prompt(conn: Connection, admin: CurrentUser, body: PromptIn) -> Prompt:
    """Raises: Conflict (name taken)."""
    with conn.transaction():
        _claim_name(conn, body.name, None)
        return db.fetch_one(
            conn, Prompt, INSERT_PROMPT, _json_values(body.model_dump()) | {"created_by": admin.id}, resource="prompt"
        )


def update_prompt(conn: Connection, prompt_id: UUID, body: PromptPatch) -> Prompt:
    """Raises: NotFound, Conflict (name taken), InvalidInput (nothing to change, a required field cleared)."""
    changes = body.changes()
    with conn.transaction():
        if "name" in changes:
            _claim_name(conn, changes["name"], prompt_id)
        statement = _update("listening_prompt_templates", PROMPT_COLUMNS, changes, "id = %(id)s")
        prompt = db.fetch_optional(conn, Prompt, statement, _json_values(changes) | {"id": prompt_id})
    if prompt is None:
        raise NotFound("prompt")
    return prompt


def delete_prompt(conn: Connection, prompt_id: UUID) -> None:
    """Delete a prompt and its presets (to hide one and keep it, PATCH is_active to false).

    Raises: NotFound.
    """
    if conn.execute(DELETE_PROMPT, (prompt_id,)).fetchone() is None:
        raise NotFound("prompt")


def create_preset(conn: Connection, admin: CurrentUser, prompt_id: UUID, body: PresetIn) -> Preset:
    """Raises: NotFound (no such prompt)."""
    with conn.transaction():
        if conn.execute(PROMPT_EXISTS, (prompt_id,)).fetchone() is None:
            raise NotFound("prompt")
        return db.fetch_one(
            conn,
            Preset,
            INSERT_PRESET,
            _json_values(body.model_dump()) | {"template_id": prompt_id, "created_by": admin.id},
            resource="preset",
        )


def update_preset(conn: Connection, prompt_id: UUID, preset_id: UUID, body: PresetPatch) -> Preset:
    """Raises: NotFound, InvalidInput (nothing to change, a required field cleared)."""
    changes = body.changes()
    statement = _update(
        "listening_prompt_presets", PRESET_COLUMNS, changes, "id = %(id)s AND template_id = %(template_id)s"
    )
    return db.fetch_one(
        conn, Preset, statement, _json_values(changes) | {"id": preset_id, "template_id": prompt_id}, resource="preset"
    )


def delete_preset(conn: Connection, prompt_id: UUID, preset_id: UUID) -> None:
    """Raises: NotFound."""
    if conn.execute(DELETE_PRESET, (preset_id, prompt_id)).fetchone() is None:
        raise NotFound("preset")
