"""The market: catalog, inventory (use, refund), coin history, rewards and recommendations.

Purchases and reward claims are their own functions (functions/purchase, functions/claim_reward).
"""

from momentum import market
from momentum.http import MomentumApp, Page, PageQuery

app = MomentumApp("momentum-market")


@app.route("/market/items", query=market.ItemQuery, response=Page[market.Item])
def list_items(ctx):
    """Catalog items in shop order; filter by category, rarity, or what can be bought now."""
    return market.list_items(ctx.conn, ctx.user, ctx.query, ctx.page)


@app.route("/market/items/{item_id}", response=market.Item)
def get_item(ctx, item_id):
    """One catalog item."""
    return market.get_item(ctx.conn, ctx.user, item_id)


@app.route("/market/items", ["POST"], auth="admin", body=market.ItemIn, response=market.Item, status=201)
def create_item(ctx):
    """Add an item to the catalog."""
    return market.create_item(ctx.conn, ctx.user, ctx.body, ctx.client)


@app.route("/market/items/{item_id}", ["PATCH"], auth="admin", body=market.ItemPatch, response=market.Item)
def update_item(ctx, item_id):
    """Change an item; the result must be a valid item as a whole."""
    return market.update_item(ctx.conn, ctx.user, item_id, ctx.body, ctx.client)


@app.route("/market/items/{item_id}", ["DELETE"], auth="admin", status=204)
def delete_item(ctx, item_id):
    """Deactivate an item: it leaves the shop and stays in purchase history."""
    market.deactivate_item(ctx.conn, ctx.user, item_id, ctx.client)


@app.route("/market/purchases", query=market.PurchaseQuery, response=Page[market.Purchase])
def list_purchases(ctx):
    """The caller's purchases, newest first; filter by status."""
    return market.list_purchases(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/market/purchases/{purchase_id}/use", ["POST"], response=market.Purchase)
def use_purchase(ctx, purchase_id):
    """Use one of a consumable's uses, or redeem a non-consumable."""
    return market.use_purchase(ctx.conn, ctx.user.id, purchase_id)


@app.route("/market/purchases/{purchase_id}/refund", ["POST"], body=market.RefundIn, response=market.Purchase)
def refund_purchase(ctx, purchase_id):
    """Refund an unused purchase: the owner within 24 hours, an admin any time."""
    return market.refund_purchase(ctx.conn, ctx.user, purchase_id, ctx.body, ctx.client)


@app.route("/market/transactions", query=PageQuery, response=Page[market.Transaction])
def list_transactions(ctx):
    """The caller's coin history in the market, newest first."""
    return market.list_transactions(ctx.conn, ctx.user.id, ctx.page)


@app.route("/market/rewards", query=market.RewardQuery, response=Page[market.Reward])
def list_rewards(ctx):
    """The caller's rewards: claimable first, then claimed and expired."""
    return market.list_rewards(ctx.conn, ctx.user.id, ctx.query, ctx.page)


@app.route("/market/rewards/daily", ["POST"], response=market.Reward, status=201)
def create_daily_reward(ctx):
    """Collect today's daily reward (once per UTC day; it grows with the daily streak)."""
    return market.create_daily_reward(ctx.conn, ctx.user.id)


@app.route("/market/recommendations", response=list[market.Recommendation])
def list_recommendations(ctx):
    """Items picked for the caller, best first."""
    return market.list_recommendations(ctx.conn, ctx.user.id)
