"""Reading the events that reach the analysis function: SQS messages whose bodies are S3 notifications (the
template's wiring), plain S3 events (a direct bucket trigger), and the reanalysis requests the API queues.

Pure functions: no I/O, so the shapes are unit-tested without AWS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

TEST_EVENT = "s3:TestEvent"  # what S3 sends once when a bucket notification is configured


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str  # decoded: S3 sends keys URL-encoded, spaces as '+'
    event_name: str


@dataclass(frozen=True)
class Message:
    """One unit of retry: an SQS message (message_id set) or a whole plain S3 event (message_id None)."""

    message_id: str | None
    objects: list[StoredObject] = field(default_factory=list)
    problem: str | None = None  # why the message cannot be read; such a message is dropped, not retried


def objects_in(notification: dict[str, Any]) -> list[StoredObject]:
    """The created objects an S3 notification names (none for a test event or other event types)."""
    if notification.get("Event") == TEST_EVENT:
        return []
    found = []
    for record in notification.get("Records") or []:
        if record.get("eventSource") != "aws:s3" or not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record["s3"]
        found.append(StoredObject(s3["bucket"]["name"], unquote_plus(s3["object"]["key"]), record["eventName"]))
    return found


def messages_in(event: dict[str, Any]) -> list[Message]:
    """Split a Lambda event into messages: each SQS record is one, a plain S3 event is one."""
    records = event.get("Records") or []
    if not any(r.get("eventSource") == "aws:sqs" for r in records):
        try:
            return [Message(None, objects_in(event))]
        except (KeyError, TypeError) as error:
            return [Message(None, problem=f"malformed S3 event: {error!r}")]
    messages = []
    for record in records:
        try:
            body = json.loads(record["body"])
            messages.append(Message(record["messageId"], objects_in(body)))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            messages.append(Message(record.get("messageId"), problem=f"malformed message: {error!r}"))
    return messages
