"""Structured logs: one JSON object per line, which CloudWatch Logs Insights can query by field."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from momentum.config import get_settings


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "msg": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def _logger() -> logging.Logger:
    logger = logging.getLogger("momentum")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(_JsonFormatter())
        logger.addHandler(handler)
        logger.setLevel(get_settings().log_level)
        logger.propagate = False
    return logger


def log(msg: str, level: int = logging.INFO, exc_info: bool = False, **fields: Any) -> None:
    _logger().log(level, msg, exc_info=exc_info, extra={"fields": fields})
