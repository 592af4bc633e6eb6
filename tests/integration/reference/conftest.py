"""Fixtures of the reference-track tests: the reference API, the upload path on moto, the analysis handler."""

from __future__ import annotations

import pytest

from tests.reference_support import analysis_context, mocked_uploads


@pytest.fixture()
def uploads(database_url, monkeypatch):
    with mocked_uploads(monkeypatch) as stack:
        yield stack


@pytest.fixture()
def reference(api):
    return api("reference")


@pytest.fixture()
def handler():
    from functions.analyze_track.app import handler

    return lambda event: handler(event, analysis_context())
