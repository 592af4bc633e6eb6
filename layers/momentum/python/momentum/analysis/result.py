"""The analysis result: a plain dataclass the Lambda wrapper maps onto the database tables."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .frames import FrameData


def rounded(value: float | None, digits: int = 2) -> float | None:
    """Round for the JSON summary, keeping None (not measurable) as None."""
    return None if value is None else round(value, digits)


@dataclass
class AnalysisResult:
    """Everything the analyser found in one track. Times are seconds unless a name says otherwise."""

    analyzer_version: str
    duration_seconds: float
    sample_rate: int  # of the original audio
    channels: int
    tempo_bpm: float | None
    tempo_confidence: float
    beats: np.ndarray
    downbeats: np.ndarray
    time_signature: str | None
    key: str | None
    key_confidence: float
    tuning_cents: float
    integrated_lufs: float | None
    loudness_range_lu: float | None
    true_peak_dbtp: float | None
    sample_peak_dbfs: float | None
    sections: list[dict[str, Any]]
    frames: FrameData
    # No metrical level won clearly: the beat may as well be heard at tempo_alternative_bpm (half, double, a
    # third or three times tempo_bpm; two thirds or three halves of it when 3/4 and 6/8 were left open).
    tempo_unsure: bool = False
    tempo_alternative_bpm: float | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def to_json(self, indent: int | None = 2) -> str:
        """Summary, sections, events and frame manifest (not the frame bytes) as JSON."""
        manifest = {
            "hop_ms": self.frames.hop_ms,
            "frame_count": self.frames.frame_count,
            "bands": self.frames.bands,
            "bytes_per_frame": self.frames.bytes_per_frame,
            "frame_layout": self.frames.frame_layout,
        }
        return json.dumps(
            {"summary": self.summary, "sections": self.sections, "events": self.events, "frames": manifest},
            indent=indent,
        )
