"""Claiming a reward: it pays once, however many claims arrive."""

from momentum import market
from momentum.http import MomentumApp

app = MomentumApp("momentum-claim-reward")


@app.route("/market/rewards/{reward_id}/claim", ["POST"], response=market.ClaimResult)
def claim(ctx, reward_id):
    """Claim a reward: its coins and XP are paid once."""
    return market.claim_reward(ctx.conn, ctx.user.id, reward_id)
