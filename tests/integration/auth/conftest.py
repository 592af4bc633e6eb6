"""Fixtures of the auth tests."""

import re

import boto3
import pytest
from momentum.config import get_settings
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends


@pytest.fixture()
def ses(monkeypatch):
    """Send sign-in mail through SES (moto) and return a function that reads the last link sent to an address."""
    monkeypatch.setenv("EMAIL_MODE", "ses")
    monkeypatch.setenv("EMAIL_FROM", "no-reply@momentum.test")
    get_settings.cache_clear()
    with mock_aws():
        boto3.client("ses").verify_email_identity(EmailAddress="no-reply@momentum.test")

        def last_token(address: str) -> str:
            outbox = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
            sent = [m for m in outbox if address.lower() in m.destinations["ToAddresses"]]
            return re.search(r"token=([\w-]+)", sent[-1].body).group(1)

        yield last_token
    get_settings.cache_clear()
