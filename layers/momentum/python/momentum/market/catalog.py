"""The shop's catalog: what shoppers see and what admins maintain.

An item is purchasable when it is active, global, available, inside its ``[available_from, available_until)``
window and in stock (NULL ``remaining_stock`` is unlimited). The rule lives in the SQL function
``market_item_unavailability`` (migration 0008), shared by this listing and by the purchase itself. Inactive and
non-global items are hidden from shoppers (404); admins see and edit everything. Deleting an item deactivates it,
so purchase history keeps pointing at it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import Connection
from psycopg.rows import dict_row
from pydantic import ValidationError

from momentum import db
from momentum.audit import ClientInfo, audit
from momentum.auth import CurrentUser
from momentum.errors import Forbidden, InvalidInput, NotFound
from momentum.market.models import Item, ItemIn, ItemPatch, ItemQuery, stock_and_window_problems
from momentum.pagination import Page, PageRequest, page_of

# The caller "owns" a non-consumable they bought and did not refund, and a consumable with uses left.
ITEM_COLUMNS = """
i.id, i.key, i.name, i.description, i.category, i.cost_coins, i.rarity, i.icon, i.icon_url, i.image_url,
i.is_global, i.is_available, i.is_active, i.is_consumable, i.uses_per_purchase, i.total_stock, i.remaining_stock,
i.available_from, i.available_until, i.sort_order, i.created_at, i.updated_at,
market_item_unavailability(i) IS NULL AS purchasable,
market_item_unavailability(i) AS unavailable_reason,
EXISTS (SELECT 1 FROM user_purchases p
        WHERE p.user_id = %(user_id)s AND p.item_id = i.id
          AND (p.status = 'active' OR (p.status = 'used' AND p.uses_remaining IS NULL))) AS owned
"""

LIST_ITEMS = f"""
SELECT {ITEM_COLUMNS}
FROM market_items i
WHERE (%(all)s OR (i.is_active AND i.is_global))
  AND (%(category)s::text IS NULL OR i.category = %(category)s)
  AND (%(rarity)s::text IS NULL OR i.rarity = %(rarity)s)
  AND (%(purchasable)s::boolean IS NULL OR (market_item_unavailability(i) IS NULL) = %(purchasable)s)
  AND (%(after_sort)s::integer IS NULL OR (i.sort_order, i.id) > (%(after_sort)s, %(after_id)s::uuid))
ORDER BY i.sort_order, i.id
LIMIT %(limit)s
"""

GET_ITEM = f"""
SELECT {ITEM_COLUMNS}
FROM market_items i
WHERE i.id = %(item_id)s AND (%(all)s OR (i.is_active AND i.is_global))
"""

# The columns an admin edits; a create and an update write the same validated set.
EDITABLE = tuple(ItemIn.model_fields)

INSERT_ITEM = f"""
INSERT INTO market_items ({", ".join(EDITABLE)}, created_by_user_id)
VALUES ({", ".join(f"%({c})s" for c in EDITABLE)}, %(created_by_user_id)s)
RETURNING id
"""

LOCK_ITEM = f"SELECT {', '.join(EDITABLE)} FROM market_items WHERE id = %s FOR UPDATE"

UPDATE_ITEM = f"""
UPDATE market_items SET {", ".join(f"{c} = %({c})s" for c in EDITABLE)}
WHERE id = %(id)s
"""

DEACTIVATE_ITEM = "UPDATE market_items SET is_active = false WHERE id = %s RETURNING id"


def list_items(conn: Connection, user: CurrentUser, query: ItemQuery, page: PageRequest) -> Page[Item]:
    """Catalog items in shop order (sort_order, then id), filtered.

    Raises: Forbidden when a non-admin asks for inactive items; InvalidInput for a malformed cursor.
    """
    if query.include_inactive and not user.is_admin:
        raise Forbidden("Only admins can list inactive items")
    after_sort, after_id = page.after_key(int, UUID)
    rows = db.fetch_all(
        conn,
        Item,
        LIST_ITEMS,
        {
            "user_id": user.id,
            "all": query.include_inactive,
            "category": query.category,
            "rarity": query.rarity,
            "purchasable": query.purchasable,
            "after_sort": after_sort,
            "after_id": after_id,
            "limit": page.limit + 1,
        },
    )
    return page_of(rows, page, key=lambda r: (r.sort_order, str(r.id)))


def get_item(conn: Connection, user: CurrentUser, item_id: UUID) -> Item:
    """One item; hidden (inactive or non-global) items exist only for admins.

    Raises: NotFound.
    """
    return db.fetch_one(
        conn, Item, GET_ITEM, {"user_id": user.id, "item_id": item_id, "all": user.is_admin}, resource="item"
    )


def create_item(conn: Connection, admin: CurrentUser, body: ItemIn, client: ClientInfo) -> Item:
    """Add an item to the catalog.

    Raises: Conflict (item_key_taken).
    """
    with conn.transaction():
        (item_id,) = db.fetch_row(conn, INSERT_ITEM, body.model_dump() | {"created_by_user_id": admin.id})
        _audit(conn, admin, item_id, "create_item", client, body.model_dump(mode="json", exclude_unset=True))
    return get_item(conn, admin, item_id)


def update_item(conn: Connection, admin: CurrentUser, item_id: UUID, patch: ItemPatch, client: ClientInfo) -> Item:
    """Change an item; the result must be a valid item as a whole (stock within total, window in order).

    Raises: NotFound, InvalidInput, Conflict (item_key_taken).
    """
    changes = patch.model_dump(exclude_unset=True)
    with conn.transaction():
        with conn.cursor(row_factory=dict_row) as cur:
            current = cur.execute(LOCK_ITEM, (item_id,)).fetchone()
        if current is None:
            raise NotFound("item")
        if "total_stock" in changes and "remaining_stock" not in changes:
            if changes["total_stock"] is None:
                changes["remaining_stock"] = None  # unlimited: nothing to count down
            elif current["total_stock"] is None:
                changes["remaining_stock"] = changes["total_stock"]  # newly limited: starts full
        merged = current | {"uses_per_purchase": current["uses_per_purchase"] or 1} | changes
        problems = stock_and_window_problems(merged)
        if problems:
            raise InvalidInput(
                "Invalid item",
                details={
                    "errors": [
                        {"field": field, "message": message, "type": "value_error"} for field, message in problems
                    ]
                },
            )
        try:
            state = ItemIn.model_validate(merged)
        except ValidationError as error:
            raise InvalidInput(
                "Invalid item",
                details={
                    "errors": [
                        {"field": ".".join(map(str, e["loc"])), "message": e["msg"], "type": e["type"]}
                        for e in error.errors(include_url=False, include_input=False)
                    ]
                },
            ) from None
        conn.execute(UPDATE_ITEM, state.model_dump() | {"id": item_id})
        _audit(conn, admin, item_id, "update_item", client, patch.model_dump(mode="json", exclude_unset=True))
    return get_item(conn, admin, item_id)


def deactivate_item(conn: Connection, admin: CurrentUser, item_id: UUID, client: ClientInfo) -> None:
    """Take an item out of the shop (it stays in purchase history). Deactivating twice is harmless.

    Raises: NotFound.
    """
    with conn.transaction():
        if conn.execute(DEACTIVATE_ITEM, (item_id,)).fetchone() is None:
            raise NotFound("item")
        _audit(conn, admin, item_id, "deactivate_item", client, None)


def _audit(
    conn: Connection, admin: CurrentUser, item_id: UUID, action: str, client: ClientInfo, details: dict[str, Any] | None
) -> None:
    audit(
        conn,
        "admin_action",
        user_id=admin.id,
        session_id=admin.session_id,
        resource_type="market_item",
        resource_id=item_id,
        action=action,
        details=details,
        client=client,
    )
