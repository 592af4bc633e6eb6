"""The embedded-metric-format lines themselves: valid for CloudWatch, low-cardinality, one per request."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from momentum import metrics


def lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def request(function: str, **overrides) -> None:
    args = {
        "function": function,
        "route": "/market/items/{item_id}/purchase",
        "method": "POST",
        "status": 201,
        "error_code": None,
        "latency_ms": 12.5,
        "request_id": "req-1",
    }
    metrics.record_request(**(args | overrides))


def assert_valid_emf(document: dict) -> None:
    """What CloudWatch requires of a document before it extracts metrics from it."""
    aws = document["_aws"]
    assert isinstance(aws["Timestamp"], int) and abs(aws["Timestamp"] - time.time() * 1000) < 60_000
    for directive in aws["CloudWatchMetrics"]:
        assert directive["Namespace"] == "Momentum"
        for dimension_set in directive["Dimensions"]:
            assert len(dimension_set) <= 30
            assert all(isinstance(document[name], str) for name in dimension_set)
        for metric in directive["Metrics"]:
            assert isinstance(document[metric["Name"]], int | float)
            assert metric["Unit"] in {"Count", "Milliseconds", "Seconds", "None"}


def test_a_request_line_is_valid_emf_with_the_request_metrics(capsys):
    request(f"fn-{uuid.uuid4().hex}")

    [line] = lines(capsys)
    assert_valid_emf(line)
    assert (line["Requests"], line["Latency"], line["ClientErrors"], line["ServerErrors"]) == (1, 12.5, 0, 0)
    assert (line["Route"], line["status"], line["requestId"]) == ("POST /market/items/{item_id}/purchase", 201, "req-1")
    [directive] = line["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["Function"], ["Function", "Route"]]


@pytest.mark.parametrize(("status", "client", "server"), [(404, 1, 0), (409, 1, 0), (500, 0, 1), (503, 0, 1)])
def test_errors_are_counted_by_class_and_by_code(capsys, status, client, server):
    request(f"fn-{uuid.uuid4().hex}", status=status, error_code="some_code")

    [line] = lines(capsys)
    assert_valid_emf(line)
    assert (line["ClientErrors"], line["ServerErrors"], line["Errors"], line["ErrorCode"]) == (
        client,
        server,
        1,
        "some_code",
    )
    assert line["_aws"]["CloudWatchMetrics"][1]["Dimensions"] == [["Function", "ErrorCode"]]


def test_only_the_first_request_of_a_function_is_a_cold_start(capsys):
    function = f"fn-{uuid.uuid4().hex}"
    request(function)
    request(function)
    request(f"fn-{uuid.uuid4().hex}")

    assert [line["ColdStarts"] for line in lines(capsys)] == [1, 0, 1]


def test_recorded_metrics_go_into_the_next_line_only(capsys):
    function = f"fn-{uuid.uuid4().hex}"
    metrics.record("Purchases")
    metrics.record("Purchases")
    request(function)
    request(function)

    first, second = lines(capsys)
    assert_valid_emf(first)
    assert first["Purchases"] == 2
    assert "Purchases" not in second


def test_an_analysis_line_names_the_analysis_function_and_its_speed(capsys):
    metrics.record_analysis_speed(seconds=3.0, audio_seconds=120.0)
    metrics.record_analysis("analyzed")

    [line] = lines(capsys)
    assert_valid_emf(line)
    assert line["Function"] == metrics.ANALYSIS_FUNCTION
    assert (line["AnalysesCompleted"], line["AnalysesFailed"], line["AnalysisSecondsPerAudioMinute"]) == (1, 0, 1.5)
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Function"]]


def test_silence_has_no_speed(capsys):
    metrics.record_analysis_speed(seconds=1.0, audio_seconds=0.0)
    metrics.record_analysis("failed")

    [line] = lines(capsys)
    assert (line["AnalysesCompleted"], line["AnalysesFailed"]) == (0, 1)
    assert "AnalysisSecondsPerAudioMinute" not in line


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            "1-5759e988-bd862e3fe1be46a994272793",
        ),
        ("Parent=53995c3f42cd8ad8; Root=1-abc;Sampled=0", "1-abc"),
        ("Parent=53995c3f42cd8ad8", None),
        ("", None),
    ],
)
def test_the_trace_id_is_the_root_of_lambdas_trace_header(monkeypatch, header, expected):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", header)
    assert metrics.trace_id() == expected


def test_no_trace_header_no_trace_id(monkeypatch, capsys):
    monkeypatch.delenv("_X_AMZN_TRACE_ID", raising=False)
    request(f"fn-{uuid.uuid4().hex}")
    assert "traceId" not in lines(capsys)[0]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"error": {"code": "insufficient_coins", "message": "…", "details": {}}}, "insufficient_coins"),
        ({"id": "x"}, None),
        ([{"error": "not a dict"}], None),
        ("", None),
        ({"error": "plain"}, None),
    ],
)
def test_the_error_code_comes_from_the_json_error_shape(body, code):
    assert metrics.error_code_of(body) == code
