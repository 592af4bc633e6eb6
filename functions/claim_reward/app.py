"""Claiming a reward: it pays once, however many claims arrive."""

from uuid import UUID

from momentum.http import Context, MomentumApp
from momentum.market import models, rewards

app = MomentumApp("momentum-claim-reward")


@app.route(
    "/market/rewards/{reward_id}/claim", ["POST"], response=models.ClaimResult, errors=("already_claimed", "expired")
)
def claim(ctx: Context, reward_id: UUID) -> models.ClaimResult:
    """Claim a reward: its coins and XP are paid once."""
    return rewards.claim_reward(ctx.conn, ctx.user.id, reward_id)
