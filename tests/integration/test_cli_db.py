"""`momentum db url` and `momentum psql` reach the local database."""

from __future__ import annotations

import os
import subprocess
import sys


def momentum(database_url: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "momentum_infra.cli", *argv], env=env, capture_output=True, text=True, timeout=60
    )


def test_db_url_prints_the_database_url(database_url):
    done = momentum(database_url, "db", "url")
    assert done.returncode == 0 and done.stdout.strip() == database_url


def test_psql_runs_against_the_database(database_url):
    done = momentum(database_url, "psql", "-tAc", "SELECT count(*) FROM roles WHERE name = 'admin'")
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr
