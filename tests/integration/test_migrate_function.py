"""The migration function answers CloudFormation's custom-resource events: it migrates and seeds on Create and
Update, leaves the data alone on Delete, and reports a failed migration as FAILED with the error, so `sam deploy`
leaves a migrated database or fails. Each test gets an empty database of its own on the test server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.script import ScriptDirectory
from momentum_infra import migrate, pg

REPO = Path(__file__).resolve().parents[2]
EVENTS = REPO / "tests" / "events"
HEAD = ScriptDirectory.from_config(migrate.alembic_config("")).get_current_head()
SEEDED_TABLES = ("market_items", "exercises", "skill_definitions", "achievement_definitions")


class CloudFormation:
    """A stand-in for the pre-signed ResponseURL: a local HTTP server that keeps every PUT it receives."""

    def __init__(self) -> None:
        answers: list[dict[str, Any]] = []
        self.answers = answers

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                content_type = self.headers.get("Content-Type")
                answers.append({"path": self.path, "content_type": content_type, **json.loads(body)})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def event(self, request_type: str) -> dict[str, Any]:
        text = (EVENTS / f"cfn_migration_{request_type}.json").read_text()
        url = f"http://127.0.0.1:{self.server.server_port}/response/{uuid.uuid4().hex}?X-Amz-Signature=abc"
        return json.loads(text.replace("{{response_url}}", url))


class FakeContext:
    log_stream_name = "2026/12/02/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@pytest.fixture()
def cloudformation() -> Iterator[CloudFormation]:
    cfn = CloudFormation()
    yield cfn
    cfn.server.shutdown()
    cfn.server.server_close()


@pytest.fixture()
def empty_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new, empty database that the layer (DATABASE_URL) points at for this test."""
    from momentum.config import get_settings

    server = pg.with_database(database_url, "postgres")
    name = f"momentum_migrate_{uuid.uuid4().hex[:8]}"
    url = pg.ensure_database(server, name)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    monkeypatch.undo()
    get_settings.cache_clear()
    pg.drop_database(server, name)


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SEEDED_TABLES}


def revision(url: str) -> str:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_create_migrates_and_seeds_an_empty_database(cloudformation, empty_database):
    from functions.migrate.app import handler

    handler(cloudformation.event("create"), FakeContext())

    [answer] = cloudformation.answers
    assert answer["Status"] == "SUCCESS", answer["Reason"]
    assert answer["PhysicalResourceId"] == "momentum-database-migrations"
    assert answer["LogicalResourceId"] == "DatabaseMigration"
    assert answer["RequestId"] == "7a1e0f6c-c0ea-4d2b-9c1e-3f5a6b7c8d9e"
    assert answer["StackId"].startswith("arn:aws:cloudformation:")
    assert answer["content_type"] == ""  # the pre-signed URL is signed for no content type
    assert answer["Data"]["action"] == "migrated"
    assert revision(empty_database) == HEAD
    assert all(n > 0 for n in counts(empty_database).values()), counts(empty_database)


def test_update_runs_again_without_duplicating_the_seed(cloudformation, empty_database):
    from functions.migrate.app import handler

    handler(cloudformation.event("create"), FakeContext())
    before = counts(empty_database)

    handler(cloudformation.event("update"), FakeContext())

    assert [a["Status"] for a in cloudformation.answers] == ["SUCCESS", "SUCCESS"]
    assert cloudformation.answers[1]["PhysicalResourceId"] == cloudformation.answers[0]["PhysicalResourceId"]
    assert counts(empty_database) == before
    assert revision(empty_database) == HEAD


def test_delete_answers_success_and_keeps_the_data(cloudformation, empty_database):
    from functions.migrate.app import handler

    handler(cloudformation.event("create"), FakeContext())
    before = counts(empty_database)

    handler(cloudformation.event("delete"), FakeContext())

    delete = cloudformation.answers[1]
    assert delete["Status"] == "SUCCESS"
    assert delete["PhysicalResourceId"] == "momentum-database-migrations"
    assert counts(empty_database) == before
    assert revision(empty_database) == HEAD


def test_a_failing_migration_reports_failed_with_its_error(cloudformation, empty_database):
    from functions.migrate.app import handler

    # A table the first migration creates is already there: the migration stops on it.
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE users (id int)")

    handler(cloudformation.event("create"), FakeContext())

    [answer] = cloudformation.answers
    assert answer["Status"] == "FAILED"
    assert 'relation "users" already exists' in answer["Reason"]
    assert FakeContext.log_stream_name in answer["Reason"]
    assert answer["PhysicalResourceId"] == "momentum-database-migrations"
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("SELECT to_regclass('alembic_version')").fetchone() == (None,)


def test_delete_after_a_failed_create_succeeds(cloudformation, empty_database):
    from functions.migrate.app import handler

    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("CREATE TABLE users (id int)")
    handler(cloudformation.event("create"), FakeContext())

    handler(cloudformation.event("delete"), FakeContext())

    assert [a["Status"] for a in cloudformation.answers] == ["FAILED", "SUCCESS"]
    with psycopg.connect(empty_database) as conn:  # Delete touched nothing
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)


def test_an_unreachable_database_reports_failed(cloudformation, empty_database, monkeypatch):
    from momentum.config import get_settings

    from functions.migrate.app import handler

    monkeypatch.setenv("DATABASE_URL", pg.with_database(empty_database, f"missing_{uuid.uuid4().hex[:8]}"))
    get_settings.cache_clear()

    handler(cloudformation.event("update"), FakeContext())

    [answer] = cloudformation.answers
    assert answer["Status"] == "FAILED"
    assert "does not exist" in answer["Reason"]


def test_a_database_ahead_of_the_code_is_left_alone_on_rollback(cloudformation, empty_database):
    from functions.migrate.app import handler

    # A rollback to an older release: the database carries a revision this code does not know.
    handler(cloudformation.event("create"), FakeContext())
    with psycopg.connect(empty_database, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")

    handler(cloudformation.event("update"), FakeContext())

    answer = cloudformation.answers[1]
    assert answer["Status"] == "SUCCESS"
    assert "9999_from_the_future" in answer["Data"]["action"]
    assert revision(empty_database) == "9999_from_the_future"


def test_a_migration_that_outlives_the_timeout_reports_failed_before_lambda_stops(
    cloudformation, empty_database, monkeypatch
):
    import time

    from functions.migrate import app

    monkeypatch.setattr(app, "TIMEOUT_MARGIN_S", 0)
    monkeypatch.setattr(app, "migrate_and_seed", lambda: time.sleep(1.0) or {"action": "migrated"})

    class ShortContext(FakeContext):
        def get_remaining_time_in_millis(self) -> int:
            return 200

    app.handler(cloudformation.event("create"), ShortContext())

    [answer] = cloudformation.answers  # sent once: the late SUCCESS is not sent after the FAILED
    assert answer["Status"] == "FAILED"
    assert "timeout" in answer["Reason"]


def test_the_packaged_function_runs_from_its_build_folder(cloudformation, empty_database, tmp_path):
    # What `sam build` packs (without the pip step: Alembic comes from this environment) must be enough to migrate:
    # the handler runs in a fresh interpreter that sees the build folder and the layer, not the checkout's infra/.
    artifacts = tmp_path / "MigrateFunction"
    subprocess.run(
        ["make", "-s", "-f", str(REPO / "functions/migrate/Makefile"), "sources", f"ARTIFACTS_DIR={artifacts}"],
        check=True,
        cwd=tmp_path,
    )
    event = cloudformation.event("create")
    script = (
        "import json, sys, app, momentum_infra\n"
        "assert momentum_infra.__file__.startswith(sys.argv[1]), momentum_infra.__file__\n"
        "assert app.ROOT == __import__('pathlib').Path(sys.argv[1])\n"
        "app.handler(json.loads(sys.argv[2]), None)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = f"{artifacts}:{REPO / 'layers/momentum/python'}"
    result = subprocess.run(
        [sys.executable, "-c", script, str(artifacts), json.dumps(event)],
        cwd=artifacts,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    [answer] = cloudformation.answers
    assert answer["Status"] == "SUCCESS", answer["Reason"]
    assert revision(empty_database) == HEAD
    assert all(n > 0 for n in counts(empty_database).values())
