"""One Idempotency-Key rule for every route that takes one: a retry answers the first response, and the same key
sent with another body answers 409 ``idempotency_key_reused``. Each route's integration tests prove the behaviour;
this holds every idempotent route to declaring it, so a new one cannot silently answer the first result instead."""

from __future__ import annotations

from momentum_infra.openapi import operations


def test_every_idempotent_route_declares_the_reused_key_conflict():
    idempotent = [op for op in operations() if op.idempotent]
    assert len(idempotent) >= 7  # grants, rewards, purchase, reading sessions, quiz, round, review
    missing = [(op.method, op.path) for op in idempotent if "idempotency_key_reused" not in op.errors]
    assert missing == []
