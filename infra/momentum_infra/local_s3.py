"""The local stack's S3: moto's server behind a small WSGI layer that adds what moto leaves out.

- Browser uploads (presigned POST) are held to their policy as S3 holds them: the signature, the expiry, every
  condition (exact key, content type, content-length range), and no form field the policy does not cover. moto
  stores whatever is posted, so without this a form could be pointed at another user's key or carry a file far
  larger than declared, and tests would pass that fail in AWS.
- Objects outlive a restart: each stored upload is mirrored to the local data folder beside the embedded database
  and put back on start, so the database and the audio it refers to are kept (or deleted) together.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

# A multipart form adds a little to the file it carries; more than this beyond the largest upload is refused unread.
FORM_OVERHEAD_BYTES = 1024 * 1024
# Form fields S3 does not require a policy condition for.
_UNCHECKED_FIELDS = {"policy", "x-amz-signature", "file", "signature", "awsaccesskeyid"}

StartResponse = Callable[..., Any]
Environ = dict[str, Any]


class PolicyError(Exception):
    """The upload breaks its policy; the message is S3's wording."""


def _s3_error(start_response: StartResponse, status: str, code: str, message: str) -> list[bytes]:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    ).encode()
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]


def _given_signature(fields: dict[str, str]) -> str:
    return fields.get("x-amz-signature") or fields.get("signature") or ""


def _expected_signature(fields: dict[str, str], secret: str, policy: str) -> str:
    """The signature of a POST policy: SigV4 (``x-amz-credential``) or SigV2 (``AWSAccessKeyId``), as boto3 signs."""
    credential = fields.get("x-amz-credential", "")
    if "/" in credential:
        date, region, service, terminal = credential.split("/")[1:]
        key = ("AWS4" + secret).encode()
        for part in (date, region, service, terminal):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        return hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(hmac.new(secret.encode(), policy.encode(), hashlib.sha1).digest()).decode()


def check_policy(bucket: str, fields: dict[str, str], file_size: int, secret: str, now: datetime) -> None:
    """Raise PolicyError unless the form is one the policy and its signature allow.

    ``fields`` are the form's text fields, with their names lower-cased.
    """
    encoded = fields.get("policy")
    if not encoded:
        raise PolicyError("Bucket POST must contain a field named 'policy'")
    if not hmac.compare_digest(_expected_signature(fields, secret, encoded), _given_signature(fields)):
        raise PolicyError("The request signature we calculated does not match the signature you provided")
    try:
        policy = json.loads(base64.b64decode(encoded))
        expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError):
        raise PolicyError("Invalid Policy: Invalid JSON.") from None
    if expiration <= now:
        raise PolicyError("Invalid according to Policy: Policy expired.")
    values = fields | {"bucket": bucket}
    covered = {"bucket"}
    for condition in policy.get("conditions", []):
        if isinstance(condition, dict):
            ((name, expected),) = condition.items()
            name = name.lower()
            covered.add(name)
            if values.get(name) != expected:
                raise PolicyError(f'Invalid according to Policy: Policy Condition failed: ["eq", "${name}", ...]')
        elif condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if not low <= file_size <= high:
                raise PolicyError(f"Your proposed upload size {file_size} is outside the allowed range {low}-{high}")
        elif condition[0] in ("eq", "starts-with"):
            operator, name, expected = condition[0], condition[1].lstrip("$").lower(), condition[2]
            covered.add(name)
            value = values.get(name, "")
            if (operator == "eq" and value != expected) or (
                operator == "starts-with" and not value.startswith(expected)
            ):
                raise PolicyError(f'Invalid according to Policy: Policy Condition failed: ["{operator}", "${name}"]')
    extra = sorted(
        n for n in fields if n not in covered and n not in _UNCHECKED_FIELDS and not n.startswith("x-ignore-")
    )
    if extra:
        raise PolicyError(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


class ObjectMirror:
    """Uploaded objects as files under ``root/<bucket>/<key>``, with their content type beside them."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, bucket: str, key: str) -> Path:
        path = (self.root / bucket / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"object key leaves the data folder: {key!r}")
        return path

    def save(self, bucket: str, key: str, data: bytes, content_type: str) -> None:
        path = self._path(bucket, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.with_name(path.name + ".content-type").write_text(content_type)

    def delete(self, bucket: str, key: str) -> None:
        path = self._path(bucket, key)
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".content-type").unlink(missing_ok=True)

    def objects(self, bucket: str) -> Iterable[tuple[str, Path, str]]:
        """(key, file, content type) of every mirrored object of ``bucket``."""
        folder = self.root / bucket
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file() and not path.name.endswith(".content-type"):
                kind = path.with_name(path.name + ".content-type")
                yield path.relative_to(folder).as_posix(), path, kind.read_text() if kind.exists() else ""


class S3Rules:
    """WSGI middleware over moto's S3: enforces presigned POST policies and mirrors stored objects."""

    def __init__(
        self,
        app: Callable[[Environ, StartResponse], Iterable[bytes]],
        mirror: ObjectMirror | None,
        max_upload_bytes: int,
    ):
        self.app, self.mirror, self.max_upload_bytes = app, mirror, max_upload_bytes

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        parts = unquote(environ.get("PATH_INFO", "")).lstrip("/").split("/", 1)
        content_type = environ.get("CONTENT_TYPE", "")
        if method == "POST" and len(parts) == 1 and parts[0] and content_type.startswith("multipart/form-data"):
            return self._browser_upload(parts[0], environ, start_response)
        if method == "DELETE" and len(parts) == 2 and parts[1] and self.mirror is not None:
            mirror = self.mirror
            return self._forward(environ, start_response, lambda: mirror.delete(parts[0], parts[1]))
        return self.app(environ, start_response)

    def _forward(
        self, environ: Environ, start_response: StartResponse, on_success: Callable[[], None]
    ) -> Iterable[bytes]:
        status_seen: list[str] = []

        def recording_start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            status_seen.append(status)
            return start_response(status, headers, *rest)

        result = list(self.app(environ, recording_start))
        if status_seen and status_seen[0][:1] == "2":
            on_success()
        return result

    def _browser_upload(self, bucket: str, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        from werkzeug.formparser import parse_form_data

        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _s3_error(start_response, "400 Bad Request", "InvalidArgument", "Invalid Content-Length")
        if length > self.max_upload_bytes + FORM_OVERHEAD_BYTES:
            return _s3_error(
                start_response,
                "400 Bad Request",
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
            )
        body = environ["wsgi.input"].read(length)
        parse_env = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        _, form, files = parse_form_data(parse_env)
        upload = files.get("file")
        data = upload.read() if upload is not None else b""
        for part in files.values():
            part.close()
        fields = {name.lower(): value for name, value in form.items()}
        try:
            check_policy(bucket, fields, len(data), os.environ.get("AWS_SECRET_ACCESS_KEY", ""), datetime.now(UTC))
        except PolicyError as error:
            return _s3_error(start_response, "403 Forbidden", "AccessDenied", str(error))
        environ["wsgi.input"] = io.BytesIO(body)
        key = fields.get("key", "").replace("${filename}", (upload.filename or "") if upload else "")
        if self.mirror is None:
            return self.app(environ, start_response)
        mirror = self.mirror
        return self._forward(
            environ, start_response, lambda: mirror.save(bucket, key, data, fields.get("content-type", ""))
        )


class LocalS3:
    """moto's S3/SQS/SES server on a local port, with the rules above."""

    def __init__(self, host: str, data_dir: Path | None, max_upload_bytes: int):
        self.host, self.max_upload_bytes = host, max_upload_bytes
        self.mirror = ObjectMirror(data_dir) if data_dir is not None else None
        self._server: Any = None

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per S3 call drowns the console
        app = S3Rules(DomainDispatcherApplication(create_backend_app), self.mirror, self.max_upload_bytes)
        self._server = make_server(self.host, 0, app, threaded=True)
        threading.Thread(target=self._server.serve_forever, daemon=True, name="local-s3").start()
        return f"http://{self.host}:{self._server.server_port}"

    def restore(self, s3: Any, bucket: str) -> int:
        """Put the mirrored objects of ``bucket`` back (before its notifications are wired: nothing is re-analysed)."""
        count = 0
        for key, path, content_type in self.mirror.objects(bucket) if self.mirror else []:
            s3.put_object(
                Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type or "binary/octet-stream"
            )
            count += 1
        return count

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
