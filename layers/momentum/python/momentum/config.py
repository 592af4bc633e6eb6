"""Configuration, read from the environment once per execution environment.

Every setting Momentum reads lives here; nothing else touches ``os.environ``.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

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
    # Set in the local stack, where S3 and SQS are an in-process moto server.
    aws_endpoint_url: str | None = None

    email_mode: Literal["ses", "console"] = "console"
    email_from: str = "Momentum <no-reply@momentum.local>"
    app_base_url: str = "http://localhost:8000"

    session_ttl_days: int = Field(default=30, gt=0)
    magic_link_ttl_minutes: int = Field(default=15, gt=0)
    magic_link_max_per_window: int = Field(default=5, gt=0)

    max_body_bytes: int = Field(default=1024 * 1024, gt=0)

    log_level: str = "INFO"

    # A personal quest's reward is the person's own choice, so it is capped, and so are the claims a day.
    personal_quest_max_xp: int = Field(default=50, ge=0)
    personal_quest_max_coins: int = Field(default=20, ge=0)
    personal_quest_claims_per_day: int = Field(default=3, ge=0)


_ENV = {
    "stage": "STAGE",
    "database_url": "DATABASE_URL",
    "db_host": "DB_HOST",
    "db_name": "DB_NAME",
    "db_secret_arn": "DB_SECRET_ARN",
    "statement_timeout_ms": "STATEMENT_TIMEOUT_MS",
    "upload_bucket": "UPLOAD_BUCKET",
    "upload_max_bytes": "UPLOAD_MAX_BYTES",
    "upload_url_ttl_seconds": "UPLOAD_URL_TTL_SECONDS",
    "analysis_queue_url": "ANALYSIS_QUEUE_URL",
    "aws_endpoint_url": "MOMENTUM_AWS_ENDPOINT_URL",
    "email_mode": "EMAIL_MODE",
    "email_from": "EMAIL_FROM",
    "app_base_url": "APP_BASE_URL",
    "session_ttl_days": "SESSION_TTL_DAYS",
    "magic_link_ttl_minutes": "MAGIC_LINK_TTL_MINUTES",
    "magic_link_max_per_window": "MAGIC_LINK_MAX_PER_WINDOW",
    "max_body_bytes": "MAX_BODY_BYTES",
    "log_level": "LOG_LEVEL",
    "personal_quest_max_xp": "PERSONAL_QUEST_MAX_XP",
    "personal_quest_max_coins": "PERSONAL_QUEST_MAX_COINS",
    "personal_quest_claims_per_day": "PERSONAL_QUEST_CLAIMS_PER_DAY",
}


@cache
def get_settings() -> Settings:
    """The settings of this execution environment, validated once (a bad value fails the cold start loudly)."""
    values = {field: os.environ[var] for field, var in _ENV.items() if os.environ.get(var)}
    return Settings.model_validate(values)
