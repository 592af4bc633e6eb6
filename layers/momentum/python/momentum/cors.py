"""Cross-origin rules for browser clients: which origins may read the API's answers, and which headers they see.

API Gateway answers preflight ``OPTIONS`` requests itself (the ``Cors`` section of the Api in template.yaml, which
the local stack reads and applies the same way); a preflight only lets a browser send the request. Whether the page
may read the answer is decided here, on every response, against ``ALLOWED_ORIGINS``: a page on an origin not in
the list gets no ``Access-Control-Allow-Origin``, so the browser refuses it the answer. The API authenticates with
bearer tokens, never cookies, so no credentials are allowed cross-origin and none ride along with a request.
"""

from __future__ import annotations

from momentum.config import get_settings

# Headers a client reads from answers: when to retry after a 429, and the key of an idempotent request.
EXPOSED_HEADERS = ("Retry-After", "Idempotency-Key")


def allowed(origin: str | None) -> bool:
    return origin is not None and origin in get_settings().allowed_origin_list


def response_headers(origin: str | None) -> dict[str, str]:
    """The CORS headers of an answer to a request from ``origin`` (none for an origin not in the list)."""
    vary = {"Vary": "Origin"}
    if not allowed(origin):
        return vary
    assert origin is not None
    return vary | {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": ", ".join(EXPOSED_HEADERS)}
