"""Recompute the recommendations of one range of users per queue message (the nightly fan-out's worker).

Returns SQS's partial batch response: a message whose range failed is retried on its own (then dead-lettered),
the others are done (``momentum.jobs.handle``).
"""

from typing import Any

from momentum import jobs


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return jobs.handle(jobs.all_jobs()["recommendations"], event)
