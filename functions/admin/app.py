"""Admin-only actions on users."""

from momentum import gamification
from momentum.http import MomentumApp
from momentum.market import models, rewards

app = MomentumApp("momentum-admin")


@app.route(
    "/admin/users/{user_id}/grants",
    ["POST"],
    auth="admin",
    body=gamification.GrantIn,
    response=gamification.LedgerEntry,
    status=201,
    idempotent=True,
    errors=("insufficient_coins",),
)
def grant(ctx, user_id):
    """Pay or take back coins and XP; send an Idempotency-Key to make retries safe."""
    return gamification.admin_grant(ctx.conn, ctx.user, user_id, ctx.body, ctx.idempotency_key, ctx.client)


@app.route(
    "/admin/users/{user_id}/rewards",
    ["POST"],
    auth="admin",
    body=models.RewardIn,
    response=models.Reward,
    status=201,
    idempotent=True,
    errors=("idempotency_key_reused",),
)
def create_reward(ctx, user_id):
    """Give a user a claimable reward (e.g. for a quest); send an Idempotency-Key to make retries safe."""
    return rewards.admin_create_reward(ctx.conn, ctx.user, user_id, ctx.body, ctx.idempotency_key, ctx.client)
