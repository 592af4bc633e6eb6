"""Configuration, read from the environment once per execution environment.

Every setting Momentum reads lives here; nothing else touches ``os.environ``.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Each field is read from the environment variable of its name in capitals (``database_url`` from
    ``DATABASE_URL``) unless it names another (``alias``); an empty variable counts as unset."""

    model_config = ConfigDict(
        frozen=True, defer_build=True, alias_generator=str.upper, validate_by_name=True, validate_by_alias=True
    )

    stage: str = "local"
    # Either a full URL, or (in AWS) the RDS Proxy host plus a Secrets Manager secret holding the credentials.
    database_url: str | None = None
    db_host: str | None = None
    db_name: str = "momentum"
    db_secret_arn: str | None = None
    statement_timeout_ms: int = Field(default=15_000, ge=0)

    upload_bucket: str = "momentum-uploads"
    upload_max_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    upload_url_ttl_seconds: int = Field(default=900, gt=0)
    # The queue that feeds the analysis function (reanalysis requests are sent there).
    analysis_queue_url: str | None = None
    # The queue the nightly schedule fills with ranges of users whose recommendations to recompute.
    recommendations_queue_url: str | None = None
    # The queue the upload sweep's schedule fills with ranges of processing tracks to sweep.
    upload_sweep_queue_url: str | None = None
    # Set in the local stack, where S3 and SQS are an in-process moto server.
    aws_endpoint_url: str | None = Field(default=None, alias="MOMENTUM_AWS_ENDPOINT_URL")

    email_mode: Literal["ses", "console"] = "console"
    email_from: str = "Momentum <no-reply@momentum.local>"
    app_base_url: str = "http://localhost:8000"

    session_ttl_days: int = Field(default=30, gt=0)
    magic_link_ttl_minutes: int = Field(default=15, gt=0)
    magic_link_max_per_window: int = Field(default=5, gt=0)

    # Abuse limits (momentum.limits): at most N events per window, else 429 with Retry-After. Sign-in links cost
    # an email each (SES money and the sender's reputation), so they are limited per client address and overall
    # besides per email address; failed verifications lock the address for a while.
    magic_link_per_ip_max: int = Field(default=10, gt=0)
    magic_link_per_ip_window_seconds: int = Field(default=3600, gt=0)
    magic_link_global_max: int = Field(default=500, gt=0)
    magic_link_global_window_seconds: int = Field(default=3600, gt=0)
    verify_failures_max: int = Field(default=5, gt=0)
    verify_lockout_seconds: int = Field(default=900, gt=0)

    # Browser origins whose pages may read the API's answers, comma-separated (momentum.cors).
    allowed_origins: str = ""

    max_body_bytes: int = Field(default=1024 * 1024, gt=0)

    log_level: str = "INFO"

    # A personal quest's reward is the person's own choice, so it is capped, and so are the claims a day.
    personal_quest_max_xp: int = Field(default=50, ge=0)
    personal_quest_max_coins: int = Field(default=20, ge=0)
    personal_quest_claims_per_day: int = Field(default=3, ge=0)

    @property
    def allowed_origin_list(self) -> tuple[str, ...]:
        return tuple(o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip())


@cache
def get_settings() -> Settings:
    """The settings of this execution environment, validated once (a bad value fails the cold start loudly)."""
    values = {name: os.environ[name] for name in environment_names() if os.environ.get(name)}
    return Settings.model_validate(values)


def environment_names() -> list[str]:
    """The environment variables Momentum reads, one per setting."""
    return [field.alias or name.upper() for name, field in Settings.model_fields.items()]
