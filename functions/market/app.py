"""The market: catalog, inventory (use, refund), coin history, rewards and recommendations.

Purchases and reward claims are their own functions (functions/purchase, functions/claim_reward).
"""

from momentum.http import MomentumApp, Page, PageQuery
from momentum.market import catalog, models, purchases, recommendations, rewards

app = MomentumApp("momentum-market")


@app.route("/market/items", query=models.ItemQuery, response=Page[models.Item], errors=("forbidden",))
def list_items(ctx):
    """Catalog items in shop order; filter by category, rarity, or what can be bought now."""
    return catalog.list_items(ctx.conn, ctx.user, ctx.query, ctx.page)


@app.route("/market/items/{item_id}", response=models.Item)
def get_item(ctx, item_id):
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
def create_item(ctx):
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
def update_item(ctx, item_id):
    """Change an item; the result must be a valid item as a whole."""
    return catalog.update_item(ctx.conn, ctx.user, item_id, ctx.body, ctx.client)


@app.route("/market/items/{item_id}", ["DELETE"], auth="admin", status=204)
def delete_item(ctx, item_id):
    """Deactivate an item: it leaves the shop and stays in purchase history."""
    catalog.deactivate_item(ctx.conn, ctx.user, item_id, ctx.client)


@app.route("/market/purchases", query=models.PurchaseQuery, response=Page[models.Purchase])
def list_purchases(ctx):
    """The caller's purchases, newest first; filter by status."""
    return purchases.list_purchases(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route(
    "/market/purchases/{purchase_id}/use",
    ["POST"],
    response=models.Purchase,
    errors=("refunded", "used_up", "already_redeemed"),
)
def use_purchase(ctx, purchase_id):
    """Use one of a consumable's uses, or redeem a non-consumable."""
    return purchases.use_purchase(ctx.conn, ctx.user.id, purchase_id)


@app.route(
    "/market/purchases/{purchase_id}/refund",
    ["POST"],
    body=models.RefundIn,
    response=models.Purchase,
    errors=("already_refunded", "already_used", "refund_window_closed"),
)
def refund_purchase(ctx, purchase_id):
    """Refund an unused purchase: the owner within 24 hours, an admin any time."""
    return purchases.refund_purchase(ctx.conn, ctx.user, purchase_id, ctx.body, ctx.client)


@app.route("/market/transactions", query=PageQuery, response=Page[models.Transaction])
def list_transactions(ctx):
    """The caller's coin history in the market, newest first."""
    return purchases.list_transactions(ctx.conn, ctx.user.id, ctx.page)


@app.route("/market/rewards", query=models.RewardQuery, response=Page[models.Reward])
def list_rewards(ctx):
    """The caller's rewards: claimable first, then claimed and expired."""
    return rewards.list_rewards(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/market/rewards/daily", ["POST"], response=models.Reward, status=201, errors=("daily_reward_exists",))
def create_daily_reward(ctx):
    """Collect today's daily reward (once per UTC day; it grows with the daily streak)."""
    return rewards.create_daily_reward(ctx.conn, ctx.user.id)


@app.route("/market/recommendations", response=list[models.Recommendation])
def list_recommendations(ctx):
    """Items picked for the caller, best first."""
    return recommendations.list_recommendations(ctx.conn, ctx.user.id)
