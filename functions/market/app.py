"""The market: catalog, inventory (use, refund), coin history, rewards and recommendations.

Purchases and reward claims are their own functions (functions/purchase, functions/claim_reward).
"""

from uuid import UUID

from momentum.http import Context, MomentumApp, Page, PageQuery
from momentum.market import catalog, models, purchases, recommendations, rewards

app = MomentumApp("momentum-market")


@app.route("/market/items", query=models.ItemQuery, response=Page[models.Item], errors=("forbidden",))
def list_items(ctx: Context[None, models.ItemQuery]) -> Page[models.Item]:
    """Catalog items in shop order; filter by category, rarity, or what can be bought now."""
    return catalog.list_items(ctx.conn, ctx.user, ctx.query, ctx.page)


@app.route("/market/items/{item_id}", response=models.Item)
def get_item(ctx: Context, item_id: UUID) -> models.Item:
    """One catalog item."""
    return catalog.get_item(ctx.conn, ctx.user, item_id)


@app.route(
    "/market/items",
    ["POST"],
    auth="admin",
    body=models.ItemIn,
    response=models.Item,
    status=201,
    errors=("item_key_taken",),
)
def create_item(ctx: Context[models.ItemIn]) -> models.Item:
    """Add an item to the catalog."""
    return catalog.create_item(ctx.conn, ctx.user, ctx.body, ctx.client)


@app.route(
    "/market/items/{item_id}",
    ["PATCH"],
    auth="admin",
    body=models.ItemPatch,
    response=models.Item,
    errors=("item_key_taken",),
)
def update_item(ctx: Context[models.ItemPatch], item_id: UUID) -> models.Item:
    """Change an item; the result must be a valid item as a whole."""
    return catalog.update_item(ctx.conn, ctx.user, item_id, ctx.body, ctx.client)


@app.route("/market/items/{item_id}", ["DELETE"], auth="admin", status=204)
def delete_item(ctx: Context, item_id: UUID) -> None:
    """Deactivate an item: it leaves the shop and stays in purchase history."""
    catalog.deactivate_item(ctx.conn, ctx.user, item_id, ctx.client)


@app.route("/market/purchases", query=models.PurchaseQuery, response=Page[models.Purchase])
def list_purchases(ctx: Context[None, models.PurchaseQuery]) -> Page[models.Purchase]:
    """The caller's purchases, newest first; filter by status."""
    return purchases.list_purchases(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route(
    "/market/purchases/{purchase_id}/use",
    ["POST"],
    response=models.Purchase,
    errors=("refunded", "used_up", "already_redeemed"),
)
def use_purchase(ctx: Context, purchase_id: UUID) -> models.Purchase:
    """Use one of a consumable's uses, or redeem a non-consumable."""
    return purchases.use_purchase(ctx.conn, ctx.user.id, purchase_id)


@app.route(
    "/market/purchases/{purchase_id}/refund",
    ["POST"],
    body=models.RefundIn,
    response=models.Purchase,
    errors=("already_refunded", "already_used", "refund_window_closed"),
)
def refund_purchase(ctx: Context[models.RefundIn], purchase_id: UUID) -> models.Purchase:
    """Refund an unused purchase: the owner within 24 hours, an admin any time."""
    return purchases.refund_purchase(ctx.conn, ctx.user, purchase_id, ctx.body, ctx.client)


@app.route("/market/transactions", query=PageQuery, response=Page[models.Transaction])
def list_transactions(ctx: Context[None, PageQuery]) -> Page[models.Transaction]:
    """The caller's coin history in the market, newest first."""
    return purchases.list_transactions(ctx.conn, ctx.user.id, ctx.page)


@app.route("/market/rewards", query=models.RewardQuery, response=Page[models.Reward])
def list_rewards(ctx: Context[None, models.RewardQuery]) -> Page[models.Reward]:
    """The caller's rewards: claimable first, then claimed and expired."""
    return rewards.list_rewards(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/market/rewards/daily", ["POST"], response=models.Reward, status=201, errors=("daily_reward_exists",))
def create_daily_reward(ctx: Context) -> models.Reward:
    """Collect today's daily reward (once per local day; it grows with the daily streak)."""
    return rewards.create_daily_reward(ctx.conn, ctx.user.id)


@app.route("/market/recommendations", response=Page[models.Recommendation])
def list_recommendations(ctx: Context) -> Page[models.Recommendation]:
    """Items picked for the caller, best first (the few the nightly job keeps: one page)."""
    return Page(items=recommendations.list_recommendations(ctx.conn, ctx.user.id))
