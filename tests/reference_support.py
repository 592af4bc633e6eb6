"""Shared by the reference-track tests (unit, integration, end-to-end): canonical events, generated audio, moto."""

from __future__ import annotations

import contextlib
import io
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote_plus

import numpy as np

EVENTS = Path(__file__).resolve().parent / "events"
ANALYSIS_CONTEXT_MS = 900_000


def load_event(
    name: str, *, bucket: str = "momentum-uploads", key: str = "tracks/x/y/z.wav", message_id: str | None = None
) -> dict:
    """tests/events/<name>.json with its placeholders filled; ``key`` is URL-encoded as S3 sends it."""
    text = (EVENTS / f"{name}.json").read_text()
    for placeholder, value in (
        ("bucket", bucket),
        ("key", quote_plus(key)),
        ("message_id", message_id or str(uuid.uuid4())),
    ):
        text = text.replace("{{" + placeholder + "}}", value)
    return json.loads(text)


def click_track(bpm: float = 120.0, seconds: float = 8.0, sample_rate: int = 22050) -> np.ndarray:
    """An A minor triad with a click on every beat (accented on each bar's first): known tempo and length."""
    t = np.arange(int(sample_rate * seconds)) / sample_rate
    samples = 0.15 * sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63)) / 3
    click_len = int(0.03 * sample_rate)
    envelope = np.exp(-np.arange(click_len) / (0.005 * sample_rate))
    for i, beat in enumerate(np.arange(0.5, seconds - 0.1, 60.0 / bpm)):
        start = int(beat * sample_rate)
        pitch, level = (1500.0, 0.9) if i % 4 == 0 else (1000.0, 0.5)
        samples[start : start + click_len] += (
            level * envelope * np.sin(2 * np.pi * pitch * np.arange(click_len) / sample_rate)
        )
    return samples.astype(np.float32)


def encode(
    samples: np.ndarray, sample_rate: int = 22050, file_format: str = "WAV", subtype: str | None = None
) -> bytes:
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, samples, sample_rate, format=file_format, subtype=subtype)
    return buffer.getvalue()


def wav_bytes(seconds: float = 8.0, bpm: float = 120.0) -> bytes:
    return encode(click_track(bpm, seconds), subtype="PCM_16")


@dataclass
class Uploads:
    """The upload bucket, wired to the analysis queue as template.yaml wires them, on moto."""

    s3: object
    sqs: object
    bucket: str
    queue_url: str
    dead_letter_queue_url: str

    @property
    def queue_arn(self) -> str:
        return self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]

    def receive(self) -> list[dict]:
        """Every message waiting on the analysis queue (the S3 test event included)."""
        messages = []
        while batch := self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
        ).get("Messages", []):
            messages += batch
        return messages

    def sqs_event(self, messages: list[dict]) -> dict:
        from momentum_infra.localstack import sqs_event

        return sqs_event(messages, self.queue_arn)

    def upload(self, form: dict, data: bytes, filename: str = "upload") -> int:
        """POST a file with a presigned form, as a browser would; returns the HTTP status."""
        import requests

        content_type = form["fields"]["Content-Type"]
        response = requests.post(
            form["url"], data=form["fields"], files={"file": (filename, data, content_type)}, timeout=30
        )
        return response.status_code


def analysis_context():
    from momentum_infra.localstack import lambda_context

    return lambda_context("AnalyzeTrackFunction", ANALYSIS_CONTEXT_MS / 1000)


@contextlib.contextmanager
def mocked_uploads(monkeypatch, bucket: str = "momentum-uploads-test"):
    """moto S3 and SQS with the template's bucket notification, queue and dead-letter queue; the layer's settings
    and clients point at them for the duration."""
    import boto3
    from momentum.config import get_settings
    from momentum.reference import storage
    from momentum_infra import localstack
    from moto import mock_aws

    with mock_aws():
        monkeypatch.setenv("UPLOAD_BUCKET", bucket)
        queues = localstack.wire_uploads(None, bucket)
        monkeypatch.setenv("ANALYSIS_QUEUE_URL", queues["AnalysisQueue"])
        get_settings.cache_clear()
        storage.reset_clients()
        try:
            yield Uploads(
                boto3.client("s3"),
                boto3.client("sqs"),
                bucket,
                queues["AnalysisQueue"],
                queues["AnalysisDeadLetterQueue"],
            )
        finally:
            monkeypatch.delenv("UPLOAD_BUCKET")
            monkeypatch.delenv("ANALYSIS_QUEUE_URL", raising=False)
            get_settings.cache_clear()
            storage.reset_clients()
