"""Starter data. Each module in this package has ``seed(conn)``, idempotent, run in name order."""

from __future__ import annotations

import importlib
import pkgutil

from psycopg import Connection


def run_all(conn: Connection) -> list[str]:
    done = []
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        with conn.transaction():
            importlib.import_module(f"{__name__}.{module}").seed(conn)
        done.append(module)
    return done
