"""Outgoing email: SES in AWS, the console in the local stack."""

from __future__ import annotations

import sys

from momentum.config import get_settings


def send(to: str, subject: str, text: str) -> None:
    settings = get_settings()
    if settings.email_mode == "console":
        print(f"\n--- email to {to}: {subject}\n{text}\n---", file=sys.stderr, flush=True)
        return
    import boto3  # only the function that sends mail pays for boto3's import

    boto3.client("ses").send_email(
        Source=settings.email_from,
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}},
    )
