"""The local stack's S3 holds browser uploads to their presigned policy, as S3 does, and keeps objects across a
restart. Runs the real server on a local port with a boto3 client, as the local stack does."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
import uuid

import boto3
import pytest
from momentum_infra.local_s3 import LocalS3

BUCKET = "uploads"


def post_form(url: str, fields: dict[str, str], data: bytes, content_type: str) -> tuple[int, bytes]:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    body.write(data + f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(
        url, data=body.getvalue(), method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture()
def local_s3(tmp_path):
    started: list[LocalS3] = []

    def start() -> tuple[LocalS3, object]:
        s3 = LocalS3("127.0.0.1", tmp_path / "s3", max_upload_bytes=10_000)
        endpoint = s3.start()
        started.append(s3)
        # moto keeps its state per process: start each server empty, as a restarted `momentum dev` would be.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        s3.restore(client, BUCKET)
        return s3, client

    yield start
    for s3 in started:
        s3.stop()


def presign(client, key: str, size: int = 100, content_type: str = "audio/wav", expires: int = 300) -> dict:
    return client.generate_presigned_post(
        Bucket=BUCKET,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, size]],
        ExpiresIn=expires,
    )


def stored(client, key: str) -> bool:
    return client.list_objects_v2(Bucket=BUCKET, Prefix=key).get("KeyCount", 0) > 0


def test_an_upload_within_its_policy_is_stored(local_s3):
    _, client = local_s3()
    form = presign(client, "tracks/u1/t1/a.wav")
    status, _ = post_form(form["url"], form["fields"], b"x" * 100, "audio/wav")
    assert status == 204
    assert client.get_object(Bucket=BUCKET, Key="tracks/u1/t1/a.wav")["Body"].read() == b"x" * 100


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda fields: fields, "too large"),
        (lambda fields: fields | {"Content-Type": "video/mp4"}, "Policy Condition failed"),
        (lambda fields: fields | {"key": "tracks/other-user/t9/a.wav"}, "Policy Condition failed"),
        (lambda fields: fields | {"x-amz-meta-extra": "1"}, "Extra input fields"),
        (lambda fields: fields | {"x-amz-signature": "0" * 64}, "signature"),
    ],
    ids=["larger than declared", "another content type", "another user's key", "extra field", "forged signature"],
)
def test_uploads_that_break_their_policy_are_refused_and_not_stored(local_s3, change, reason):
    _, client = local_s3()
    form = presign(client, "tracks/u1/t2/a.wav", size=100)
    data = b"x" * (101 if reason == "too large" else 50)
    status, body = post_form(form["url"], change(dict(form["fields"])), data, "audio/wav")
    assert status == 403 and b"AccessDenied" in body, body
    assert not stored(client, "tracks/")  # neither at the form's key nor at the one it was pointed to


def test_an_expired_form_is_refused(local_s3):
    _, client = local_s3()
    form = presign(client, "tracks/u1/t3/a.wav", expires=-10)
    status, body = post_form(form["url"], form["fields"], b"x" * 10, "audio/wav")
    assert status == 403 and b"expired" in body


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(local_s3):
    _, client = local_s3()
    form = presign(client, "tracks/u1/t4/a.wav", size=100)
    status, body = post_form(form["url"], form["fields"], b"x" * 2_000_000, "audio/wav")
    assert status == 400 and b"EntityTooLarge" in body


def test_objects_survive_a_restart_and_deletes_follow(local_s3):
    first, client = local_s3()
    for name in ("keep.wav", "gone.wav"):
        form = presign(client, f"tracks/u1/t5/{name}")
        assert post_form(form["url"], form["fields"], name.encode(), "audio/wav")[0] == 204
    client.delete_object(Bucket=BUCKET, Key="tracks/u1/t5/gone.wav")
    first.stop()

    _, again = local_s3()  # a new server on the same data folder, as after restarting `momentum dev`
    kept = again.get_object(Bucket=BUCKET, Key="tracks/u1/t5/keep.wav")
    assert kept["Body"].read() == b"keep.wav" and kept["ContentType"] == "audio/wav"
    assert not stored(again, "tracks/u1/t5/gone.wav")
