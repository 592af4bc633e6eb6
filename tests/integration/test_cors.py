"""Browser clients on other origins: preflights answered as template.yaml's API does, and answers readable only by
the pages of ALLOWED_ORIGINS. (A real browser exercises the same in tests/e2e/test_browser_cors.py.)"""

import json

import pytest
from momentum.config import get_settings
from momentum_infra.localstack import LocalStack

ALLOWED = "https://app.momentum.test"
OTHER = "https://evil.example"


@pytest.fixture()
def stack(database_url, monkeypatch):
    monkeypatch.setenv("ALLOWED_ORIGINS", f"{ALLOWED}, http://localhost:5173/")
    get_settings.cache_clear()
    yield LocalStack()
    monkeypatch.undo()
    get_settings.cache_clear()


def call(stack, method, path, origin, headers=None, body=b""):
    all_headers = {"Origin": origin, "Content-Type": "application/json"} | (headers or {})
    return stack.invoke_http(method, path, all_headers, body)


def test_an_allowed_origin_reads_answers_and_their_headers(stack, make_user):
    user = make_user()
    status, headers, _ = call(stack, "GET", "/me/wallet", ALLOWED, {"Authorization": f"Bearer {user.token}"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == ALLOWED
    assert headers["Vary"] == "Origin"
    assert {"Retry-After", "Idempotency-Key"} <= set(headers["Access-Control-Expose-Headers"].split(", "))
    assert "Access-Control-Allow-Credentials" not in headers  # bearer tokens, never cookies


def test_errors_carry_the_same_headers(stack):
    status, headers, _ = call(stack, "GET", "/me/wallet", "http://localhost:5173")  # listed with a trailing slash
    assert status == 401
    assert headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


def test_another_origin_gets_no_access(stack, make_user):
    user = make_user()
    status, headers, _ = call(stack, "GET", "/me/wallet", OTHER, {"Authorization": f"Bearer {user.token}"})
    assert status == 200  # the server answers; the browser withholds the answer from the page
    assert "Access-Control-Allow-Origin" not in headers
    assert headers["Vary"] == "Origin"


def test_preflights_are_answered_as_the_template_says(stack):
    request = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
    status, headers, body = call(
        stack, "OPTIONS", "/market/items/00000000-0000-0000-0000-000000000000/purchase", ALLOWED, request
    )
    assert (status, body) == (200, b"")
    assert "POST" in headers["Access-Control-Allow-Methods"].split(",")
    assert {"Authorization", "Content-Type", "Idempotency-Key"} <= set(
        headers["Access-Control-Allow-Headers"].split(",")
    )
    assert headers["Access-Control-Max-Age"] == "600"


def test_a_preflight_for_an_unknown_path_is_the_json_404(stack):
    status, headers, body = call(stack, "OPTIONS", "/no/such/path", ALLOWED)
    assert status == 404 and json.loads(body)["error"]["code"] == "not_found"
    assert headers["Access-Control-Allow-Origin"] == "*"  # the gateway response's headers


def test_a_rate_limited_answer_shows_retry_after_to_the_page(stack, monkeypatch):
    monkeypatch.setenv("VERIFY_FAILURES_MAX", "1")
    get_settings.cache_clear()
    body = json.dumps({"email": "cors-limit@example.com", "token": "wrong"}).encode()
    call(stack, "POST", "/auth/verify", ALLOWED, body=body)
    status, headers, _ = call(stack, "POST", "/auth/verify", ALLOWED, body=body)
    assert status == 429
    assert int(headers["Retry-After"]) > 0
    assert headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Retry-After" in headers["Access-Control-Expose-Headers"]
