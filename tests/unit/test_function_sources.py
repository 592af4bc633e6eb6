"""A function's source file cannot change without a revision that brings the change to migrated databases.

Revisions apply migrations/functions/<name>.sql by name (``apply_sql``), reading the file as it is now. A fresh
database therefore always matches the files; one migrated earlier only gets an edit through a new revision. So the
newest revision applying each file records the digest the file had when that revision was written (``SOURCES``),
and an edited file fails here until a new revision applies it and records the new digest.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

from alembic.script import ScriptDirectory
from momentum_infra import migrate


def revisions() -> list[tuple[str, ModuleType]]:
    script = ScriptDirectory.from_config(migrate.alembic_config("postgresql://unused"))
    return [(r.revision, r.module) for r in reversed(list(script.walk_revisions()))]


def applied_names(module: ModuleType) -> list[str]:
    """The source files a revision module applies with apply_sql("a", "b") or apply_sql(*CONSTANT)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(Path(module.__file__ or "").read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "apply_sql":
            for arg in node.args:
                if isinstance(arg, ast.Constant):
                    names.append(arg.value)
                elif isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name):
                    names.extend(getattr(module, arg.value.id))
                else:
                    raise AssertionError(f"{module.__file__}: apply_sql takes names or *CONSTANT")
    return names


def newest_appliers() -> dict[str, tuple[str, ModuleType]]:
    newest: dict[str, tuple[str, ModuleType]] = {}
    for revision, module in revisions():
        for name in applied_names(module):
            newest[name] = (revision, module)
    return newest


def stale(files: dict[str, str]) -> list[str]:
    problems = []
    newest = newest_appliers()
    for name in sorted(files):
        if name not in newest:
            problems.append(f"{name}.sql: no revision applies it")
            continue
        revision, module = newest[name]
        recorded = getattr(module, "SOURCES", {}).get(name)
        if recorded != files[name]:
            problems.append(
                f"{name}.sql has digest {files[name]}, {revision} (the newest revision applying it) recorded "
                f"{recorded}: add a revision that applies it and records the new digest in its SOURCES"
            )
    return problems


def digests() -> dict[str, str]:
    return {name: migrate.source_digest(name) for name in migrate.definitions()}


def test_the_newest_revision_applying_each_file_recorded_its_current_digest() -> None:
    assert stale(digests()) == []


def test_an_edited_file_is_reported() -> None:
    files = digests()
    files["purchase_item"] = "0" * 16
    assert [p.partition(" has")[0] for p in stale(files)] == ["purchase_item.sql"]


def test_a_file_no_revision_applies_is_reported() -> None:
    files = digests() | {"book_progress": "0" * 16}
    assert stale(files) == ["book_progress.sql: no revision applies it"]


def test_the_scan_sees_the_calls_of_the_old_revisions() -> None:
    by_revision = {revision: applied_names(module) for revision, module in revisions()}
    assert by_revision["0001_auth"] == ["set_updated_at"]
    assert "purchase_item" in by_revision["0008_market"]
