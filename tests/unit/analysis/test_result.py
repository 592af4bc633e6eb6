import hashlib
import json
import tracemalloc

import numpy as np
import pytest
from momentum.analysis import ANALYZER_VERSION, analyze, analyze_bytes, fingerprint, settings_fingerprint

from .conftest import analysed, clip, encode

SUMMARY_KEYS = {
    "analyzer_version",
    "duration_seconds",
    "sample_rate",
    "channels",
    "bpm",
    "tempo_confidence",
    "tempo_unsure",
    "tempo_alternative_bpm",
    "time_signature",
    "meter_confidence",
    "key",
    "key_confidence",
    "tuning_cents",
    "integrated_lufs",
    "loudness_range_lu",
    "true_peak_dbtp",
    "sample_peak_dbfs",
    "beat_count",
    "bar_count",
    "sections",
    "hop_ms",
    "frame_count",
}


def test_fingerprint_covers_content_version_and_settings():
    assert fingerprint(b"abc") == fingerprint(b"abc")
    assert fingerprint(b"abc") != fingerprint(b"abd")
    assert fingerprint(b"abc") != hashlib.sha256(b"abc").hexdigest()
    assert len(fingerprint(b"abc")) == 64 and len(settings_fingerprint()) == 64


def test_summary_is_json_and_complete():
    _, result = analysed(120, "C major")
    summary = json.loads(json.dumps(result.summary))

    assert set(summary) == SUMMARY_KEYS
    assert summary["analyzer_version"] == ANALYZER_VERSION
    assert (summary["bpm"], summary["key"], summary["time_signature"]) == (result.tempo_bpm, "C major", "4/4")
    assert (summary["tempo_unsure"], summary["tempo_alternative_bpm"]) == (False, None)
    assert json.loads(result.to_json())["frames"]["frame_layout"] == result.frames.frame_layout


def test_events_match_beats_bars_and_sections():
    _, result = analysed(120, "C major")
    by_type = {t: [e for e in result.events if e["event_type"] == t] for t in ("beat", "downbeat", "section")}

    assert {e["event_type"] for e in result.events} == set(by_type)
    assert [e["time_ms"] for e in result.events] == sorted(e["time_ms"] for e in result.events)
    assert [e["time_ms"] for e in by_type["beat"]] == list(np.round(result.beats * 1000).astype(int))
    assert len(by_type["downbeat"]) == len(result.downbeats)
    assert all(
        e["event_data"]["beat"] == 1
        for e in by_type["beat"]
        if e["time_ms"] in {d["time_ms"] for d in by_type["downbeat"]}
    )
    assert all(isinstance(e["time_ms"], int) and 0 <= e["confidence"] <= 1 for e in result.events)
    assert sum(e["duration_ms"] for e in by_type["section"]) == pytest.approx(result.duration_seconds * 1000, abs=2)


def test_progress_is_reported_up_to_one():
    c = clip(100, "D major", seconds=20, sample_rate=44100)
    seen = []

    analyze(c.samples, c.sample_rate, progress=seen.append)

    assert len(seen) >= 3
    assert seen == sorted(seen) and seen[-1] == 1.0


@pytest.mark.slow
def test_memory_stays_flat_for_long_tracks():
    # 4 minutes of 44.1 kHz stereo is 85 MB as float32; the streaming pass never holds it (measured: 18 MB).
    loop = clip(125, "A minor", 4, "house", seconds=10, sample_rate=44100)
    data = encode(np.tile(loop.samples, (24, 1)), loop.sample_rate, "FLAC")

    tracemalloc.start()
    result = analyze_bytes(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert result.duration_seconds > 235
    assert peak < 25 * 2**20


def test_rejects_empty_input():
    with pytest.raises(ValueError):
        analyze(np.zeros((0, 2), np.float32), 44100)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_rejects_non_finite_samples(bad):
    x = np.zeros((44100, 2), np.float32)
    x[1000, 1] = bad

    with pytest.raises(ValueError, match="NaN or infinite"):
        analyze(x, 44100)
