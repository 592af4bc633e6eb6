"""The market: a catalog of items bought with coins, purchases and their use and refund, the coin transaction
history, claimable rewards and item recommendations.

Every coin and XP change goes through ``gamification``'s award path (the SQL function ``award_points``); the
purchase and the claim are single statements (migration 0008) so each is one transaction and one round trip.
The rules are documented in each module: ``catalog``, ``purchases``, ``rewards``, ``recommendations``.
"""
