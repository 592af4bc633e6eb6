"""The market: a catalog of items bought with coins, purchases and their use and refund, the coin transaction
history, claimable rewards and item recommendations.

Every coin and XP change goes through ``gamification``'s award path (the SQL function ``award_points``); the
purchase and the claim are single statements (migration 0008) so each is one transaction and one round trip.
The rules are documented in each module: ``catalog``, ``purchases``, ``rewards``, ``recommendations``.
"""

from momentum.market.catalog import create_item, deactivate_item, get_item, list_items, update_item
from momentum.market.models import (
    ClaimResult,
    Item,
    ItemIn,
    ItemPatch,
    ItemQuery,
    Purchase,
    PurchaseIn,
    PurchaseQuery,
    Recommendation,
    RefundIn,
    Reward,
    RewardIn,
    RewardQuery,
    Transaction,
)
from momentum.market.purchases import list_purchases, list_transactions, purchase, refund_purchase, use_purchase
from momentum.market.recommendations import compute_recommendations, list_recommendations, recommend_for
from momentum.market.rewards import (
    admin_create_reward,
    claim_reward,
    create_daily_reward,
    daily_reward_amount,
    list_rewards,
)

__all__ = [
    "ClaimResult", "Item", "ItemIn", "ItemPatch", "ItemQuery", "Purchase", "PurchaseIn", "PurchaseQuery",
    "Recommendation", "RefundIn", "Reward", "RewardIn", "RewardQuery", "Transaction",
    "admin_create_reward", "claim_reward", "compute_recommendations", "create_daily_reward", "create_item",
    "daily_reward_amount", "deactivate_item", "get_item", "list_items", "list_purchases", "list_recommendations",
    "list_rewards", "list_transactions", "purchase", "recommend_for", "refund_purchase", "update_item",
    "use_purchase",
]
