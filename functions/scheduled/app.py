"""Scheduled work: the nightly recomputation of market recommendations (EventBridge, see template.yaml).

Callable by hand too: ``compute_recommendations({}, None)``, or ``momentum recommend`` locally.
"""

from dataclasses import asdict
from typing import Any

from momentum import db
from momentum.http import MomentumApp
from momentum.log import log
from momentum.market import recommendations

app = MomentumApp("momentum-scheduled")


@app.lambda_function(name="compute_recommendations")
def compute_recommendations(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Recompute every user's recommendations; returns the counts."""
    run = recommendations.compute_recommendations(db.get_conn())
    log("recommendations computed", **asdict(run))
    return asdict(run)
