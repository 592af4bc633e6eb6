"""Shared helpers: synthetic clips are rendered once per session and encoded in memory.

Clips default to 22.05 kHz (the analysis rate, so no resampling) to keep the suite fast; the decoding,
loudness and CLI tests cover 44.1 and 48 kHz input.
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import soundfile
from momentum.analysis import AnalysisResult, analyze
from momentum_infra import synth


@cache
def clip(
    bpm: float,
    key: str,
    meter: int = 4,
    style: str = "rock",
    seconds: float = 30.0,
    seed: int = 1,
    snr_db: float = 30.0,
    tuning_cents: float = 0.0,
    sample_rate: int = 22050,
) -> synth.Clip:
    return synth.make_clip(bpm, key, meter, seconds, style, sample_rate, snr_db, seed, tuning_cents)


@cache
def aba() -> tuple[synth.Clip, AnalysisResult]:
    """A-B-A, eight bars each; B differs in key (E minor), timbre, drums and level."""
    c = synth.make_aba_clip(120, "C major", "E minor", bars=8, sample_rate=22050)
    return c, analyze(c.samples, c.sample_rate)


@cache
def analysed(*args, **kwargs) -> tuple[synth.Clip, AnalysisResult]:
    c = clip(*args, **kwargs)
    return c, analyze(c.samples, c.sample_rate)


def encode(samples: np.ndarray, sample_rate: int, fmt: str = "WAV", subtype: str | None = None) -> bytes:
    """Encode in memory; written in blocks because libsndfile's Vorbis encoder crashes on very large writes."""
    out = io.BytesIO()
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    with soundfile.SoundFile(out, "w", sample_rate, channels, format=fmt, subtype=subtype) as f:
        for start in range(0, len(samples), sample_rate):
            f.write(samples[start : start + sample_rate])
    return out.getvalue()
