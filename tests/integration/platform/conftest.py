"""Fixtures of the platform tests: a caller that talks to the platform and admin handlers as one user."""

from __future__ import annotations

import json

import pytest


class Caller:
    """One user's view of the API, through the real Chalice handlers as API Gateway would call them."""

    def __init__(self, api, user):
        self.user = user
        self.id = user.id
        self._platform = api("platform")
        self._admin = api("admin")
        self._market = api("market")
        self._me = api("me")

    def _client(self, path: str):
        if path.startswith("/admin/"):
            return self._admin
        if path.startswith("/market/"):
            return self._market
        if path.split("?")[0] in ("/me/wallet", "/me/progress", "/me/streaks", "/me/ledger"):
            return self._me
        return self._platform

    def request(self, method: str, path: str, body=None, expect: int | None = None, headers=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        response = self._client(path).request(method, path, headers=self.user.headers | (headers or {}), body=raw)
        data = json.loads(response.body) if response.body else None
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, data)
        return response.status_code, data

    def get(self, path, expect=200):
        return self.request("GET", path, expect=expect)[1]

    def post(self, path, body=None, expect=201):
        return self.request("POST", path, {} if body is None else body, expect=expect)[1]

    def put(self, path, body, expect=200):
        return self.request("PUT", path, body, expect=expect)[1]

    def patch(self, path, body, expect=200):
        return self.request("PATCH", path, body, expect=expect)[1]

    def delete(self, path, expect=204):
        return self.request("DELETE", path, expect=expect)[1]


@pytest.fixture()
def caller(api, make_user):
    """Factory: caller() is a new user, caller(admin=True) a new admin."""

    def make(admin: bool = False) -> Caller:
        return Caller(api, make_user(admin=admin))

    return make
