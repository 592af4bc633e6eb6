"""Metrics in CloudWatch's embedded metric format (EMF): one JSON line on stdout per request and per analysis.

Lambda sends stdout to CloudWatch Logs, which turns a line carrying an ``_aws`` member into metrics of namespace
``Momentum``: no API call and no agent on the request path. Dimensions stay few and bounded — the function (its
app name) and the route template, an error code — never a user or an id.

Written here rather than taken from aws-embedded-metrics or Powertools: the format is one JSON object, and neither
library fits the one-line-per-request wrapper without adding to every function's cold import.

Domain code counts business events with ``record`` (a purchase, a claim); the request wrapper then writes them in
that request's line with ``record_request``, and the analysis function in the analysis line with
``record_analysis``. What a thread recorded belongs to the request it is serving (the local stack and the tests
serve requests from many threads, as many Lambda instances would).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any, Literal

NAMESPACE = "Momentum"
ANALYSIS_FUNCTION = "analyze_track"  # the Function dimension of analysis metrics (an alarm names it)

Unit = Literal["Count", "Milliseconds", "Seconds", "None"]

_local = threading.local()
_warm: set[str] = set()  # functions that have served a request in this process: the rest start cold
_lock = threading.Lock()


def record(name: str, value: float = 1.0, unit: Unit = "Count") -> None:
    """Add to a metric of the current request or analysis (summed if recorded twice); written by its line."""
    pending = _pending()
    previous = pending.get(name, (0.0, unit))[0]
    pending[name] = (previous + value, unit)


def record_analysis_speed(seconds: float, audio_seconds: float) -> None:
    """How long the analyser took per minute of audio: the figure that decides the function's timeout."""
    if audio_seconds > 0:
        record("AnalysisSecondsPerAudioMinute", seconds / (audio_seconds / 60), "Seconds")


def record_request(
    *,
    function: str,
    route: str,
    method: str,
    status: int,
    error_code: str | None,
    latency_ms: float,
    request_id: str | None = None,
) -> None:
    """Write the metric line of one API request, with whatever the request recorded."""
    metrics: dict[str, tuple[float, Unit]] = {
        "Requests": (1, "Count"),
        "Latency": (latency_ms, "Milliseconds"),
        "ClientErrors": (1 if 400 <= status < 500 else 0, "Count"),
        "ServerErrors": (1 if status >= 500 else 0, "Count"),
        "ColdStarts": (1 if _cold_start(function) else 0, "Count"),
        **_drain(),
    }
    directives = [_directive(metrics, [["Function"], ["Function", "Route"]])]
    values: dict[str, Any] = {"Function": function, "Route": f"{method} {route}"}
    if error_code is not None:
        directives.append(_directive({"Errors": (1, "Count")}, [["Function", "ErrorCode"]]))
        values |= {"ErrorCode": error_code, "Errors": 1}
    _emit(directives, metrics, values | {"status": status, "requestId": request_id, "traceId": trace_id()})


def record_analysis(outcome: str) -> None:
    """Write the metric line of one analyzed upload: completed or failed, with what the analysis recorded."""
    metrics: dict[str, tuple[float, Unit]] = {
        "AnalysesCompleted": (1 if outcome == "analyzed" else 0, "Count"),
        "AnalysesFailed": (1 if outcome == "failed" else 0, "Count"),
        "ColdStarts": (1 if _cold_start(ANALYSIS_FUNCTION) else 0, "Count"),
        **_drain(),
    }
    # Not the object key: it names the user (tracks/<user id>/…); the analysis log line has it.
    values = {"Function": ANALYSIS_FUNCTION, "outcome": outcome, "traceId": trace_id()}
    _emit([_directive(metrics, [["Function"]])], metrics, values)


def error_code_of(body: object) -> str | None:
    """The ``code`` of a JSON error body (``{"error": {"code": …}}``), or None for any other body."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
        return code if isinstance(code, str) else None
    return None


def trace_id() -> str | None:
    """The X-Ray trace id of the current invocation (the Root of ``_X_AMZN_TRACE_ID``), if traced.

    Lambda sets that variable anew for every invocation, so it is read here each time, not once with the settings.
    """
    header = os.environ.get("_X_AMZN_TRACE_ID")
    if not header:
        return None
    for part in header.split(";"):
        name, _, value = part.partition("=")
        if name.strip() == "Root" and value:
            return value
    return None


def _pending() -> dict[str, tuple[float, Unit]]:
    pending: dict[str, tuple[float, Unit]] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = {}
    return pending


def _drain() -> dict[str, tuple[float, Unit]]:
    pending = _pending()
    _local.pending = {}
    return pending


def _cold_start(function: str) -> bool:
    with _lock:
        if function in _warm:
            return False
        _warm.add(function)
        return True


def _directive(metrics: dict[str, tuple[float, Unit]], dimensions: list[list[str]]) -> dict[str, Any]:
    return {
        "Namespace": NAMESPACE,
        "Dimensions": dimensions,
        "Metrics": [{"Name": name, "Unit": unit} for name, (_, unit) in metrics.items()],
    }


def _emit(directives: list[dict[str, Any]], metrics: dict[str, tuple[float, Unit]], values: dict[str, Any]) -> None:
    document = {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": directives},
        **{name: value for name, (value, _) in metrics.items()},
        **{name: value for name, value in values.items() if value is not None},
    }
    line = json.dumps(document, separators=(",", ":"), default=str) + "\n"
    with _lock:
        sys.stdout.write(line)
        sys.stdout.flush()
