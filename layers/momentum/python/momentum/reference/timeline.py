"""Annotations and regions: the owner's marks on a track's timeline, CRUD with ranges kept inside the track.

Both live under a track the caller owns; another user's track, annotation or region is "not found". A range
must start at 0 or later, end after it starts, and lie inside the track's duration; while the duration is not
known yet (analysis pending) any range from 0 is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from psycopg import Connection, sql
from psycopg.rows import class_row
from pydantic import BaseModel

from momentum.errors import NotFound
from momentum.pagination import Page, PageRequest, page_of
from momentum.reference.common import check_time_range, patch_changes, set_clause
from momentum.reference.models import Annotation, Region

# Held FOR SHARE while an item is written, so the duration it was checked against cannot change underneath.
OWNED_TRACK_DURATION = """
SELECT duration_seconds FROM reference_tracks WHERE id = %s AND user_id = %s FOR SHARE
"""


@dataclass(frozen=True)
class TrackItems:
    """One kind of timeline item: its table, response model and the columns a client may write."""

    table: str
    resource: str
    model: type[BaseModel]
    fields: tuple[str, ...]  # writable columns, in insert order
    not_null: frozenset[str]  # writable columns a PATCH may not clear
    sort: tuple[tuple[str, type], ...]  # keyset order of lists

    @property
    def columns(self) -> sql.Composable:
        names = ("id", "track_id", *self.fields, "created_at", "updated_at")
        return sql.SQL(", ").join(map(sql.Identifier, names))

    def _duration_ms(self, conn: Connection, user_id: UUID, track_id: UUID) -> int | None:
        row = conn.execute(OWNED_TRACK_DURATION, (track_id, user_id)).fetchone()
        if row is None:
            raise NotFound("track")
        return None if row[0] is None else round(row[0] * 1000)

    def list(self, conn: Connection, user_id: UUID, track_id: UUID, page: PageRequest) -> Page:
        """The track's items in timeline order.

        Raises: NotFound (unknown or foreign track), InvalidInput (bad cursor).
        """
        after = page.after_key(*(kind for _, kind in self.sort))
        keys = sql.SQL(", ").join(sql.Identifier(name) for name, _ in self.sort)
        statement = sql.SQL(
            "SELECT {columns} FROM {table} WHERE track_id = %(track_id)s AND user_id = %(user_id)s "
            "AND (%(first)s OR ({keys}) > ({after})) ORDER BY {keys} LIMIT %(limit)s"
        ).format(
            columns=self.columns,
            table=sql.Identifier(self.table),
            keys=keys,
            after=sql.SQL(", ").join(sql.Placeholder(f"after_{i}") for i in range(len(self.sort))),
        )
        params = {"track_id": track_id, "user_id": user_id, "first": page.after is None, "limit": page.limit + 1}
        params |= {f"after_{i}": value for i, value in enumerate(after)}
        with conn.transaction():
            self._duration_ms(conn, user_id, track_id)
            with conn.cursor(row_factory=class_row(self.model)) as cur:
                rows = cur.execute(statement, params).fetchall()
        return page_of(rows, page, key=lambda r: tuple(_json_key(getattr(r, name)) for name, _ in self.sort))

    def create(self, conn: Connection, user_id: UUID, track_id: UUID, body: BaseModel) -> BaseModel:
        """Raises: NotFound (unknown or foreign track), InvalidInput (range outside the track)."""
        values = body.model_dump()
        statement = sql.SQL(
            "INSERT INTO {table} (track_id, user_id, {fields}) VALUES (%(track_id)s, %(user_id)s, "
            "{values}) RETURNING {columns}"
        ).format(
            table=sql.Identifier(self.table),
            fields=sql.SQL(", ").join(map(sql.Identifier, self.fields)),
            values=sql.SQL(", ").join(map(sql.Placeholder, self.fields)),
            columns=self.columns,
        )
        with conn.transaction():
            check_time_range(values["start_time_ms"], values["end_time_ms"], self._duration_ms(conn, user_id, track_id))
            with conn.cursor(row_factory=class_row(self.model)) as cur:
                return cur.execute(statement, values | {"track_id": track_id, "user_id": user_id}).fetchone()

    def get(self, conn: Connection, user_id: UUID, track_id: UUID, item_id: UUID, *, lock: bool = False):
        """Raises: NotFound (unknown or foreign item or track)."""
        statement = sql.SQL(
            "SELECT {columns} FROM {table} WHERE id = %s AND track_id = %s AND user_id = %s{lock}"
        ).format(columns=self.columns, table=sql.Identifier(self.table), lock=sql.SQL(" FOR UPDATE" if lock else ""))
        with conn.cursor(row_factory=class_row(self.model)) as cur:
            item = cur.execute(statement, (item_id, track_id, user_id)).fetchone()
        if item is None:
            raise NotFound(self.resource)
        return item

    def update(self, conn: Connection, user_id: UUID, track_id: UUID, item_id: UUID, body: BaseModel) -> BaseModel:
        """Change the fields sent (null clears an optional one); the resulting range is checked as on create.

        Raises: NotFound, InvalidInput (nothing to change, a required field cleared, range outside the track).
        """
        changes = patch_changes(body, self.fields, self.not_null)
        statement = sql.SQL("UPDATE {table} SET {changes} WHERE id = %(id)s RETURNING {columns}").format(
            table=sql.Identifier(self.table), columns=self.columns, changes=set_clause(changes)
        )
        with conn.transaction():
            duration_ms = self._duration_ms(conn, user_id, track_id)
            current = self.get(conn, user_id, track_id, item_id, lock=True)
            start = changes.get("start_time_ms", current.start_time_ms)
            end = changes.get("end_time_ms", current.end_time_ms)
            check_time_range(start, end, duration_ms)
            with conn.cursor(row_factory=class_row(self.model)) as cur:
                return cur.execute(statement, changes | {"id": item_id}).fetchone()

    def delete(self, conn: Connection, user_id: UUID, track_id: UUID, item_id: UUID) -> None:
        """Raises: NotFound."""
        statement = sql.SQL("DELETE FROM {table} WHERE id = %s AND track_id = %s AND user_id = %s RETURNING id").format(
            table=sql.Identifier(self.table)
        )
        if conn.execute(statement, (item_id, track_id, user_id)).fetchone() is None:
            raise NotFound(self.resource)


def _json_key(value):
    return str(value) if isinstance(value, UUID) else value


annotations = TrackItems(
    table="track_annotations",
    resource="annotation",
    model=Annotation,
    fields=("start_time_ms", "end_time_ms", "title", "content", "category", "color", "is_private"),
    not_null=frozenset({"start_time_ms", "title", "is_private"}),
    sort=(("start_time_ms", int), ("id", UUID)),
)

regions = TrackItems(
    table="track_regions",
    resource="region",
    model=Region,
    fields=("start_time_ms", "end_time_ms", "name", "description", "section_type", "color", "display_order"),
    not_null=frozenset({"start_time_ms", "end_time_ms", "name", "display_order"}),
    sort=(("display_order", int), ("start_time_ms", int), ("id", UUID)),
)
