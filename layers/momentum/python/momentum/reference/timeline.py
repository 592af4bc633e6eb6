"""Annotations and regions: the owner's marks on a track's timeline, CRUD with ranges kept inside the track.

Both live under a track the caller owns; another user's track, annotation or region is "not found". A range
must start at 0 or later, end after it starts, and lie inside the track's duration; while the duration is not
known yet (analysis pending) any range from 0 is accepted.
"""

# No `from __future__ import annotations`: it would take the name of the `annotations` items below.
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from psycopg import Connection, sql
from pydantic import BaseModel

from momentum.db import fetch_all, fetch_one
from momentum.errors import NotFound
from momentum.models import PatchModel
from momentum.pagination import Page, PageRequest, page_of
from momentum.reference.common import check_time_range, set_clause
from momentum.reference.models import Annotation, Region

# Held FOR SHARE while an item is written, so the duration it was checked against cannot change underneath.
OWNED_TRACK_DURATION = """
SELECT duration_seconds FROM reference_tracks WHERE id = %s AND user_id = %s FOR SHARE
"""


class Ranged(Protocol):
    """What the range check reads of an item."""

    @property
    def start_time_ms(self) -> int: ...

    @property
    def end_time_ms(self) -> int | None: ...


Item = TypeVar("Item", bound=Ranged)


@dataclass(frozen=True)
class TrackItems(Generic[Item]):
    """One kind of timeline item: its table, response model and the columns a client may write."""

    table: str
    resource: str
    model: type[Item]
    fields: tuple[str, ...]  # writable columns, in insert order
    sort: tuple[tuple[str, type[Any]], ...]  # keyset order of lists

    @property
    def columns(self) -> sql.Composable:
        names = ("id", "track_id", *self.fields, "created_at", "updated_at")
        return sql.SQL(", ").join(map(sql.Identifier, names))

    def _duration_ms(self, conn: Connection[Any], user_id: UUID, track_id: UUID) -> int | None:
        row = conn.execute(OWNED_TRACK_DURATION, (track_id, user_id)).fetchone()
        if row is None:
            raise NotFound("track")
        return None if row[0] is None else round(row[0] * 1000)

    def list(self, conn: Connection[Any], user_id: UUID, track_id: UUID, page: PageRequest) -> Page[Item]:
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
            rows = fetch_all(conn, self.model, statement, params)
        return page_of(rows, page, key=lambda r: tuple(_json_key(getattr(r, name)) for name, _ in self.sort))

    def create(self, conn: Connection[Any], user_id: UUID, track_id: UUID, body: BaseModel) -> Item:
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
            params = values | {"track_id": track_id, "user_id": user_id}
            return fetch_one(conn, self.model, statement, params, resource=self.resource)

    def get(self, conn: Connection[Any], user_id: UUID, track_id: UUID, item_id: UUID, *, lock: bool = False) -> Item:
        """Raises: NotFound (unknown or foreign item or track)."""
        statement = sql.SQL(
            "SELECT {columns} FROM {table} WHERE id = %s AND track_id = %s AND user_id = %s{lock}"
        ).format(columns=self.columns, table=sql.Identifier(self.table), lock=sql.SQL(" FOR UPDATE" if lock else ""))
        return fetch_one(conn, self.model, statement, (item_id, track_id, user_id), resource=self.resource)

    def update(self, conn: Connection[Any], user_id: UUID, track_id: UUID, item_id: UUID, body: PatchModel) -> Item:
        """Change the fields sent (null clears an optional one); the resulting range is checked as on create.

        Raises: NotFound, InvalidInput (nothing to change, a required field cleared, range outside the track).
        """
        changes = body.changes()
        statement = sql.SQL("UPDATE {table} SET {changes} WHERE id = %(id)s RETURNING {columns}").format(
            table=sql.Identifier(self.table), columns=self.columns, changes=set_clause(changes)
        )
        with conn.transaction():
            duration_ms = self._duration_ms(conn, user_id, track_id)
            current = self.get(conn, user_id, track_id, item_id, lock=True)
            start = changes.get("start_time_ms", current.start_time_ms)
            end = changes.get("end_time_ms", current.end_time_ms)
            check_time_range(start, end, duration_ms)
            return fetch_one(conn, self.model, statement, changes | {"id": item_id}, resource=self.resource)

    def delete(self, conn: Connection[Any], user_id: UUID, track_id: UUID, item_id: UUID) -> None:
        """Raises: NotFound."""
        statement = sql.SQL("DELETE FROM {table} WHERE id = %s AND track_id = %s AND user_id = %s RETURNING id").format(
            table=sql.Identifier(self.table)
        )
        if conn.execute(statement, (item_id, track_id, user_id)).fetchone() is None:
            raise NotFound(self.resource)


def _json_key(value: object) -> object:
    return str(value) if isinstance(value, UUID) else value


annotations: TrackItems[Annotation] = TrackItems(
    table="track_annotations",
    resource="annotation",
    model=Annotation,
    fields=("start_time_ms", "end_time_ms", "title", "content", "category", "color", "is_private"),
    sort=(("start_time_ms", int), ("id", UUID)),
)

regions: TrackItems[Region] = TrackItems(
    table="track_regions",
    resource="region",
    model=Region,
    fields=("start_time_ms", "end_time_ms", "name", "description", "section_type", "color", "display_order"),
    sort=(("display_order", int), ("start_time_ms", int), ("id", UUID)),
)
