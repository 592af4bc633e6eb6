"""A newcomer's first minutes, over HTTP through `momentum dev`: sign in by magic link, look at the wallet."""

import re
import uuid

import pytest

pytestmark = pytest.mark.e2e


def test_magic_link_to_wallet(dev_server):
    address = f"newcomer-{uuid.uuid4().hex[:8]}@example.com"
    status, _ = dev_server.call("POST", "/auth/magic-link", {"email": address})
    assert status == 202
    link = dev_server.wait_for_line(f"email={address.replace('@', '%40')}")
    token = re.search(r"token=([\w-]+)", link).group(1)

    status, session = dev_server.call("POST", "/auth/verify", {"email": address, "token": token})
    assert status == 201
    status, me = dev_server.call("GET", "/me", token=session["token"])
    assert (status, me["email"]) == (200, address)
    status, wallet = dev_server.call("GET", "/me/wallet", token=session["token"])
    assert (status, wallet["coins"]) == (200, 0)


def test_cli_token_and_admin_grant_over_http(dev_server):
    token = dev_server.create_user(f"cli-{uuid.uuid4().hex[:8]}@example.com")
    admin = dev_server.create_user(f"boss-{uuid.uuid4().hex[:8]}@example.com", admin=True)
    _, me = dev_server.call("GET", "/me", token=token)
    for _ in range(2):
        status, _ = dev_server.call(
            "POST",
            f"/admin/users/{me['id']}/grants",
            {"coins": 500, "reason": "welcome"},
            token=admin,
            headers={"Idempotency-Key": "welcome"},
        )
        assert status == 201
    assert dev_server.call("GET", "/me/wallet", token=token)[1]["coins"] == 500


def test_unknown_routes_and_methods_get_json_errors(dev_server):
    assert dev_server.call("GET", "/no/such/route")[0] == 404
    status, body = dev_server.call("DELETE", "/me/wallet")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"


def test_openapi_document_lists_every_route(dev_server):
    from momentum_infra import template as tpl

    status, document = dev_server.call("GET", "/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.1")
    served = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    assert served == {(r.method, r.path) for r in tpl.api_routes()}
