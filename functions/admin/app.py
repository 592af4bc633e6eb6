"""Admin-only actions on users."""

from uuid import UUID

from momentum import gamification
from momentum.http import Context, MomentumApp
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
def grant(ctx: Context[gamification.GrantIn], user_id: UUID) -> gamification.LedgerEntry:
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
def create_reward(ctx: Context[models.RewardIn], user_id: UUID) -> models.Reward:
    """Give a user a claimable reward (e.g. for a quest); send an Idempotency-Key to make retries safe."""
    return rewards.admin_create_reward(ctx.conn, ctx.user, user_id, ctx.body, ctx.idempotency_key, ctx.client)
