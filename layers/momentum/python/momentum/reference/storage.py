"""The upload bucket and the analysis queue, behind one small class so domain functions take it as a
collaborator (tests pass moto-backed or fake ones).

boto3 is imported inside the functions that need it: the API function's cold start does not pay for it until a
request touches S3 or SQS.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote, quote_plus

from momentum.config import get_settings

# The event name of a reanalysis request: shaped like an S3 ObjectCreated notification, so the analysis function
# handles it exactly as an upload.
REANALYZE_EVENT_NAME = "ObjectCreated:Reanalyze"


class ObjectMissing(Exception):
    """The object named by an event is not in the bucket (deleted since, or never uploaded)."""


class ObjectTooLarge(Exception):
    def __init__(self, size: int, max_bytes: int):
        super().__init__(f"{size} bytes, more than the {max_bytes} allowed")
        self.size, self.max_bytes = size, max_bytes


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str  # as stored with the object (the upload form's Content-Type field)


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class PresignedGet:
    url: str
    expires_at: datetime


def analysis_queue_url() -> str | None:
    """The analysis queue, where reanalysis requests go (None where none is configured)."""
    return get_settings().analysis_queue_url


class Storage:
    """S3 operations on the upload bucket, and the analysis queue."""

    def __init__(self, s3: Any, sqs: Any | None, bucket: str):
        self.s3, self.sqs, self.bucket = s3, sqs, bucket

    def presign_upload(self, key: str, content_type: str, max_bytes: int, ttl_seconds: int) -> PresignedPost:
        """A browser-style POST form whose policy allows exactly this key, this content type and 1..max_bytes."""
        fields = {"Content-Type": content_type}
        conditions = [{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]]
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=ttl_seconds
        )
        return PresignedPost(post["url"], post["fields"], datetime.now(UTC) + timedelta(seconds=ttl_seconds))

    def presign_download(self, key: str, content_type: str, file_name: str, ttl_seconds: int) -> PresignedGet:
        """A GET URL of the object, served with this Content-Type and inline (S3 answers Range requests with 206)."""
        disposition = f"inline; filename*=UTF-8''{quote(file_name, safe='')}"
        params = {"Bucket": self.bucket, "Key": key, "ResponseContentType": content_type}
        params["ResponseContentDisposition"] = disposition
        url = self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl_seconds)
        return PresignedGet(url, datetime.now(UTC) + timedelta(seconds=ttl_seconds))

    def read(self, bucket: str, key: str, max_bytes: int) -> StoredFile:
        """The object's bytes and content type.

        Raises: ObjectMissing, ObjectTooLarge (checked before the body is read, so a huge object costs no memory).
        """
        try:
            response = self.s3.get_object(Bucket=bucket, Key=key)
        except self.s3.exceptions.NoSuchKey:
            raise ObjectMissing(key) from None
        size = response["ContentLength"]
        if size > max_bytes:
            response["Body"].close()
            raise ObjectTooLarge(size, max_bytes)
        data: bytes = response["Body"].read()
        return StoredFile(data, response.get("ContentType") or "")

    def delete(self, key: str) -> None:
        """Delete the object; deleting a missing object succeeds, as in S3."""
        self.s3.delete_object(Bucket=self.bucket, Key=key)

    def request_analysis(self, key: str) -> None:
        """Queue an analysis of the object under ``key``, as its upload notification did.

        Raises: RuntimeError when no analysis queue is configured.
        """
        queue_url = analysis_queue_url()
        if self.sqs is None or not queue_url:
            raise RuntimeError("No analysis queue configured: set ANALYSIS_QUEUE_URL")
        self.sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(reanalysis_notification(self.bucket, key)))


def reanalysis_notification(bucket: str, key: str) -> dict[str, Any]:
    """An S3-notification-shaped message (key URL-encoded, as S3 sends it) that asks for a new analysis."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": REANALYZE_EVENT_NAME,
                "eventTime": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket}, "object": {"key": quote_plus(key)}},
            }
        ]
    }


_lock = threading.Lock()


@cache
def _clients() -> tuple[Any, Any]:
    import boto3
    from botocore.config import Config

    settings = get_settings()
    # The local stack's moto server is addressed by IP and port, where virtual-hosted bucket names cannot work.
    s3_config = Config(
        signature_version="s3v4", s3={"addressing_style": "path" if settings.aws_endpoint_url else "auto"}
    )
    s3 = boto3.client("s3", endpoint_url=settings.aws_endpoint_url, config=s3_config)
    sqs = boto3.client("sqs", endpoint_url=settings.aws_endpoint_url)
    return s3, sqs


def get_storage() -> Storage:
    """The storage of this execution environment; its clients are made once and reused across invocations."""
    with _lock:  # boto3's default session is not thread-safe while it makes clients (the local stack uses threads)
        s3, sqs = _clients()
    return Storage(s3, sqs, get_settings().upload_bucket)


def reset_clients() -> None:
    """Forget the cached clients (tests start a new moto mock or change the endpoint)."""
    _clients.cache_clear()
