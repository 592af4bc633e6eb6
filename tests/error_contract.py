"""A pytest plugin: every error response the suite sees is one the OpenAPI document lists for its operation.

It wraps each route's handler as the apps are built, records (operation, status, code) of every error answer, and
fails the run when an operation answered with a code that its route does not declare (see ``Operation.error_codes``)
or with a code that ``momentum.errors.ERROR_CODES`` gives another status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from momentum import http
from momentum.errors import ERROR_CODES

_seen: set[tuple[http.Operation, int, str]] = set()


def pytest_configure(config: pytest.Config) -> None:
    original = http.MomentumApp._handler

    def recording(self: http.MomentumApp, view: Callable[..., Any], op: http.Operation) -> Callable[..., Any]:
        handle = original(self, view, op)

        def record(**params: Any) -> Any:
            response = handle(**params)
            error = response.body.get("error") if isinstance(response.body, dict) else None
            if response.status_code >= 400 and isinstance(error, dict):  # not a report such as /health's 503
                _seen.add((op, response.status_code, error["code"]))
            return response

        record.__name__ = handle.__name__
        return record

    http.MomentumApp._handler = recording  # type: ignore[method-assign]


def undeclared() -> list[str]:
    problems = []
    for op, status, code in sorted(_seen, key=lambda s: (s[0].path, s[0].method, s[1], s[2])):
        if ERROR_CODES.get(code) != status:
            problems.append(f"{op.method} {op.path}: {status} {code} (ERROR_CODES gives {ERROR_CODES.get(code)})")
        elif code not in op.error_codes().get(status, []):
            problems.append(f"{op.method} {op.path}: {status} {code} is not declared by the route")
    return problems


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    problems = undeclared()
    if problems:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.section("error codes the OpenAPI document does not list", sep="=", red=True)
            for line in problems:
                reporter.line(line)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
