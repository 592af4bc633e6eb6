"""The analysis pipeline: one streaming pass over the audio, then the track-level decisions.

The pass reads the audio a few seconds at a time; per chunk it feeds the loudness and peak meters (original
rate, every channel) and the spectral front end (mono, analysis rate). Only compact per-frame features
outlive a chunk: the analysis itself peaks at ~14 MB plus ~1.4 MB per minute of audio (28 MB for 10 min).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import features, frames, key, loudness, sections, tempo
from .decode import open_audio
from .dsp import Resampler
from .features import ANALYSIS_RATE, SpectralFeatures, estimate_tuning, fold_chroma, per_frame
from .frames import FrameData
from .key import estimate_key
from .loudness import LoudnessMeter, PeakMeter, channel_weights, to_db
from .result import AnalysisResult, rounded
from .tempo import analyse_rhythm, onset_envelopes

ANALYZER_VERSION = "1.28.0"
CHUNK_SUB_BLOCKS = 60  # 6 s of audio per streaming step
Progress = Callable[[float], None]

# The tunable constants that change results: part of the fingerprint, so changing one re-analyses uploads.
# Algorithm changes bump ANALYZER_VERSION instead.
SETTINGS = {
    "hop_ms": features.HOP_MS,
    "n_fft": [features.N_FFT, features.CHROMA_N_FFT, features.CHROMA_DECIMATION],
    "analysis_rate": features.ANALYSIS_RATE,
    "bands": [features.N_BANDS, features.BAND_MIN_HZ, features.BAND_MAX_HZ],
    "chroma": [
        features.CHROMA_MIN_HZ,
        features.CHROMA_MAX_HZ,
        features.CHROMA_CENTER_HZ,
        features.CHROMA_HARMONICS,
        features.CHROMA_COMPRESSION,
    ],
    "key": [
        "albrecht-shanahan-2013",
        key.MIN_CHROMA_CONTRAST,
        key.RELATIVE_MARGIN,
        key.FIFTH_MARGIN,
        key.ENDS_S,
        key.LEADING_TONE_SHARE,
    ],
    "tempo": [
        tempo.MIN_BPM,
        tempo.MAX_BPM,
        tempo.ONSET_FLOOR_DB,
        tempo.PULSE_BAND_MAX_HZ,
        tempo.PULSE_HIGH_WEIGHT,
        tempo.FILL_PERCENTILE,
        tempo.FILL_THRESHOLD,
        tempo.TIGHTNESS,
        tempo.OFFBEAT_WEIGHT,
        tempo.STRICT_TIGHTNESS,
        tempo.MACHINE_TIMING_MAD,
        tempo.START_ONSET_SHARE,
        tempo.HELD_HARMONY_WEIGHT,
        [tempo.SUBDIVISION_FILL, tempo.SUBDIVISION_KEEP],
        tempo.OPEN_STEP_RATIO,
        tempo.CHANGE_GROUPING_MARGIN,
        [tempo.EVEN_PULSE_SHARE, tempo.FINER_PULSE_SHARE, tempo.MIN_EIGHTH_FRAMES],
        [tempo.ATTACK_RISE_SHARE, tempo.ATTACK_MAX_FRAMES],
        tempo.GRID_STRETCH.tolist(),
        tempo.MIN_PERIODICITY,
        tempo.MIN_ONSET_FLUX,
        tempo.HALF_TIME_MIN_BPM,
        tempo.ALTERNATION_MAX,
        tempo.HARMONIC_ACCENT_WEIGHT,
        tempo.DRUMLESS_HIGH_SHARE,
        tempo.DRUMLESS_ALTERNATION_MAX,
        tempo.DRUMLESS_FILL_THRESHOLD,
        tempo.COMPOUND_RATIO,
        tempo.FILL_DOUBT,
        tempo.ALTERNATION_DOUBT,
        tempo.TERNARY_SUPPORT,
        tempo.OFFBEAT_LOW_RATIO,
        tempo.OFFBEAT_CHANGE_RATIO,
        tempo.BAR_CHANGE_WEIGHT,
        tempo.STEADY_HALF_WINDOW,
        tempo.STEADY_OUTLIER,
        tempo.CYCLE_MARGIN,
        [tempo.DOMINANT_PEAKS, tempo.DOMINANT_PEAK_SHARE, tempo.DOMINANT_MIN_FILL],
        [tempo.GRID_AGREEMENT, tempo.GRID_TOLERANCE, tempo.GRID_SPAN, tempo.GRID_STEP, tempo.GRID_ONSET_SHARE],
        [*tempo.SWING_SPAN, tempo.SWING_CONTRAST, tempo.SWING_STEPS, tempo.SWING_PEAK_SHARE],
    ],
    "sections": [
        sections.KERNEL_UNITS,
        sections.MIN_SECTION_UNITS,
        sections.MIN_SECTION_S,
        sections.NOVELTY_THRESHOLD,
        sections.NOVELTY_MIN,
        sections.NOVELTY_WINDOW_KERNELS,
        sections.SAME_LABEL_SIMILARITY,
    ],
    "loudness": [loudness.TRUE_PEAK_OVERSAMPLING, loudness.TRUE_PEAK_HALF_TAPS],
    "frame_layout": frames.LAYOUT_VERSION,
}


def settings_fingerprint() -> str:
    """sha256 of the analyser version and settings."""
    text = json.dumps({"version": ANALYZER_VERSION, "settings": SETTINGS}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint(content: bytes) -> str:
    """sha256 over the uploaded bytes, the analyser version and its settings: equal means the stored
    analysis of this content is current (idempotent re-delivery)."""
    digest = hashlib.sha256(content)
    digest.update(settings_fingerprint().encode())
    return digest.hexdigest()


def analyze(samples: np.ndarray, sample_rate: int, progress: Progress | None = None) -> AnalysisResult:
    """Analyse decoded audio: float samples in [-1, 1], shape (n,) or (n, channels).

    Raises:
        ValueError: no samples, non-finite samples, or a non-positive sample rate.
    """
    x = np.asarray(samples)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2 or not x.size or sample_rate <= 0:
        raise ValueError("expected a non-empty (n,) or (n, channels) array and a positive sample rate")
    step = _chunk_length(sample_rate)
    blocks = (x[i : i + step] for i in range(0, len(x), step))
    return _analyse(blocks, sample_rate, x.shape[1], len(x), progress)


def analyze_bytes(data: bytes, progress: Progress | None = None) -> AnalysisResult:
    """Decode and analyse an encoded file block by block (peak memory independent of the decoded size).

    Raises:
        DecodeError: the bytes are empty, corrupt, truncated or not audio.
    """
    with open_audio(data) as stream:
        blocks = stream.blocks(_chunk_length(stream.sample_rate))
        return _analyse(blocks, stream.sample_rate, stream.channels, stream.declared_frames, progress)


def _chunk_length(sample_rate: int) -> int:
    return CHUNK_SUB_BLOCKS * int(round(sample_rate * loudness.SUB_BLOCK_S))


def _analyse(
    blocks: Iterable[np.ndarray], sr: int, channels: int, expected: int, progress: Progress | None
) -> AnalysisResult:
    loud, peaks = LoudnessMeter(sr, channels), PeakMeter(channels)
    resampler = Resampler(sr, ANALYSIS_RATE)
    spectral = SpectralFeatures(ANALYSIS_RATE)
    front = channel_weights(channels) > 0  # the mono mix leaves out LFE
    mix = (front / front.sum()).astype(np.float32)
    n = 0
    for block in blocks:
        m = len(block)
        x = np.ascontiguousarray(block.T, dtype=np.float32)
        if m % loud.sub_len:  # the last block: whole sub-blocks for the meter; the padding is never counted
            x = np.pad(x, ((0, 0), (0, -m % loud.sub_len)))
        loud.process(x)
        peaks.process(x)
        spectral.process(resampler.process(x[0] if channels == 1 else mix @ x))
        n += m
        if progress:
            progress(min(0.95, 0.95 * n / max(expected, 1)))
    peaks.flush()
    if not np.isfinite(peaks.sample_peak):  # NaN and inf propagate into the block peaks: checking is free
        raise ValueError("the samples contain NaN or infinite values")
    spectral.process(resampler.flush())
    spectral.flush()
    result = _summarise(spectral, loud, peaks, n, sr, channels)
    if progress:
        progress(1.0)
    return result


def _summarise(
    spectral: SpectralFeatures, loud: LoudnessMeter, peaks: PeakMeter, n: int, sr: int, channels: int
) -> AnalysisResult:
    duration = n / sr
    n_frames = math.ceil(math.ceil(n * ANALYSIS_RATE / sr) / spectral.hop)
    feats = spectral.result(n_frames)
    tuning = estimate_tuning(feats["wheel"])
    chroma = per_frame(fold_chroma(feats["wheel"], tuning), n_frames)
    onsets = onset_envelopes(feats["bands"])
    key_chroma = per_frame(fold_chroma(feats["key_wheel"], tuning), n_frames)
    key_profile = key_chroma.sum(axis=0)
    rhythm = analyse_rhythm(onsets, chroma, key.has_pitch_content(key_profile))
    track_key, key_confidence = estimate_key(key_profile, key.opening_and_closing(key_chroma))
    sub_power = loud.sub_block_power(n)
    downbeat_frames = rhythm.beat_frames[rhythm.first_downbeat :: rhythm.beats_per_bar]
    parts = sections.analyse_sections(
        chroma,
        key_chroma,
        feats["bands"],
        rhythm.beat_frames,
        downbeat_frames,
        rhythm.beats,
        sub_power,
        duration,
        rhythm.beats_per_bar,
    )
    has_beats = len(rhythm.beats) > 0
    result = AnalysisResult(
        analyzer_version=ANALYZER_VERSION,
        duration_seconds=duration,
        sample_rate=sr,
        channels=channels,
        tempo_bpm=round(rhythm.bpm, 2) if has_beats else None,
        tempo_confidence=round(rhythm.confidence, 3),
        beats=rhythm.beats,
        downbeats=rhythm.downbeats,
        time_signature=_time_signature(rhythm) if has_beats else None,
        key=track_key,
        key_confidence=round(key_confidence, 3),
        tuning_cents=round(100 * tuning, 1),
        integrated_lufs=rounded(loudness.integrated_loudness(sub_power)),
        loudness_range_lu=rounded(loudness.loudness_range(sub_power)),
        true_peak_dbtp=rounded(to_db(peaks.true_peak_value)),
        sample_peak_dbfs=rounded(to_db(peaks.sample_peak)),
        sections=parts,
        frames=FrameData.encode(feats["bands"], feats["power"], feats["centroid"], onsets.full),
        tempo_unsure=has_beats and rhythm.tempo_unsure,
        tempo_alternative_bpm=round(rhythm.alternative_bpm, 2) if has_beats and rhythm.alternative_bpm else None,
    )
    result.events = _events(rhythm, onsets.full, parts)
    result.summary = _summary(result, rhythm)
    return result


def _time_signature(rhythm: tempo.Rhythm) -> str:
    """ "4/4", "3/4"; compound time counts its eighths: two dotted-quarter beats are "6/8"."""
    return f"{3 * rhythm.beats_per_bar}/8" if rhythm.compound else f"{rhythm.beats_per_bar}/4"


def _events(rhythm: tempo.Rhythm, env: np.ndarray, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Beat, downbeat and section events (time_ms, duration_ms, event_type, event_data, confidence)."""
    beats_ms = np.round(rhythm.beats * 1000).astype(int)
    strength = env[rhythm.beat_frames] if len(rhythm.beat_frames) else np.zeros(0)
    strength = np.clip(strength / (np.percentile(strength, 95) + 1e-12), 0, 1) if len(strength) else strength
    per_bar, first = rhythm.beats_per_bar, rhythm.first_downbeat
    events = []
    for i, t in enumerate(beats_ms):
        bar, position = divmod(i - first, per_bar)
        duration = int(beats_ms[i + 1] - t) if i + 1 < len(beats_ms) else None
        data = {"index": i, "bar": bar + 1, "beat": position + 1}
        events.append(_event(t, duration, "beat", data, strength[i]))
        if position == 0:
            bar_end = i + per_bar
            bar_duration = int(beats_ms[bar_end] - t) if bar_end < len(beats_ms) else None
            events.append(
                _event(t, bar_duration, "downbeat", {"bar": bar + 1, "beats_per_bar": per_bar}, rhythm.meter_confidence)
            )
    for part in parts:
        start_ms = int(round(part["start_s"] * 1000))
        data = {k: part[k] for k in ("label", "section_type", "loudness_lufs", "tempo_bpm", "key")}
        events.append(
            _event(start_ms, int(round(part["end_s"] * 1000)) - start_ms, "section", data, part["confidence"])
        )
    events.sort(key=lambda e: (e["time_ms"], e["event_type"]))
    return events


def _event(
    time_ms: int, duration_ms: int | None, event_type: str, data: dict[str, Any], confidence: float
) -> dict[str, Any]:
    return {
        "time_ms": int(time_ms),
        "duration_ms": duration_ms,
        "event_type": event_type,
        "event_data": data,
        "confidence": round(float(confidence), 3),
    }


def _summary(result: AnalysisResult, rhythm: tempo.Rhythm) -> dict[str, Any]:
    """The JSON a client shows at once."""
    return {
        "analyzer_version": result.analyzer_version,
        "duration_seconds": round(result.duration_seconds, 3),
        "sample_rate": result.sample_rate,
        "channels": result.channels,
        "bpm": result.tempo_bpm,
        "tempo_confidence": result.tempo_confidence,
        "tempo_unsure": result.tempo_unsure,
        "tempo_alternative_bpm": result.tempo_alternative_bpm,
        "time_signature": result.time_signature,
        "meter_confidence": round(rhythm.meter_confidence, 3),
        "key": result.key,
        "key_confidence": result.key_confidence,
        "tuning_cents": result.tuning_cents,
        "integrated_lufs": result.integrated_lufs,
        "loudness_range_lu": result.loudness_range_lu,
        "true_peak_dbtp": result.true_peak_dbtp,
        "sample_peak_dbfs": result.sample_peak_dbfs,
        "beat_count": len(result.beats),
        "bar_count": len(result.downbeats),
        "sections": [{k: s[k] for k in ("start_s", "end_s", "label", "section_type", "key")} for s in result.sections],
        "hop_ms": result.frames.hop_ms,
        "frame_count": result.frames.frame_count,
    }
