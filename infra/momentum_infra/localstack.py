"""The local stack: every function of template.yaml behind one localhost port, as API Gateway and Lambda would
run them, with an in-process S3 and SQS (moto) that deliver uploads to the queue-triggered functions."""

from __future__ import annotations

import base64
import importlib
import json
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from momentum_infra import template as tpl

QUEUE_POLL_SECONDS = 1


@dataclass(frozen=True)
class _CompiledRoute:
    route: tpl.ApiRoute
    pattern: re.Pattern[str]


def _compile(route: tpl.ApiRoute) -> _CompiledRoute:
    regex = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
    return _CompiledRoute(route, re.compile(f"^{regex}$"))


class Router:
    """Finds the template route of a request; specific paths win over parameterised ones, as in API Gateway."""

    def __init__(self, routes: list[tpl.ApiRoute]):
        ordered = sorted(routes, key=lambda r: (r.path.count("{"), -len(r.path)))
        self.routes = [_compile(r) for r in ordered]

    def match(self, method: str, path: str) -> tuple[tpl.ApiRoute | None, dict[str, str], bool]:
        """(route, path parameters, whether the path exists under another method)."""
        path_known = False
        for compiled in self.routes:
            found = compiled.pattern.match(path)
            if found:
                if compiled.route.method == method:
                    return compiled.route, found.groupdict(), True
                path_known = True
        return None, {}, path_known


def lambda_context(function: str, timeout_s: float = 30.0) -> SimpleNamespace:
    deadline = time.monotonic() + timeout_s
    return SimpleNamespace(
        function_name=function,
        function_version="$LATEST",
        memory_limit_in_mb=512,
        aws_request_id=str(uuid.uuid4()),
        invoked_function_arn=f"arn:aws:lambda:local:000000000000:function:{function}",
        log_group_name=f"/aws/lambda/{function}",
        log_stream_name="local",
        get_remaining_time_in_millis=lambda: int(max(0.0, deadline - time.monotonic()) * 1000),
    )


def api_gateway_event(
    route: tpl.ApiRoute,
    method: str,
    raw_path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    params: dict[str, str],
    source_ip: str,
) -> dict[str, Any]:
    """The REST API (payload 1.0) proxy event API Gateway would send for this request."""
    multi_query = parse_qs(query, keep_blank_values=True)
    is_text = True
    try:
        text_body = body.decode("utf-8") if body else None
    except UnicodeDecodeError:
        is_text = False
    return {
        "resource": route.path,
        "path": raw_path,
        "httpMethod": method,
        "headers": headers or None,
        "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": raw_path,
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent")},
        },
        "body": text_body if is_text else base64.b64encode(body).decode(),
        "isBase64Encoded": not is_text,
    }


def load_handler(module: str, name: str = "app") -> Any:
    return getattr(importlib.import_module(module), name)


def _unquote(value: object) -> str:
    # API Gateway writes static header values in single quotes: "'*'".
    return str(value).strip("'")


CORS_HEADERS = {
    "AllowOrigin": "Access-Control-Allow-Origin",
    "AllowMethods": "Access-Control-Allow-Methods",
    "AllowHeaders": "Access-Control-Allow-Headers",
    "MaxAge": "Access-Control-Max-Age",
}


def gateway_headers(template: dict[str, Any] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """The headers API Gateway adds, read from the Api of template.yaml: (its answer to a CORS preflight, the headers
    of its own 4xx answers)."""
    template = template or tpl.load_template()
    api = next(r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Api")["Properties"]
    cors = api.get("Cors") or {}
    preflight = {header: _unquote(cors[key]) for key, header in CORS_HEADERS.items() if key in cors}
    errors = (api.get("GatewayResponses") or {}).get("DEFAULT_4XX", {}).get("ResponseParameters", {})
    return preflight, {name: _unquote(value) for name, value in errors.get("Headers", {}).items()}


class LocalStack:
    def __init__(self, routes: list[tpl.ApiRoute] | None = None) -> None:
        self.router = Router(routes if routes is not None else tpl.api_routes())
        self._handlers: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self.preflight_headers, self.error_headers = gateway_headers()

    def handler(self, module: str, name: str = "app") -> Any:
        with self._lock:
            if (module, name) not in self._handlers:
                self._handlers[module, name] = load_handler(module, name)
            return self._handlers[module, name]

    def invoke_http(
        self, method: str, target: str, headers: dict[str, str], body: bytes, source_ip: str = "127.0.0.1"
    ) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(target)
        if method == "GET" and url.path == "/openapi.json":
            from momentum_infra.openapi import openapi_document

            host = {k.lower(): v for k, v in headers.items()}.get("host", "127.0.0.1")
            document = openapi_document(server_url=f"http://{host}")
            return 200, {"Content-Type": "application/json"}, json.dumps(document).encode()
        route, params, path_known = self.router.match(method, url.path)
        if route is None and method == "OPTIONS" and path_known and self.preflight_headers:
            return 200, dict(self.preflight_headers), b""  # the template's mock preflight
        if route is None:
            status, code = (405, "method_not_allowed") if path_known else (404, "not_found")
            error = {"error": {"code": code, "message": f"No route for {method} {url.path}", "details": {}}}
            return status, {"Content-Type": "application/json"} | self.error_headers, json.dumps(error).encode()
        event = api_gateway_event(route, method, url.path, url.query, headers, body, params, source_ip)
        response = self.handler(route.module)(event, lambda_context(route.function))
        payload = response.get("body") or ""
        data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
        out_headers = dict(response.get("headers") or {})
        for name, values in (response.get("multiValueHeaders") or {}).items():
            out_headers[name] = ", ".join(values)
        return response["statusCode"], out_headers, data


# API Gateway refuses larger request payloads before any function runs.
API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024


def json_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()
    return status, {"Content-Type": "application/json"}, body


class LocalHTTPServer(ThreadingHTTPServer):
    """A thread per connection, with a deep accept queue: bursts of clients wait instead of being reset."""

    daemon_threads = True
    request_queue_size = 1024

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up early (`curl … | head`) is normal, not worth a traceback on the console.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_http_server(stack: LocalStack, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            status, headers, data = self._answer()
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _refuse(self, status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
            # API Gateway's own answer, with its gateway-response headers
            self.close_connection = True
            status, headers, body = json_error(status, code, message)
            return status, headers | stack.error_headers, body

        def _answer(self) -> tuple[int, dict[str, str], bytes]:
            declared = self.headers.get("Content-Length")
            try:
                length = int(declared or 0)
                if length < 0:
                    raise ValueError(declared)
            except ValueError:
                return self._refuse(400, "bad_request", "Content-Length must be a number of bytes")
            if length > API_GATEWAY_MAX_BODY_BYTES:  # the body stays unread
                return self._refuse(413, "payload_too_large", "Request body too large")
            body = self.rfile.read(length) if length else b""
            return stack.invoke_http(self.command, self.path, dict(self.headers.items()), body, self.client_address[0])

        def __getattr__(self, name: str) -> Any:
            # Every method reaches the router, which answers unknown methods and paths as API Gateway does.
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
            # Malformed request lines and the like: the JSON error shape, not http.server's HTML page.
            status, headers, data = json_error(code, "bad_request", message or "Bad request")
            self.close_connection = True
            self.send_response(status)
            self.send_header("Content-Type", headers["Content-Type"])
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # the functions log each request as JSON already
            pass

    return LocalHTTPServer((host, port), Handler)


# ------------------------------------------------------------------ S3 and SQS, as AWS wires them


def wire_uploads(
    endpoint: str | None,
    bucket: str,
    template: dict[str, Any] | None = None,
    restore: Callable[[Any], object] | None = None,
) -> dict[str, str]:
    """Create the upload bucket and the queues of template.yaml, and the bucket's ObjectCreated notifications.

    ``restore(s3)`` runs between the bucket and its notifications, so objects put back then are not re-analysed.
    Returns queue logical id -> queue URL.
    """
    import boto3

    template = template or tpl.load_template()
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
    resources = template["Resources"]
    queues = create_queues(sqs, template)
    s3.create_bucket(Bucket=bucket)
    if restore is not None:
        restore(s3)
    upload = next(r for r in resources.values() if r["Type"] == "AWS::S3::Bucket")["Properties"]
    configs = []
    for qc in upload.get("NotificationConfiguration", {}).get("QueueConfigurations", []):
        queue_url = queues[qc["Queue"]["Fn::GetAtt"][0]]
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        rules = qc.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        config = {"QueueArn": arn, "Events": [qc["Event"]]}
        if rules:
            config["Filter"] = {"Key": {"FilterRules": rules}}
        configs.append(config)
    if configs:
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"QueueConfigurations": configs}
        )
    return queues


def create_queues(sqs: Any, template: dict[str, Any] | None = None) -> dict[str, str]:
    """Create the queues of template.yaml with their redrive to a dead-letter queue; returns logical id -> URL."""
    template = template or tpl.load_template()
    resources = template["Resources"]
    queues = {}
    for logical_id, resource in resources.items():
        if resource["Type"] == "AWS::SQS::Queue":
            queues[logical_id] = sqs.create_queue(QueueName=f"local-{logical_id}")["QueueUrl"]
    for logical_id, resource in resources.items():
        props = resource.get("Properties", {})
        redrive = props.get("RedrivePolicy") if resource["Type"] == "AWS::SQS::Queue" else None
        if redrive:
            dlq = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            dlq_arn = sqs.get_queue_attributes(QueueUrl=queues[dlq], AttributeNames=["QueueArn"])["Attributes"]
            sqs.set_queue_attributes(
                QueueUrl=queues[logical_id],
                Attributes={
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn["QueueArn"], "maxReceiveCount": str(redrive["maxReceiveCount"])}
                    )
                },
            )
    return queues


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody"),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }


@dataclass
class Delivery:
    """What one poll of a queue did: messages received, and how many of them failed (left to be received again)."""

    received: int = 0
    failed: int = 0


def deliver_once(
    sqs: Any,
    queue_url: str,
    queue_arn: str,
    handler: Callable[[dict[str, Any], Any], Any],
    function: str,
    batch_size: int = 1,
    wait_seconds: int = QUEUE_POLL_SECONDS,
    retry_after: int | None = None,
) -> Delivery:
    """Receive a batch and invoke the queue's function as Lambda's SQS event source mapping does: delete the
    messages the function handled, leave the failed ones (whole batch, or those in batchItemFailures) to be received
    again, after the queue's visibility timeout or, with ``retry_after``, that many seconds."""
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=batch_size, WaitTimeSeconds=wait_seconds, AttributeNames=["All"]
    ).get("Messages", [])
    if not messages:
        return Delivery()
    try:
        result = handler(sqs_event(messages, queue_arn), lambda_context(function, 900)) or {}
        failed_ids = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
    except Exception as error:  # a crashed invocation leaves the whole batch for redelivery
        print(f"{function} failed: {error!r}", file=sys.stderr)
        failed_ids = {m["MessageId"] for m in messages}
    done = [m for m in messages if m["MessageId"] not in failed_ids]
    failed = [m for m in messages if m["MessageId"] in failed_ids]
    if done:
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
        )
    if failed and retry_after is not None:
        sqs.change_message_visibility_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": retry_after}
                for i, m in enumerate(failed)
            ],
        )
    return Delivery(len(messages), len(failed))


def queue_arn(sqs: Any, queue_url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return arn


def deliver_queue(
    endpoint: str,
    queue_url: str,
    handler: Callable[[dict[str, Any], Any], Any],
    function: str,
    stop: threading.Event,
    batch_size: int = 1,
) -> None:
    """Poll a queue and invoke its function, as Lambda's SQS event source mapping does, until ``stop``."""
    import boto3

    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1")
    arn = queue_arn(sqs, queue_url)
    while not stop.is_set():
        deliver_once(sqs, queue_url, arn, handler, function, batch_size)
    from momentum import db

    db.close_conn()  # this thread's connection, when the stack stops


def start_queue_delivery(stack: LocalStack, endpoint: str, queues: dict[str, str]) -> threading.Event:
    stop = threading.Event()
    for trigger in tpl.queue_triggers():
        thread = threading.Thread(
            target=deliver_queue,
            daemon=True,
            name=f"sqs-{trigger.function}",
            args=(
                endpoint,
                queues[trigger.queue],
                stack.handler(trigger.module, trigger.callable_name),
                trigger.function,
                stop,
                trigger.batch_size,
            ),
        )
        thread.start()
    return stop


def scheduled_event() -> dict[str, Any]:
    return {"source": "aws.events", "detail-type": "Scheduled Event"}


def start_schedules(
    stack: LocalStack, stop: threading.Event, speedup: float = 1.0, clock: Callable[[], datetime] | None = None
) -> list[str]:
    """Run the template's schedules as EventBridge would: a ``rate(...)`` one first after one period, a
    ``cron(...)`` one (the nightly recommendations) at its time of day in UTC; returns the functions scheduled."""
    now = clock or (lambda: datetime.now(UTC))
    started = []
    for trigger in tpl.schedule_triggers():
        period = trigger.every_seconds
        if period is None and trigger.next_run(now()) is None:
            print(f"{trigger.function}: schedule {trigger.expression} is not run locally", file=sys.stderr)
            continue

        def wait(trigger: tpl.ScheduleTrigger = trigger, period: int | None = period) -> bool:
            """Sleep until the next run; False when the stack stops first."""
            if period is not None:
                return not stop.wait(period / speedup)
            due = trigger.next_run(now())
            assert due is not None
            return not stop.wait(max(0.0, (due - now()).total_seconds()) / speedup)

        def run(trigger: tpl.ScheduleTrigger = trigger, wait: Callable[[], bool] = wait) -> None:
            handler = stack.handler(trigger.module, trigger.callable_name)
            while wait():
                try:
                    handler(scheduled_event(), lambda_context(trigger.function, trigger.timeout))
                except Exception as error:  # a failed run is logged; the next period tries again, as in AWS
                    print(f"{trigger.function} failed: {error!r}", file=sys.stderr)
            from momentum import db

            db.close_conn()  # this thread's connection, when the stack stops

        threading.Thread(target=run, daemon=True, name=f"schedule-{trigger.function}").start()
        started.append(trigger.function)
    return started


def run_purge(stack: LocalStack, trigger: tpl.ScheduleTrigger) -> dict[str, Any]:
    """Run a purge as its schedule does in AWS, once: its function with the time its Timeout gives; returns the
    function's figures."""
    handler = stack.handler(trigger.module, trigger.callable_name)
    figures: dict[str, Any] = handler(scheduled_event(), lambda_context(trigger.function, trigger.timeout))
    return figures


@dataclass
class JobRun:
    """One local run of a job: the ranges its producer queued, the deliveries of them to the queue's function
    (retries included), the deliveries that failed, and the ranges left in the dead-letter queue."""

    job: str
    ranges: int
    deliveries: int
    failures: int
    dead_lettered: int
    seconds: float


def run_job(
    stack: LocalStack,
    sqs: Any,
    queues: dict[str, str],
    name: str,
    wiring: tpl.JobWiring,
    retry_after: int = 0,
) -> JobRun:
    """Run a job as AWS does, once and to the end: its producer fills its queue, and the queue's function computes
    every message; a failed range is received again (after ``retry_after`` seconds rather than the queue's
    visibility timeout) until it succeeds or the queue's redrive moves it to the dead-letter queue."""
    started = time.perf_counter()
    producer = stack.handler(wiring.producer.module, wiring.producer.callable_name)
    answer = producer(scheduled_event(), lambda_context(wiring.producer.function)) or {}
    consumer = stack.handler(wiring.consumer.module, wiring.consumer.callable_name)
    url = queues[wiring.queue]
    arn = queue_arn(sqs, url)
    deliveries = failures = 0
    while True:
        delivery = deliver_once(
            sqs, url, arn, consumer, wiring.consumer.function, wiring.consumer.batch_size, 0, retry_after
        )
        deliveries += delivery.received
        failures += delivery.failed
        if delivery.received == 0 and _pending(sqs, url) == 0:
            break
        if delivery.received == 0:
            time.sleep(0.1)  # failed messages still invisible
    dead = _pending(sqs, queues[wiring.dead_letter_queue]) if wiring.dead_letter_queue else 0
    return JobRun(
        job=name,
        ranges=int(answer.get("batches", 0)),
        deliveries=deliveries,
        failures=failures,
        dead_lettered=dead,
        seconds=round(time.perf_counter() - started, 3),
    )


def _pending(sqs: Any, queue_url: str) -> int:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


def point_functions_at_queues(queues: dict[str, str], template: dict[str, Any] | None = None) -> None:
    """Set the environment variables that the template fills with !Ref <queue> to the local queues' URLs."""
    from momentum.config import get_settings

    template = template or tpl.load_template()
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for name, value in (resource["Properties"].get("Environment") or {}).get("Variables", {}).items():
            if isinstance(value, dict) and value.get("Ref") in queues:
                os.environ[name] = queues[value["Ref"]]
    get_settings.cache_clear()


def configure_environment(database_url: str, s3_endpoint: str, base_url: str) -> None:
    """The environment the functions read, set as the template sets it in AWS, pointed at local services."""
    os.environ.update(
        DATABASE_URL=database_url,
        MOMENTUM_AWS_ENDPOINT_URL=s3_endpoint,
        EMAIL_MODE="console",
        STAGE="local",
        APP_BASE_URL=base_url,
        UPLOAD_BUCKET=os.environ.get("UPLOAD_BUCKET", "momentum-uploads-local"),
    )
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.setdefault(var, "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    from momentum.config import get_settings

    get_settings.cache_clear()  # in case anything read the settings before the environment was complete
