"""GET /health and GET /version answer without a token; health checks the database and the schema revision."""

import psycopg
from alembic.script import ScriptDirectory
from momentum.platform import health
from momentum_infra import migrate


def test_the_expected_revision_is_the_alembic_head(database_url):
    script = ScriptDirectory.from_config(migrate.alembic_config(database_url))
    assert script.get_heads() == [health.SCHEMA_HEAD]


def test_health_is_ok_without_a_token(api):
    response = api("platform").get("/health")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"  # as the OpenAPI document says
    assert response.json_body == {
        "status": "ok",
        "database": True,
        "schema_revision": health.SCHEMA_HEAD,
        "expected_revision": health.SCHEMA_HEAD,
        "migrations_at_head": True,
    }


def test_a_database_behind_the_code_is_degraded(conn):
    with conn.transaction():
        conn.execute("UPDATE alembic_version SET version_num = '0013_platform'")
        result = health.health(lambda: conn)
        conn.execute("UPDATE alembic_version SET version_num = %s", (health.SCHEMA_HEAD,))
    assert (result.status, result.database, result.migrations_at_head) == ("degraded", True, False)
    assert result.schema_revision == "0013_platform"


def test_an_unreachable_database_is_503(api, monkeypatch):
    from momentum import db

    # A real connection attempt to a port where no database listens
    monkeypatch.setattr(db, "get_conn", lambda: psycopg.connect("postgresql://postgres@127.0.0.1:1/none"))
    response = api("platform").get("/health")
    assert response.status_code == 503
    assert (response.json_body["status"], response.json_body["database"]) == ("degraded", False)


def test_version_without_a_token(api):
    response = api("platform").get("/version")
    assert response.status_code == 200
    assert response.json_body == {"version": health.VERSION, "stage": "local", "schema_revision": health.SCHEMA_HEAD}
