"""Buying an item: one transaction, one database round trip."""

from uuid import UUID

from momentum.http import Context, MomentumApp
from momentum.market import models, purchases

app = MomentumApp("momentum-purchase")


@app.route(
    "/market/items/{item_id}/purchase",
    ["POST"],
    body=models.PurchaseIn,
    response=models.Purchase,
    status=201,
    idempotent=True,
    errors=("insufficient_coins", "out_of_stock", "not_available", "already_owned", "idempotency_key_reused"),
)
def purchase(ctx: Context[models.PurchaseIn], item_id: UUID) -> models.Purchase:
    """Buy an item; send an Idempotency-Key so a retry returns the same purchase and charges once."""
    return purchases.purchase(ctx.conn, ctx.user.id, item_id, ctx.body, ctx.idempotency_key)
