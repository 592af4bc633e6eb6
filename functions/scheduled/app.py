"""Scheduled and queue-triggered upkeep (see template.yaml): the nightly market recommendations, the sweep of uploads
that never arrived, and the analysis dead-letter queue.

Callable by hand too: ``compute_recommendations({}, None)``, or ``momentum recommend`` / ``momentum sweep`` locally.
"""

from dataclasses import asdict
from typing import Any

from momentum import db
from momentum.http import MomentumApp
from momentum.log import log
from momentum.market import recommendations
from momentum.reference import endings

app = MomentumApp("momentum-scheduled")


@app.lambda_function(name="compute_recommendations")
def compute_recommendations(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Recompute every user's recommendations; returns the counts."""
    run = recommendations.compute_recommendations(db.get_conn())
    log("recommendations computed", **asdict(run))
    return asdict(run)


@app.lambda_function(name="sweep_uploads")
def sweep_uploads(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """End the tracks whose upload never arrived before its form expired; returns how many."""
    ended = endings.sweep_expired_uploads(db.get_conn())
    log("expired uploads swept", ended=ended)
    return {"ended": ended}


@app.lambda_function(name="end_dead_letters")
def end_dead_letters(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """End the tracks and runs of analysis messages that went to the dead-letter queue."""
    return endings.end_dead_letters(db.get_conn(), event)
