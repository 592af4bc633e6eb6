"""The one place that maps failures to HTTP: a lost database is a 503 to retry, a bug a bare 500."""

import psycopg
from momentum import gamification


def test_a_lost_database_connection_is_a_503_to_retry(api, make_user, monkeypatch):
    user = make_user()

    def lost(*_):
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(gamification, "get_wallet", lost)
    response = api("me").get("/me/wallet", headers=user.headers)
    assert response.status_code == 503
    assert response.json_body["error"]["code"] == "unavailable"


def test_a_bug_is_a_500_that_reveals_nothing(api, make_user, monkeypatch):
    user = make_user()

    def bug(*_):
        raise KeyError("secret internal detail")

    monkeypatch.setattr(gamification, "get_wallet", bug)
    response = api("me").get("/me/wallet", headers=user.headers)
    assert response.status_code == 500
    assert response.json_body == {"error": {"code": "internal", "message": "Internal error", "details": {}}}
