"""Shared by the focus, habits, quests and planning tests: one user's view of those functions' handlers."""

from __future__ import annotations

import json
from typing import Any

# Path prefix -> the function folder serving it (the longest matching prefix wins).
FUNCTIONS = {
    "/focus": "focus",
    "/habits": "habits",
    "/goals": "habits",
    "/quests": "quests",
    "/personal-quests": "quests",
    "/admin/quests": "quests",
    "/admin/users": "admin",
    "/calendar": "planning",
    "/plans": "planning",
    "/plan-templates": "planning",
    "/me/": "me",
    "/me": "auth",
    "/fitness/sessions/": "log_set",
    "/fitness": "fitness",
    "/market": "market",
}


class Caller:
    """One user talking to the real Chalice handlers, as API Gateway would call them."""

    def __init__(self, api: Any, user: Any):
        self.user = user
        self.id = user.id
        self._api = api
        self._clients: dict[str, Any] = {}

    def _client(self, path: str) -> Any:
        prefix = max((p for p in FUNCTIONS if path.startswith(p)), key=len)
        function = FUNCTIONS[prefix]
        if function == "log_set" and "/sets" not in path:
            function = "fitness"
        if path.startswith("/market/items/") and path.endswith("/purchase"):
            function = "purchase"
        if function not in self._clients:
            self._clients[function] = self._api(function)
        return self._clients[function]

    def request(self, method: str, path: str, body: Any = None, expect: int | None = None, headers=None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        response = self._client(path).request(method, path, headers=self.user.headers | (headers or {}), body=raw)
        content_type = response.headers.get("Content-Type", "")
        data = json.loads(response.body) if response.body and "json" in content_type else response.body
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, data)
        return response.status_code, data

    def get(self, path: str, expect: int = 200) -> Any:
        return self.request("GET", path, expect=expect)[1]

    def post(self, path: str, body: Any = None, expect: int = 201, headers=None) -> Any:
        return self.request("POST", path, {} if body is None else body, expect=expect, headers=headers)[1]

    def put(self, path: str, body: Any, expect: int = 200) -> Any:
        return self.request("PUT", path, body, expect=expect)[1]

    def patch(self, path: str, body: Any, expect: int = 200) -> Any:
        return self.request("PATCH", path, body, expect=expect)[1]

    def delete(self, path: str, expect: int = 204) -> Any:
        return self.request("DELETE", path, expect=expect)[1]

    def wallet(self) -> dict:
        return self.get("/me/wallet")


def ledger_matches_wallet(conn: Any, user_id: Any) -> bool:
    """The invariant every award keeps: the wallet holds the ledger's sums."""
    row = conn.execute(
        """SELECT (SELECT coalesce(sum(coins), 0) FROM points_ledger WHERE user_id = %(u)s),
                  (SELECT coalesce(sum(xp), 0) FROM points_ledger WHERE user_id = %(u)s),
                  (SELECT coins FROM user_wallet WHERE user_id = %(u)s),
                  (SELECT total_xp FROM user_progress WHERE user_id = %(u)s)""",
        {"u": user_id},
    ).fetchone()
    return (row[0], row[1]) == (row[2] or 0, row[3] or 0)
