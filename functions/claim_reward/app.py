"""Claiming a reward: it pays once, however many claims arrive."""

from momentum.http import MomentumApp
from momentum.market import models, rewards

app = MomentumApp("momentum-claim-reward")


@app.route(
    "/market/rewards/{reward_id}/claim", ["POST"], response=models.ClaimResult, errors=("already_claimed", "expired")
)
def claim(ctx, reward_id):
    """Claim a reward: its coins and XP are paid once."""
    return rewards.claim_reward(ctx.conn, ctx.user.id, reward_id)
