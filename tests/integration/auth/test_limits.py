"""Abuse limits: sign-in links per client address and overall, and the lockout after failed verifications. Each
answers 429 with a Retry-After header, and the numbers come from the settings."""

import json
import random
import uuid

import pytest
from momentum_infra.localstack import LocalStack

from tests.helpers import run_concurrently

JSON = {"Content-Type": "application/json"}


@pytest.fixture()
def stack(database_url):
    return LocalStack()


def post(stack, path, body, ip="127.0.0.1"):
    status, headers, data = stack.invoke_http("POST", path, dict(JSON), json.dumps(body).encode(), source_ip=ip)
    return status, headers, json.loads(data)


def ask_link(stack, address, ip):
    return post(stack, "/auth/magic-link", {"email": address}, ip)


def random_ip():
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def assert_limited(status, headers, body):
    assert status == 429, body
    assert body["error"]["code"] == "rate_limited"
    assert int(headers["Retry-After"]) > 0
    assert body["error"]["details"]["retry_after_seconds"] == int(headers["Retry-After"])


def test_one_client_address_cannot_ask_links_for_many_emails(stack, settings, conn):
    settings(MAGIC_LINK_PER_IP_MAX=3, MAGIC_LINK_PER_IP_WINDOW_SECONDS=600)
    ip, other_ip = random_ip(), random_ip()
    answers = [ask_link(stack, f"spray-{uuid.uuid4().hex[:8]}@example.com", ip) for _ in range(4)]
    assert [status for status, _, _ in answers[:3]] == [202, 202, 202]
    assert_limited(*answers[3])
    assert 0 < int(answers[3][1]["Retry-After"]) <= 600
    # The refused request sent nothing and counted nothing; another address is not affected.
    assert conn.execute(
        "SELECT count(*) FROM rate_limit_events WHERE scope = 'magic_link_ip' AND subject = %s", (ip,)
    ).fetchone() == (3,)
    assert ask_link(stack, f"spray-{uuid.uuid4().hex[:8]}@example.com", other_ip)[0] == 202


def test_the_window_slides(stack, settings, conn):
    settings(MAGIC_LINK_PER_IP_MAX=2, MAGIC_LINK_PER_IP_WINDOW_SECONDS=600)
    ip = random_ip()
    for _ in range(2):
        assert ask_link(stack, f"w-{uuid.uuid4().hex[:8]}@example.com", ip)[0] == 202
    assert ask_link(stack, f"w-{uuid.uuid4().hex[:8]}@example.com", ip)[0] == 429
    conn.execute(
        "UPDATE rate_limit_events SET created_at = now() - interval '601 seconds' WHERE scope = 'magic_link_ip' "
        "AND subject = %s",
        (ip,),
    )
    assert ask_link(stack, f"w-{uuid.uuid4().hex[:8]}@example.com", ip)[0] == 202


def test_all_clients_together_have_a_ceiling(stack, settings, conn):
    (used,) = conn.execute(
        "SELECT count(*) FROM rate_limit_events WHERE scope = 'magic_link' AND created_at > now() - interval '1 hour'"
    ).fetchone()
    settings(MAGIC_LINK_GLOBAL_MAX=used + 2, MAGIC_LINK_GLOBAL_WINDOW_SECONDS=3600)
    answers = [ask_link(stack, f"g-{uuid.uuid4().hex[:8]}@example.com", random_ip()) for _ in range(3)]
    assert [status for status, _, _ in answers[:2]] == [202, 202]
    assert_limited(*answers[2])


def test_concurrent_requests_cannot_overshoot_a_limit(stack, settings):
    settings(MAGIC_LINK_PER_IP_MAX=5)
    ip = random_ip()
    answers = run_concurrently(lambda i: ask_link(stack, f"c{i}-{uuid.uuid4().hex[:6]}@example.com", ip), 16)
    assert sorted(status for status, _, _ in answers) == [202] * 5 + [429] * 11


def test_failed_verifications_lock_the_address_for_a_while(stack, settings, ses, conn):  # noqa: F811
    settings(VERIFY_FAILURES_MAX=3, VERIFY_LOCKOUT_SECONDS=900)
    address = f"guess-{uuid.uuid4().hex[:8]}@example.com"
    assert ask_link(stack, address, random_ip())[0] == 202
    token = ses(address)
    wrong = [post(stack, "/auth/verify", {"email": address, "token": f"guess-{i}"}) for i in range(3)]
    assert [status for status, _, _ in wrong] == [401, 401, 401]
    # Locked: even the right token is refused now, and it stays unused.
    assert_limited(*post(stack, "/auth/verify", {"email": address, "token": token}))
    assert conn.execute("SELECT count(*) FROM verification_tokens WHERE identifier = %s", (address,)).fetchone() == (1,)
    # Other addresses are not locked.
    assert post(stack, "/auth/verify", {"email": "x" + address, "token": "nope"})[0] == 401
    conn.execute(
        "UPDATE rate_limit_events SET created_at = now() - interval '901 seconds' WHERE scope = 'verify_failure' "
        "AND subject = %s",
        (address,),
    )
    assert post(stack, "/auth/verify", {"email": address, "token": token})[0] == 201


def test_a_sign_in_clears_the_failures(stack, settings, ses, conn):  # noqa: F811
    settings(VERIFY_FAILURES_MAX=3)
    address = f"typo-{uuid.uuid4().hex[:8]}@example.com"
    ask_link(stack, address, random_ip())
    assert post(stack, "/auth/verify", {"email": address, "token": "typo"})[0] == 401
    assert post(stack, "/auth/verify", {"email": address, "token": ses(address)})[0] == 201
    assert conn.execute(
        "SELECT count(*) FROM rate_limit_events WHERE scope = 'verify_failure' AND subject = %s", (address,)
    ).fetchone() == (0,)


def test_concurrent_guesses_get_exactly_the_allowed_failures(stack, settings):
    settings(VERIFY_FAILURES_MAX=4)
    address = f"burst-{uuid.uuid4().hex[:8]}@example.com"
    answers = run_concurrently(lambda i: post(stack, "/auth/verify", {"email": address, "token": f"t{i}"}), 12)
    assert sorted(status for status, _, _ in answers) == [401] * 4 + [429] * 8
