"""Capture tools: inbox items (quick capture, processed later, converted to an idea or a reference), ideas,
infobase entries and references. Four tables of one shape, so one set of functions serves them, driven by a
``Kind`` per table: CRUD scoped to the owner (another user's id is 404), a tag filter, keyset pages, and ``?q=``
full-text search over the expression indexed in migration 0017 (the same text, so the index is used).

Lists put what needs attention first: unprocessed inbox items, pinned ideas, entries and references; then newest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from psycopg import Connection, sql
from pydantic import BaseModel, Field, HttpUrl

from momentum.db import fetch_all, fetch_one, fetch_optional
from momentum.errors import Conflict, NotFound
from momentum.models import LongText, Name, PageQuery, PatchModel, RequestModel, ResponseModel, ShortText, Tag
from momentum.pagination import Page, PageRequest, page_of

Tags = Annotated[list[Tag], Field(max_length=20)]
Url = Annotated[HttpUrl, Field(max_length=2048)]
SearchText = Annotated[str, Field(min_length=1, max_length=200)]
InboxType = Literal["note", "task", "idea"]


# ---------------------------------------------------------------- models


class InboxItemIn(RequestModel):
    title: Name
    description: LongText | None = None
    item_type: InboxType = "note"
    tags: Tags | None = None


class InboxItemPatch(PatchModel):
    not_null = frozenset({"title", "item_type"})
    title: Name | None = None
    description: LongText | None = None
    item_type: InboxType | None = None
    tags: Tags | None = None


class InboxItem(ResponseModel):
    id: UUID
    title: str
    description: str | None
    item_type: str
    tags: list[str]
    is_processed: bool
    processed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class IdeaIn(RequestModel):
    title: Name
    content: LongText | None = None
    category: ShortText | None = None
    tags: Tags | None = None
    is_pinned: bool = False


class IdeaPatch(PatchModel):
    not_null = frozenset({"title", "is_pinned"})
    title: Name | None = None
    content: LongText | None = None
    category: ShortText | None = None
    tags: Tags | None = None
    is_pinned: bool | None = None


class Idea(ResponseModel):
    id: UUID
    title: str
    content: str | None
    category: str | None
    tags: list[str]
    is_pinned: bool
    created_at: datetime
    updated_at: datetime


class EntryIn(RequestModel):
    title: Name
    content: Annotated[str, Field(min_length=1, max_length=20_000)]
    category: ShortText | None = None
    tags: Tags | None = None
    is_pinned: bool = False


class EntryPatch(PatchModel):
    not_null = frozenset({"title", "content", "is_pinned"})
    title: Name | None = None
    content: Annotated[str, Field(min_length=1, max_length=20_000)] | None = None
    category: ShortText | None = None
    tags: Tags | None = None
    is_pinned: bool | None = None


class Entry(ResponseModel):
    id: UUID
    title: str
    content: str
    category: str | None
    tags: list[str]
    is_pinned: bool
    created_at: datetime
    updated_at: datetime


class ReferenceIn(RequestModel):
    title: Name
    content: LongText | None = None
    url: Url | None = Field(default=None, description="An http(s) link")
    category: ShortText | None = None
    tags: Tags | None = None
    is_pinned: bool = False
    is_archived: bool = False


class ReferencePatch(PatchModel):
    not_null = frozenset({"title", "is_pinned", "is_archived"})
    title: Name | None = None
    content: LongText | None = None
    url: Url | None = None
    category: ShortText | None = None
    tags: Tags | None = None
    is_pinned: bool | None = None
    is_archived: bool | None = None


class Reference(ResponseModel):
    id: UUID
    title: str
    content: str | None
    url: str | None
    category: str | None
    tags: list[str]
    is_pinned: bool
    is_archived: bool
    created_at: datetime
    updated_at: datetime


class CaptureQuery(PageQuery):
    tag: Tag | None = None
    q: SearchText | None = Field(default=None, description="Full-text search (web search syntax)")


class InboxQuery(CaptureQuery):
    processed: bool | None = None
    item_type: InboxType | None = None


class IdeaQuery(CaptureQuery):
    category: ShortText | None = None
    pinned: bool | None = None


class ReferenceQuery(IdeaQuery):
    archived: bool = Field(default=False, description="Archived references instead of current ones")


class ConvertIn(RequestModel):
    to: Literal["idea", "reference"]
    url: Url | None = Field(default=None, description="For a reference")
    category: ShortText | None = None


class Converted(ResponseModel):
    item: InboxItem
    idea: Idea | None = None
    reference: Reference | None = None


# ---------------------------------------------------------------- one kind per table


@dataclass(frozen=True)
class Kind:
    table: str
    resource: str
    model: type[ResponseModel]
    columns: tuple[str, ...]  # what a client writes
    search: str  # the indexed tsvector expression (migration 0017)
    first: str  # sorts what needs attention first (0 before 1)
    filters: dict[str, str]  # query field -> condition
    plural: str

    def first_of(self, row: Any) -> int:
        """``first`` of a row, in Python (for the cursor)."""
        return int(row.is_processed) if self.table == "inbox_items" else int(not row.is_pinned)

    def select(self) -> str:
        names = [n for n in self.model.model_fields if n != "tags"]
        return ", ".join([*names, "coalesce(tags, '{}') AS tags"])


INBOX = Kind(
    "inbox_items",
    "inbox_item",
    InboxItem,
    ("title", "description", "item_type", "tags"),
    "to_tsvector('english'::regconfig, title || ' ' || coalesce(description, ''))",
    "is_processed::int",
    {"processed": "is_processed = %(processed)s", "item_type": "item_type = %(item_type)s"},
    "inbox_items",
)
_PINNED = {"category": "category = %(category)s", "pinned": "is_pinned = %(pinned)s"}
IDEAS = Kind(
    "ideas",
    "idea",
    Idea,
    ("title", "content", "category", "tags", "is_pinned"),
    "to_tsvector('english'::regconfig, title || ' ' || coalesce(content, ''))",
    "(NOT is_pinned)::int",
    _PINNED,
    "ideas",
)
INFOBASE = Kind(
    "infobase_entries",
    "infobase_entry",
    Entry,
    ("title", "content", "category", "tags", "is_pinned"),
    "to_tsvector('english'::regconfig, title || ' ' || content)",
    "(NOT is_pinned)::int",
    _PINNED,
    "infobase_entries",
)
REFERENCES = Kind(
    "user_references",
    "reference",
    Reference,
    ("title", "content", "url", "category", "tags", "is_pinned", "is_archived"),
    "to_tsvector('english'::regconfig, title || ' ' || coalesce(content, '') || ' ' || coalesce(url, ''))",
    "(NOT is_pinned)::int",
    _PINNED | {"archived": "is_archived = %(archived)s"},
    "references",
)


def _values(body: BaseModel, fields: set[str] | None = None) -> dict[str, Any]:
    return body.model_dump(mode="json", include=fields)


def list_items(conn: Connection, kind: Kind, user_id: UUID, query: CaptureQuery, page: PageRequest) -> Page[Any]:
    """A page of the owner's rows of ``kind``, filtered. Raises: InvalidInput for a malformed cursor."""
    after_first, after_at, after_id = page.after_key(int, datetime, UUID)
    params: dict[str, Any] = query.model_dump() | {
        "user_id": user_id,
        "after_first": after_first,
        "after_at": after_at,
        "after_id": after_id,
        "limit": page.limit + 1,
    }
    where = ["user_id = %(user_id)s"]
    if query.tag is not None:
        where.append("tags @> ARRAY[%(tag)s::text]")
    if query.q is not None:
        where.append(f"{kind.search} @@ websearch_to_tsquery('english'::regconfig, %(q)s)")
    where += [condition for name, condition in kind.filters.items() if params.get(name) is not None]
    if after_first is not None:
        where.append(
            f"({kind.first} > %(after_first)s OR ({kind.first} = %(after_first)s"
            " AND (created_at, id) < (%(after_at)s, %(after_id)s::uuid)))"
        )
    statement = (
        f"SELECT {kind.select()} FROM {kind.table} WHERE {' AND '.join(where)}"
        f" ORDER BY {kind.first}, created_at DESC, id DESC LIMIT %(limit)s"
    )
    rows: list[Any] = fetch_all(conn, kind.model, sql.SQL(statement), params)
    return page_of(rows, page, key=lambda r: (kind.first_of(r), r.created_at.isoformat(), str(r.id)))


def get_item(conn: Connection, kind: Kind, user_id: UUID, item_id: UUID) -> Any:
    """Raises: NotFound (unknown or another user's)."""
    query = f"SELECT {kind.select()} FROM {kind.table} WHERE id = %s AND user_id = %s"
    return fetch_one(conn, kind.model, sql.SQL(query), (item_id, user_id), resource=kind.resource)


def create_item(conn: Connection, kind: Kind, user_id: UUID, body: BaseModel) -> Any:
    values = _values(body)
    columns = [c for c in kind.columns if c in values]
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING ").format(
        sql.Identifier(kind.table),
        sql.SQL(", ").join(sql.Identifier(c) for c in ["user_id", *columns]),
        sql.SQL(", ").join(sql.Placeholder(c) for c in ["user_id", *columns]),
    ) + sql.SQL(kind.select())
    return fetch_one(conn, kind.model, query, values | {"user_id": user_id}, resource=kind.resource)


def update_item(conn: Connection, kind: Kind, user_id: UUID, item_id: UUID, patch: BaseModel) -> Any:
    """Change the fields sent. Raises: NotFound."""
    sent = patch.model_fields_set & set(kind.columns)
    if not sent:
        return get_item(conn, kind, user_id, item_id)
    values = _values(patch, sent)
    query = sql.SQL("UPDATE {} SET {} WHERE id = %(id)s AND user_id = %(user_id)s RETURNING ").format(
        sql.Identifier(kind.table),
        sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in sorted(sent)),
    ) + sql.SQL(kind.select())
    return fetch_one(conn, kind.model, query, values | {"id": item_id, "user_id": user_id}, resource=kind.resource)


def delete_item(conn: Connection, kind: Kind, user_id: UUID, item_id: UUID) -> None:
    """Raises: NotFound."""
    query = sql.SQL("DELETE FROM {} WHERE id = %s AND user_id = %s RETURNING id").format(sql.Identifier(kind.table))
    if conn.execute(query, (item_id, user_id)).fetchone() is None:
        raise NotFound(kind.resource)


PROCESS = f"""
UPDATE inbox_items SET is_processed = true, processed_at = coalesce(processed_at, now())
WHERE id = %s AND user_id = %s RETURNING {INBOX.select()}
"""
LOCK_INBOX = f"SELECT {INBOX.select()} FROM inbox_items WHERE id = %s AND user_id = %s FOR UPDATE"


def process_inbox_item(conn: Connection, user_id: UUID, item_id: UUID) -> InboxItem:
    """Mark an inbox item processed (once: a second call keeps the first ``processed_at``). Raises: NotFound."""
    return fetch_one(conn, InboxItem, PROCESS, (item_id, user_id), resource=INBOX.resource)


def convert_inbox_item(conn: Connection, user_id: UUID, item_id: UUID, body: ConvertIn) -> Converted:
    """Turn an unprocessed inbox item into an idea or a reference and mark it processed, in one transaction.

    Raises: NotFound, Conflict (already_processed).
    """
    with conn.transaction():
        item = fetch_optional(conn, InboxItem, LOCK_INBOX, (item_id, user_id))
        if item is None:
            raise NotFound(INBOX.resource)
        if item.is_processed:
            raise Conflict("This inbox item was already processed", code="already_processed")
        tags = item.tags or None
        if body.to == "idea":
            idea = create_item(
                conn,
                IDEAS,
                user_id,
                IdeaIn(title=item.title, content=item.description, category=body.category, tags=tags),
            )
            result = Converted(item=process_inbox_item(conn, user_id, item_id), idea=idea)
        else:
            reference = create_item(
                conn,
                REFERENCES,
                user_id,
                ReferenceIn.model_construct(
                    title=item.title,
                    content=item.description,
                    url=body.url,
                    category=body.category,
                    tags=tags,
                    is_pinned=False,
                    is_archived=False,
                ),
            )
            result = Converted(item=process_inbox_item(conn, user_id, item_id), reference=reference)
    return result
