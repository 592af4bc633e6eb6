"""A newcomer's first minutes, over HTTP through `momentum dev`: sign in by magic link, look at the wallet."""

import json
import re
import urllib.error
import urllib.request
import uuid

import pytest

pytestmark = pytest.mark.e2e


def call(server, method, path, body=None, token=None, headers=None):
    request = urllib.request.Request(server.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = response.read()
            return response.status, json.loads(data) if data else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_magic_link_to_wallet(dev_server):
    address = f"newcomer-{uuid.uuid4().hex[:8]}@example.com"
    status, _ = call(dev_server, "POST", "/auth/magic-link", {"email": address})
    assert status == 202
    link = dev_server.wait_for_line(f"email={address.replace('@', '%40')}")
    token = re.search(r"token=([\w-]+)", link).group(1)

    status, session = call(dev_server, "POST", "/auth/verify", {"email": address, "token": token})
    assert status == 201
    status, me = call(dev_server, "GET", "/me", token=session["token"])
    assert (status, me["email"]) == (200, address)
    status, wallet = call(dev_server, "GET", "/me/wallet", token=session["token"])
    assert (status, wallet["coins"]) == (200, 0)


def test_cli_token_and_admin_grant_over_http(dev_server):
    token = dev_server.create_user(f"cli-{uuid.uuid4().hex[:8]}@example.com")
    admin = dev_server.create_user(f"boss-{uuid.uuid4().hex[:8]}@example.com", admin=True)
    _, me = call(dev_server, "GET", "/me", token=token)
    for _ in range(2):
        status, _ = call(dev_server, "POST", f"/admin/users/{me['id']}/grants", {"coins": 500, "reason": "welcome"},
                         token=admin, headers={"Idempotency-Key": "welcome"})
        assert status == 201
    assert call(dev_server, "GET", "/me/wallet", token=token)[1]["coins"] == 500


def test_unknown_routes_and_methods_get_json_errors(dev_server):
    assert call(dev_server, "GET", "/no/such/route")[0] == 404
    status, body = call(dev_server, "DELETE", "/me/wallet")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"


def test_openapi_document_lists_every_route(dev_server):
    from momentum_infra import template as tpl

    status, document = call(dev_server, "GET", "/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.1")
    served = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert served == {(r.method, r.path) for r in tpl.api_routes()}
