"""The glue every Chalice app shares: authentication, body and query parsing into models, error mapping,
response shaping and request logs. Views stay a few lines: take the context, call one domain function.

A route may declare a read (``read=``): one statement, keyed by the route's path ids, that is sent with the token
check in the same round trip (psycopg's pipeline mode) and handed to the view as ``ctx.read``. A write that must
read its row before Python grades it then costs two round trips in all, the token check and read, then the write
statement. The read names the caller through ``momentum.auth.CALLER`` (the user of the token's session, in SQL) and
filters its rows by it, so it returns the caller's rows only: the rule sits in the statement, where no view can
forget an owner check, and it also serves rows without an owner (a lesson, joined with the caller's kept
Idempotency-Key response). The token check still decides 401/403 before the view sees the row or the read's error.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, Literal, cast
from uuid import UUID

import psycopg
from chalice.app import Chalice, Response
from pydantic import BaseModel, ValidationError
from typing_extensions import TypeVar

from momentum import cors, db, metrics
from momentum.audit import ClientInfo
from momentum.config import get_settings
from momentum.db import Query as Sql
from momentum.dberrors import domain_error
from momentum.errors import (
    ERROR_CODES,
    BadRequest,
    DomainError,
    Forbidden,
    Internal,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
)
from momentum.log import log
from momentum.models import NulInText, PageQuery, clean_input, list_adapter
from momentum.pagination import Page, PageRequest, decode_cursor

if TYPE_CHECKING:
    from momentum.auth import CurrentUser

Auth = Literal["public", "user", "admin"]
# A view: (ctx, **path ids) -> a model, a list of models, a chalice Response, or None (204).
View = TypeVar("View", bound=Callable[..., Any])
Body = TypeVar("Body", default=None)
Query = TypeVar("Query", default=None)
_BEARER = re.compile(r"^Bearer\s+(\S+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Operation:
    """One route as the OpenAPI document and the template check see it."""

    path: str
    method: str
    name: str
    summary: str
    auth: Auth
    status: int
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    idempotent: bool
    errors: tuple[str, ...] = ()
    view: Callable[..., Any] | None = field(default=None, compare=False, repr=False)
    raw_body: str | None = None  # a content type (e.g. "text/csv") whose body the view gets as text, unparsed
    # A statement sent with the token check in one round trip, its row handed to the view as ctx.read (see above).
    read: Sql | None = field(default=None, compare=False, repr=False)

    def error_codes(self) -> dict[int, list[str]]:
        """The error codes this operation can answer with, by status: the glue's, from the route's shape, and the
        domain's, as the route declares them."""
        # Every route checks its headers and body size before anything else (see MomentumApp._handler).
        codes = ["internal", "unavailable", "invalid_input", "payload_too_large", *self.errors]
        if self.auth != "public":
            codes += ["unauthorized", "invalid_token"]
        if self.auth == "admin":
            codes.append("forbidden")
        if "{" in self.path:
            codes.append("not_found")
        if self.body is not None:
            codes += ["malformed_json", "payload_too_large", "unsupported_media_type", "invalid_input"]
        if self.raw_body is not None:
            codes += ["malformed_body", "payload_too_large", "unsupported_media_type"]
        if self.query is not None or self.idempotent:
            codes.append("invalid_input")
        by_status: dict[int, list[str]] = {}
        for code in dict.fromkeys(codes):
            by_status.setdefault(ERROR_CODES[code], []).append(code)
        return dict(sorted(by_status.items()))


class Context(Generic[Body, Query]):
    """What a view gets: the caller, the validated body and query, and the connection of this environment.

    ``Context[ItemIn, ItemQuery]`` types ``ctx.body`` and ``ctx.query`` as the route's ``body=`` and ``query=``
    models (both default to None), so a view that hands the wrong model to the layer fails the type check; a
    test holds each view's annotation equal to its route's models.
    """

    def __init__(self, request: Any, operation: Operation) -> None:
        self.request = request
        self.operation = operation
        self._body: object = None
        self._query: object = None
        self._user: CurrentUser | None = None
        self._read: dict[str, Any] | None = None

    @property
    def body(self) -> Body:
        return cast(Body, self._body)

    @property
    def query(self) -> Query:
        return cast(Query, self._query)

    @property
    def user(self) -> CurrentUser:
        """The authenticated caller (routes with auth="user" or "admin")."""
        if self._user is None:
            raise Unauthorized("Missing bearer token")
        return self._user

    @property
    def read(self) -> dict[str, Any] | None:
        """The row of the route's ``read=`` statement, read with the token check; None when it found none."""
        if self.operation.read is None:
            raise TypeError(f"{self.operation.path} declares no read for ctx.read")
        return self._read

    @cached_property
    def conn(self) -> psycopg.Connection[tuple[Any, ...]]:
        return db.get_conn()

    @property
    def page(self) -> PageRequest:
        """The keyset page a list route asks for (its query model derives PageQuery)."""
        q = self._query
        if not isinstance(q, PageQuery):
            raise TypeError(f"{self.operation.path} has no PageQuery for ctx.page")
        return PageRequest(limit=q.limit, after=decode_cursor(q.cursor) if q.cursor else None)

    @property
    def idempotency_key(self) -> str | None:
        key: str | None = self.request.headers.get("idempotency-key")
        if key is not None and not (1 <= len(key) <= 200):
            raise InvalidInput("Idempotency-Key must be 1 to 200 characters", details={"header": "Idempotency-Key"})
        return key

    @property
    def request_id(self) -> str | None:
        found = (self.request.context or {}).get("requestId")
        return str(found) if found is not None else None

    @property
    def client(self) -> ClientInfo:
        identity = (self.request.context or {}).get("identity") or {}
        return ClientInfo(
            ip_address=identity.get("sourceIp"),
            user_agent=self.request.headers.get("user-agent"),
            request_id=self.request_id,
        )


def error_response(error: DomainError) -> Response:
    headers: dict[str, str | list[str]] = {"Content-Type": "application/json"}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    return Response(body=error.to_body(), status_code=error.status, headers=headers)


class MomentumApp(Chalice):
    """A Chalice app whose routes map domain errors to the JSON error shape, check auth and validate input."""

    def __init__(self, app_name: str) -> None:
        self._local = threading.local()
        super().__init__(app_name=app_name)
        self.operations: list[Operation] = []

    # Chalice keeps the current request on the app object. Lambda runs one request per instance at a time, but the
    # local stack and the tests run many at once in threads, so each thread keeps its own.
    @property
    def current_request(self) -> Any:
        return getattr(self._local, "request", None)

    @current_request.setter
    def current_request(self, value: Any) -> None:
        self._local.request = value

    @property
    def lambda_context(self) -> Any:
        return getattr(self._local, "context", None)

    @lambda_context.setter
    def lambda_context(self, value: Any) -> None:
        self._local.context = value

    def route(  # type: ignore[override]
        self,
        path: str,
        methods: list[str] | tuple[str, ...] = ("GET",),
        *,
        auth: Auth = "user",
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        summary: str = "",
        idempotent: bool = False,
        errors: tuple[str, ...] = (),
        raw_body: str | None = None,
        read: Sql | None = None,
    ) -> Callable[[View], View]:
        if read is not None and auth == "public":
            raise ValueError(f"{path}: a read is sent with the token check, so its route needs a signed-in caller")

        def register(view: View) -> View:
            for method in methods:
                op = Operation(
                    path,
                    method,
                    view.__name__,
                    summary or (view.__doc__ or "").strip(),
                    auth,
                    status,
                    body,
                    query,
                    response,
                    idempotent,
                    tuple(errors),
                    view,
                    raw_body,
                    read,
                )
                self.operations.append(op)
                Chalice.route(
                    self, path, methods=[method], name=f"{view.__name__}_{method.lower()}", content_types=["*/*"]
                )(self._handler(view, op))
            return view

        return register

    def _handler(self, view: Callable[..., Any], op: Operation) -> Callable[..., Response]:
        def handle(**params: str) -> Response:
            started = time.perf_counter()
            request = self.current_request
            ctx: Context[Any, Any] = Context(request, op)
            try:
                _check_edge(request, op, params)
                if op.auth != "public":
                    ctx._user = _authenticate(ctx, params, admin=op.auth == "admin")
                ids = _parse_path_ids(params)
                if op.query is not None:
                    ctx._query = _parse_query(request, op.query)
                if op.body is not None:
                    ctx._body = _parse_body(request, op.body)
                elif op.raw_body is not None:
                    ctx._body = _read_raw_body(request, op.raw_body)
                response = _to_response(view(ctx, **ids), op.status)
            except DomainError as error:
                response = error_response(error)
            except psycopg.Error as error:
                response = error_response(_database_error(error, op))
            except Exception:
                log("unhandled error", logging.ERROR, exc_info=True, route=op.path, method=op.method)
                response = error_response(Internal("Internal error"))
            response.headers.update(cors.response_headers(request.headers.get("origin")))
            latency_ms = round((time.perf_counter() - started) * 1000, 1)
            log(
                "request",
                request_id=ctx.request_id,
                route=op.path,
                method=op.method,
                user_id=getattr(ctx._user, "id", None),
                status=response.status_code,
                latency_ms=latency_ms,
                trace_id=metrics.trace_id(),
            )
            metrics.record_request(
                function=self.app_name,
                route=op.path,
                method=op.method,
                status=response.status_code,
                error_code=metrics.error_code_of(response.body),
                latency_ms=latency_ms,
                request_id=ctx.request_id,
            )
            if not _startup_heap_frozen:
                _freeze_startup_heap()
            return response

        handle.__name__ = view.__name__
        return handle


_startup_heap_frozen = False


def _freeze_startup_heap() -> None:
    """Once per process, after its first request: collect, then move every object alive (the modules, settings,
    the connection, warm caches) into the collector's permanent generation (gc.freeze). Left in, they are walked by
    every full collection, which then costs one warm request in a few hundred 30 ms of CPU or more
    (bench/bench_scale.py's "cpu p99" column showed it); frozen, a full collection only walks what came after."""
    global _startup_heap_frozen
    _startup_heap_frozen = True
    gc.collect()
    gc.freeze()


def _check_edge(request: Any, op: Operation, params: dict[str, str]) -> None:
    """What every route refuses before it authenticates or parses: a body over the size limit (by its declared
    length, before the body is touched), a body on a route that takes none, and NUL characters in headers or path
    parameters (PostgreSQL stores no NUL in text; the models refuse it in bodies and queries).

    Raises: PayloadTooLarge, InvalidInput.
    """
    limit = get_settings().max_body_bytes
    declared = request.headers.get("content-length", "")
    if (declared.isdigit() and int(declared) > limit) or len(request.raw_body or b"") > limit:
        raise PayloadTooLarge("Request body too large", details={"max_bytes": limit})
    headers = [("-".join(p.capitalize() for p in name.split("-")), value) for name, value in request.headers.items()]
    for name, value in [*headers, *params.items()]:
        if "\x00" in value:
            raise InvalidInput("Text cannot contain the NUL character (\\u0000)", details={"field": name})
    if op.body is None and op.raw_body is None and (request.raw_body or b"").strip() not in (b"", b"{}"):
        raise InvalidInput("This route takes no body", details={"field": "body"})


def _database_error(error: psycopg.Error, op: Operation) -> DomainError:
    """What a database error means for the client: a domain error from the one table, else 503 or 500."""
    if (mapped := domain_error(error)) is not None:
        return mapped
    if isinstance(error, psycopg.DataError):
        # A value the column cannot hold (out of range, NUL in text) that got past the models: the client's input,
        # and the transaction rolled back. Logged, since the models should have refused it first.
        log("data error reached the database", logging.WARNING, route=op.path, sqlstate=error.sqlstate)
        return InvalidInput("A value is out of the range its field can store")
    if isinstance(error, psycopg.OperationalError):
        # A dropped or timed-out connection: the next request reopens it; the client may retry.
        log("database unavailable", logging.ERROR, exc_info=True, route=op.path)
        return Unavailable("Database unavailable, retry shortly")
    log("unhandled database error", logging.ERROR, exc_info=True, route=op.path, method=op.method)
    return Internal("Internal error")


def _parse_path_ids(params: dict[str, str]) -> dict[str, UUID | str]:
    """Path ids as UUIDs; a malformed one names no resource, so it is a 404 like any other unknown id."""
    parsed: dict[str, UUID | str] = dict(params)
    for name, value in params.items():
        if name == "id" or name.endswith("_id"):
            try:
                parsed[name] = UUID(value)
            except ValueError:
                raise NotFound(name.removesuffix("_id") or "resource") from None
    return parsed


def _authenticate(ctx: Context[Any, Any], params: dict[str, str], *, admin: bool) -> CurrentUser:
    """The caller; with the route's read sent in the same round trip when it declares one (``ctx.read``), kept only
    once the caller may use the route.

    Raises: Unauthorized, Forbidden.
    """
    from momentum.auth import authenticate, authenticate_and_read

    match = _BEARER.match(ctx.request.headers.get("authorization", ""))
    if not match:
        raise Unauthorized("Missing bearer token")
    read = ctx.operation.read
    read_params = _read_params(ctx.request, params) if read is not None else None
    if read is None or read_params is None:
        user, row = authenticate(ctx.conn, match.group(1)), None
    else:
        user, row = authenticate_and_read(ctx.conn, match.group(1), read, read_params)
    if admin and not user.is_admin:
        raise Forbidden("Admin role required")
    ctx._read = row
    return user


def _read_params(request: Any, params: dict[str, str]) -> dict[str, Any] | None:
    """A read's parameters: the path ids and the Idempotency-Key header (the view validates it). None when an id is
    malformed: there is nothing to read, and the route answers 404 right after the token check."""
    try:
        ids = _parse_path_ids(params)
    except NotFound:
        return None
    return ids | {"idempotency_key": request.headers.get("idempotency-key")}


def _validation_error(error: ValidationError) -> InvalidInput:
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"], "type": e["type"]}
        for e in error.errors(include_url=False, include_input=False)
    ]
    return InvalidInput("Invalid input", details={"errors": errors})


def _checked_body(request: Any, expected: str, default: bytes) -> bytes:
    """The raw body, within the size limit and of the expected content type."""
    raw: bytes = request.raw_body or default
    if len(raw) > get_settings().max_body_bytes:
        raise PayloadTooLarge("Request body too large", details={"max_bytes": get_settings().max_body_bytes})
    content_type = request.headers.get("content-type", expected).split(";")[0].strip().lower()
    if content_type != expected:
        raise UnsupportedMediaType(f"Send the body as {expected}", details={"content_type": content_type})
    return raw


def _read_raw_body(request: Any, content_type: str) -> str:
    """A text body (CSV, …) for a view that parses it itself: UTF-8, a byte-order mark dropped."""
    raw = _checked_body(request, content_type, b"")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("The body is not UTF-8 text", code="malformed_body") from None
    if "\x00" in text:
        raise InvalidInput("Text cannot contain the NUL character (\\u0000)", details={"field": "body"})
    return text


def _nul_error(error: NulInText) -> InvalidInput:
    problem = {"field": error.field, "message": str(error), "type": "nul_character"}
    return InvalidInput("Invalid input", details={"errors": [problem]})


def _parse_body(request: Any, model: type[BaseModel]) -> BaseModel:
    raw = _checked_body(request, "application/json", b"{}")
    try:
        # Parsed once here to clean it (clean_input), then validated from JSON as the models expect.
        raw = json.dumps(clean_input(json.loads(raw))).encode()
    except NulInText as error:
        raise _nul_error(error) from None
    except RecursionError:
        raise BadRequest("Malformed JSON body: nested too deeply", code="malformed_json") from None
    except ValueError:
        pass  # malformed JSON: pydantic names the problem below
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise BadRequest("Malformed JSON body", code="malformed_json") from None
        if any(e["type"] == "model_type" and not e["loc"] for e in error.errors()):
            raise InvalidInput("The body must be a JSON object") from None
        raise _validation_error(error) from None


def _parse_query(request: Any, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(clean_input(dict(request.query_params or {})))
    except NulInText as error:
        raise _nul_error(error) from None
    except ValidationError as error:
        raise _validation_error(error) from None


def _to_response(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(body="", status_code=204)
    body: Any
    # Models go to JSON text in pydantic's own serializer, which is several times faster than dumping them to dicts
    # and handing those to json.dumps (a long list's response cost is mostly this).
    if isinstance(result, BaseModel):
        body = result.model_dump_json()
    elif isinstance(result, list) and result and isinstance(result[0], BaseModel):
        model = type(result[0])
        if all(type(r) is model for r in result):
            body = list_adapter(model).dump_json(result).decode()
        else:
            body = [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in result]
    else:
        body = result
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


__all__ = ["Context", "MomentumApp", "Operation", "Page", "PageQuery", "error_response"]
