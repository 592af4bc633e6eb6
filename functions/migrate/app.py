"""The database migration, run inside the VPC by a CloudFormation custom resource on each deployment.

Create and Update run ``alembic upgrade head`` and then the idempotent seed; the deployment waits for the answer
and fails (and rolls back) with the migration's error if there is one. Delete leaves the database alone: the data
outlives the stack's resources. The answer is a PUT of a JSON document to the event's pre-signed ResponseURL.

The custom-resource protocol is one PUT, written here with urllib rather than taking a dependency (crhelper) whose
polling and scheduling machinery a synchronous migration does not need.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from momentum import db
from momentum.log import log
from momentum_infra import migrate, seed
from momentum_infra.pg import REPO_ROOT

PHYSICAL_ID = "momentum-database-migrations"
# `sam build` packs alembic.ini and migrations/ next to this file; a checkout keeps them at the repo root.
ROOT = Path(__file__).parent if (Path(__file__).parent / "alembic.ini").exists() else REPO_ROOT
# Answer FAILED this long before Lambda's timeout, so CloudFormation does not wait an hour for an answer.
TIMEOUT_MARGIN_S = 10
REASON_MAX_CHARS = 1500  # the whole response must stay under CloudFormation's 4 KB


def handler(event: dict[str, Any], context: Any) -> None:
    reply = _Reply(event, context)
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    timer = None
    if remaining_ms is not None:
        timer = threading.Timer(
            max(remaining_ms() / 1000 - TIMEOUT_MARGIN_S, 0),
            reply.send,
            args=("FAILED",),
            kwargs={"reason": "The migration did not finish before the function's timeout"},
        )
        timer.daemon = True
        timer.start()
    try:
        if event["RequestType"] == "Delete":
            reply.send("SUCCESS", data={"action": "none: migrations and data are kept"})
            return
        reply.send("SUCCESS", data=migrate_and_seed())
    except Exception as error:
        log("database migration failed", logging.ERROR, exc_info=True, request_type=event.get("RequestType"))
        reply.send("FAILED", reason=f"{type(error).__name__}: {error}")
    finally:
        if timer is not None:
            timer.cancel()


def migrate_and_seed() -> dict[str, str]:
    """Bring the database to this code's head revision and load the starter data; what was done, for the log."""
    url = db.database_url()
    started = time.monotonic()
    ahead = migrate.unknown_revision(url, ROOT)
    if ahead is not None:
        log("database is ahead of this code; schema left as it is", logging.WARNING, revision=ahead)
        return {"action": f"none: the database is at {ahead}, newer than this code's migrations"}
    migrate.upgrade(url, root=ROOT)
    with db.connect(url) as conn:
        seeded = seed.run_all(conn)
    log("database migrated and seeded", seeded=seeded, seconds=round(time.monotonic() - started, 1))
    return {"action": "migrated", "seeded": ",".join(seeded)}


class _Reply:
    """The one answer CloudFormation waits for: sent once, by whichever of the work and the timeout ends first."""

    def __init__(self, event: dict[str, Any], context: Any) -> None:
        self.event = event
        self.log_stream = getattr(context, "log_stream_name", None)
        self._lock = threading.Lock()
        self._sent = False

    def send(self, status: str, reason: str | None = None, data: dict[str, str] | None = None) -> None:
        with self._lock:
            if self._sent:
                return
            self._sent = True
        if reason is None:
            reason = f"See CloudWatch log stream {self.log_stream}" if self.log_stream else "See the function's log"
        elif self.log_stream:
            reason = f"{reason[:REASON_MAX_CHARS]} (log stream {self.log_stream})"
        body = {
            "Status": status,
            "Reason": reason[: REASON_MAX_CHARS + 200],
            # Stable across updates: a new id would make CloudFormation delete the "old" resource.
            "PhysicalResourceId": self.event.get("PhysicalResourceId") or PHYSICAL_ID,
            "StackId": self.event["StackId"],
            "RequestId": self.event["RequestId"],
            "LogicalResourceId": self.event["LogicalResourceId"],
            "NoEcho": False,
            "Data": data or {},
        }
        _put(self.event["ResponseURL"], json.dumps(body).encode())
        log("custom resource answered", status=status, request_type=self.event.get("RequestType"))


def _put(url: str, body: bytes, attempts: int = 3) -> None:
    # The pre-signed URL is signed for an empty content type; urllib would otherwise send a form type.
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
            return
        except OSError:
            if attempt == attempts:
                raise
            log("answering CloudFormation failed; retrying", logging.WARNING, exc_info=True, attempt=attempt)
            time.sleep(attempt)
