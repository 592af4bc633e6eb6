"""Request and response models of the market: catalog items, purchases, coin transactions, rewards and
recommendations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from momentum.models import LongText, Name, PageQuery, PatchModel, Real, Reason, RequestModel, ResponseModel, Url

Rarity = Literal["common", "rare", "epic", "legendary"]
PurchaseStatus = Literal["active", "used", "refunded"]
RewardState = Literal["claimable", "claimed", "expired"]

# Catalog keys and categories are lower-case slugs: they appear in URLs, seeds and client code.
ItemKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$")]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$")]
Icon = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Coins = Annotated[int, Field(ge=0, le=1_000_000)]
Stock = Annotated[int, Field(ge=0, le=10_000_000)]
SortOrder = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
# Bounded so that cost × quantity stays far inside a 32-bit integer.
Quantity = Annotated[int, Field(ge=1, le=99)]


def stock_and_window_problems(values: dict[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with an item's stock and availability window, as (field, message) pairs."""
    problems = []
    total, remaining = values.get("total_stock"), values.get("remaining_stock")
    if remaining is not None and total is None:
        problems.append(("remaining_stock", "remaining_stock needs a total_stock (no total means unlimited)"))
    elif remaining is not None and remaining > total:
        problems.append(("remaining_stock", "remaining_stock cannot exceed total_stock"))
    start, end = values.get("available_from"), values.get("available_until")
    if start is not None and end is not None and start >= end:
        problems.append(("available_until", "available_until must be after available_from"))
    return problems


class ItemIn(RequestModel):
    """A new catalog item. ``remaining_stock`` defaults to ``total_stock``; no ``total_stock`` means unlimited."""

    key: ItemKey | None = None
    name: Name
    description: LongText | None = None
    category: Category
    cost_coins: Coins
    rarity: Rarity = "common"
    icon: Icon | None = None
    icon_url: Url | None = None
    image_url: Url | None = None
    is_global: bool = True
    is_available: bool = True
    is_active: bool = True
    is_consumable: bool = False
    uses_per_purchase: int = Field(default=1, ge=1, le=1000)
    total_stock: Stock | None = None
    remaining_stock: Stock | None = None
    available_from: AwareDatetime | None = None
    available_until: AwareDatetime | None = None
    sort_order: SortOrder = 0

    @model_validator(mode="after")
    def _consistent(self) -> ItemIn:
        if "remaining_stock" not in self.model_fields_set:
            self.remaining_stock = self.total_stock  # a new limited item starts full
        problems = stock_and_window_problems(self.__dict__)
        if problems:
            raise ValueError("; ".join(message for _, message in problems))
        return self


# Columns that may not be set to null by a PATCH (they are NOT NULL, or always set for an item).
_NOT_NULL = frozenset(
    {
        "name",
        "category",
        "cost_coins",
        "rarity",
        "is_global",
        "is_available",
        "is_active",
        "is_consumable",
        "uses_per_purchase",
        "sort_order",
    }
)


class ItemPatch(PatchModel):
    """Fields to change; an explicit null clears a nullable field. Setting ``total_stock`` to null makes the item
    unlimited (and clears ``remaining_stock``); setting it on an unlimited item fills ``remaining_stock``."""

    key: ItemKey | None = None
    name: Name | None = None
    description: LongText | None = None
    category: Category | None = None
    cost_coins: Coins | None = None
    rarity: Rarity | None = None
    icon: Icon | None = None
    icon_url: Url | None = None
    image_url: Url | None = None
    is_global: bool | None = None
    is_available: bool | None = None
    is_active: bool | None = None
    is_consumable: bool | None = None
    uses_per_purchase: int | None = Field(default=None, ge=1, le=1000)
    total_stock: Stock | None = None
    remaining_stock: Stock | None = None
    available_from: AwareDatetime | None = None
    available_until: AwareDatetime | None = None
    sort_order: SortOrder | None = None

    not_null = _NOT_NULL


class ItemQuery(PageQuery):
    category: Category | None = None
    rarity: Rarity | None = None
    purchasable: bool | None = None  # true: only what can be bought now; false: only what cannot
    include_inactive: bool = False  # admins only: also deactivated and non-global items


class Item(ResponseModel):
    id: UUID
    key: str | None
    name: str
    description: str | None
    category: str
    cost_coins: int
    rarity: str
    icon: str | None
    icon_url: str | None
    image_url: str | None
    is_global: bool
    is_available: bool
    is_active: bool
    is_consumable: bool
    uses_per_purchase: int | None
    total_stock: int | None
    remaining_stock: int | None
    available_from: datetime | None
    available_until: datetime | None
    sort_order: int
    created_at: datetime
    updated_at: datetime
    purchasable: bool  # active, available, inside its window and in stock, now
    unavailable_reason: str | None  # why not: unavailable, not_yet_available, no_longer_available, out_of_stock…
    owned: bool  # the caller holds it: a non-consumable not refunded, or a consumable with uses left


class PurchaseIn(RequestModel):
    quantity: Quantity = 1


class Purchase(ResponseModel):
    id: UUID
    item_id: UUID
    item_key: str | None
    item_name: str
    item_category: str
    is_consumable: bool
    cost_coins: int  # the total paid: unit price × quantity at the time of purchase
    quantity: int
    uses_remaining: int | None
    status: str
    purchased_at: datetime
    redeemed_at: datetime | None  # the latest use
    refunded_at: datetime | None
    refund_reason: str | None


class PurchaseQuery(PageQuery):
    status: PurchaseStatus | None = None


class RefundIn(RequestModel):
    reason: Reason


class Transaction(ResponseModel):
    id: UUID
    transaction_type: str
    coins_amount: int
    item_id: UUID | None
    item_name: str | None
    reason: str | None
    created_at: datetime


class Reward(ResponseModel):
    id: UUID
    reward_type: str
    source_id: UUID | None
    coins_earned: int
    xp_earned: int
    claimed: bool
    claimed_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    state: str  # claimable, claimed or expired


class RewardQuery(PageQuery):
    state: RewardState | None = None


class RewardIn(RequestModel):
    """A reward an admin gives a user (for a quest, or an achievement granted by hand)."""

    reward_type: Literal["quest", "achievement"] = "quest"
    source_id: UUID | None = None
    coins_earned: Coins = 0
    xp_earned: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    expires_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _pays_something(self) -> RewardIn:
        if not (self.coins_earned or self.xp_earned):
            raise ValueError("a reward needs coins_earned or xp_earned")
        return self


class ClaimResult(ResponseModel):
    reward: Reward
    coins: int  # balances after the claim
    total_xp: int
    level: int


class Recommendation(ResponseModel):
    item: Item
    score: Real
    reason: str | None
    computed_at: datetime
