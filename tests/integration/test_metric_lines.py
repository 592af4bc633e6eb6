"""The metric lines (CloudWatch embedded metric format) that a purchase, a claim and an analysis write to stdout,
as CloudWatch Logs would read them: what an operator's dashboards and alarms are built on."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from momentum import metrics

from tests.helpers import run_concurrently
from tests.integration.market.helpers import buy, error_code, fund, make_item, post
from tests.reference_support import analysis_context, mocked_uploads, wav_bytes

TRACE_HEADER = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"
TRACE_ID = "1-67891233-abcdef012345678912345678"


def metric_lines(captured: str) -> list[dict]:
    """The EMF documents among stdout's lines (each one JSON object with an _aws member)."""
    lines = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" in line]


def metrics_of(document: dict, dimensions: list[list[str]]) -> set[str]:
    """Names of the metrics the document declares with exactly these dimension sets."""
    return {
        m["Name"]
        for d in document["_aws"]["CloudWatchMetrics"]
        if d["Dimensions"] == dimensions and d["Namespace"] == "Momentum"
        for m in d["Metrics"]
    }


@pytest.fixture()
def request_logs():
    """The JSON request log lines' fields (the momentum logger writes to the stdout of its first use)."""
    records: list[dict] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append({"msg": record.getMessage(), **getattr(record, "fields", {})})

    from momentum.log import _logger

    handler = Keep()
    _logger().addHandler(handler)  # after the logger has set itself up (its level, its stdout handler)
    yield records
    logging.getLogger("momentum").removeHandler(handler)


@pytest.fixture()
def traced(monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE_HEADER)


def test_a_purchase_writes_one_metric_line_with_the_purchase(api, make_user, conn, capsys, traced, request_logs):
    http = api("purchase")
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, cost_coins=30)
    capsys.readouterr()

    response = buy(http, user, item)

    assert response.status_code == 201
    out = capsys.readouterr().out
    [line] = metric_lines(out)
    assert line["Function"] == "momentum-purchase"
    assert line["Route"] == "POST /market/items/{item_id}/purchase"
    assert (line["Requests"], line["Purchases"], line["ClientErrors"], line["ServerErrors"]) == (1, 1, 0, 0)
    assert line["Latency"] > 0
    assert line["status"] == 201
    assert line["traceId"] == TRACE_ID
    assert metrics_of(line, [["Function"], ["Function", "Route"]]) == {
        "Requests",
        "Latency",
        "ClientErrors",
        "ServerErrors",
        "ColdStarts",
        "Purchases",
    }
    assert "ErrorCode" not in line and "Errors" not in line
    assert str(user.id) not in json.dumps(line)  # metrics never name a user
    assert [r["trace_id"] for r in request_logs if r["msg"] == "request"] == [TRACE_ID]


def test_a_refused_purchase_counts_an_error_by_code_and_no_purchase(api, make_user, conn, capsys):
    http = api("purchase")
    user = make_user()
    item = make_item(conn, cost_coins=30)  # the user has no coins
    capsys.readouterr()

    response = buy(http, user, item)

    assert (response.status_code, error_code(response)) == (409, "insufficient_coins")
    [line] = metric_lines(capsys.readouterr().out)
    assert (line["ErrorCode"], line["Errors"], line["ClientErrors"], line["ServerErrors"]) == (
        "insufficient_coins",
        1,
        1,
        0,
    )
    assert metrics_of(line, [["Function", "ErrorCode"]]) == {"Errors"}
    assert "Purchases" not in line


def test_a_claim_writes_the_claim_in_its_request_line(api, make_user, conn, capsys):
    http = api("claim_reward")
    user = make_user()
    reward_id = conn.execute(
        "INSERT INTO user_rewards (user_id, reward_type, coins_earned, xp_earned) VALUES (%s, 'quest', 5, 0) "
        "RETURNING id",
        (user.id,),
    ).fetchone()[0]
    capsys.readouterr()

    response = post(http, user, f"/market/rewards/{reward_id}/claim")

    assert response.status_code == 200, response.json_body
    [line] = metric_lines(capsys.readouterr().out)
    assert (line["Function"], line["Route"]) == ("momentum-claim-reward", "POST /market/rewards/{reward_id}/claim")
    assert line["Claims"] == 1
    assert "Purchases" not in line


def test_a_purchase_recorded_by_one_request_is_not_written_by_the_next(api, make_user, conn, capsys):
    http = api("purchase")
    user = make_user()
    fund(conn, user.id, 100)
    item = make_item(conn, cost_coins=10)
    buy(http, user, item)
    capsys.readouterr()

    response = buy(http, user, uuid.uuid4())  # an unknown item: 404

    assert response.status_code == 404
    [line] = metric_lines(capsys.readouterr().out)
    assert "Purchases" not in line
    assert line["ErrorCode"] == "not_found"


def test_concurrent_purchases_each_write_their_own_line(api, make_user, conn, capsys):
    # The local stack and the tests serve requests from many threads: a purchase belongs to its own request's line.
    http = api("purchase")
    users = [make_user() for _ in range(8)]
    for user in users:
        fund(conn, user.id, 100)
    item = make_item(conn, cost_coins=10)
    capsys.readouterr()

    responses = run_concurrently(lambda i: buy(http, users[i], item), len(users))

    assert [r.status_code for r in responses] == [201] * len(users)
    lines = metric_lines(capsys.readouterr().out)
    assert len(lines) == len(users)
    assert [line["Purchases"] for line in lines] == [1] * len(users)


@pytest.fixture()
def uploads(database_url, monkeypatch):
    with mocked_uploads(monkeypatch) as stack:
        yield stack


def analyse_upload(api, make_user, uploads, data: bytes) -> dict:
    from functions.analyze_track.app import handler

    user = make_user()
    created = (
        api("reference")
        .post(
            "/reference/tracks",
            headers=user.headers,
            body=json.dumps({"name": "Metric test", "mime_type": "audio/wav", "file_size_bytes": max(len(data), 1)}),
        )
        .json_body
    )
    assert uploads.upload(created["upload"], data) == 204
    return handler(uploads.sqs_event(uploads.receive()), analysis_context())


def test_an_analysis_writes_completed_and_its_speed(api, make_user, uploads, capsys, traced):
    result = analyse_upload(api, make_user, uploads, wav_bytes(seconds=4.0))

    assert result == {"batchItemFailures": []}
    [line] = [m for m in metric_lines(capsys.readouterr().out) if m["Function"] == metrics.ANALYSIS_FUNCTION]
    assert (line["AnalysesCompleted"], line["AnalysesFailed"], line["outcome"]) == (1, 0, "analyzed")
    assert line["AnalysisSecondsPerAudioMinute"] > 0
    assert line["traceId"] == TRACE_ID
    assert metrics_of(line, [["Function"]]) >= {"AnalysesCompleted", "AnalysesFailed", "AnalysisSecondsPerAudioMinute"}
    assert "tracks/" not in json.dumps(line)  # the object key names the user


def test_a_failed_analysis_writes_failed(api, make_user, uploads, capsys):
    result = analyse_upload(api, make_user, uploads, b"This is a text file, not audio.\n" * 40)

    assert result == {"batchItemFailures": []}  # an unusable file is not retried
    [line] = [m for m in metric_lines(capsys.readouterr().out) if m["Function"] == metrics.ANALYSIS_FUNCTION]
    assert (line["AnalysesCompleted"], line["AnalysesFailed"], line["outcome"]) == (0, 1, "failed")
    assert "AnalysisSecondsPerAudioMinute" not in line
