"""Analyse uploaded reference tracks: S3 ObjectCreated notifications arrive through SQS (or straight from S3).

Returns SQS's partial batch response: only messages that failed for a transient reason are retried.
"""

from typing import Any

from momentum.reference import pipeline


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return pipeline.handle_event(event, remaining_ms=getattr(context, "get_remaining_time_in_millis", None))
