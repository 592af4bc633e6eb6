"""The analysis evaluation's mastered releases (bench/bench_analysis.py --master): a limiter that makes the
audio as loud and as flat as a commercial master without moving anything in time, so the truth holds."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile
from momentum_infra import synth

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_analysis  # noqa: E402
from analysis_corpus import Piece  # noqa: E402


def _crest_db(x: np.ndarray) -> float:
    mono = x.mean(axis=1)
    return float(20 * np.log10(np.abs(mono).max() / np.sqrt(np.mean(mono**2))))


def test_a_mastered_release_is_louder_and_flatter_with_its_hits_where_they_were(tmp_path: Path) -> None:
    clip = synth.make_clip(bpm=100, style="rock", seconds=12)
    original = tmp_path / "song.flac"
    soundfile.write(original, clip.samples, clip.sample_rate, subtype="PCM_16")
    beats = clip.beats.tolist()
    piece = Piece("song", "render", "rock", "dev", "", 100.0, 4, "C major", beats, beats[::4], [], 12.0, str(original))

    release = bench_analysis.mastered(piece, 10)

    assert release.id == "song.master10" and release.beats == beats
    mastered, sr = soundfile.read(release.audio, dtype="float32", always_2d=True)
    assert sr == clip.sample_rate and mastered.shape == clip.samples.shape
    assert np.abs(mastered).max() <= 10 ** (-1 / 20) + 1e-4  # the ceiling
    assert _crest_db(mastered) <= _crest_db(clip.samples) - 4
    # the limiter only turns the gain down around each peak: the hits stay at their samples
    hop = sr // 100
    levels = [
        np.abs(x.mean(axis=1))[: len(x) // hop * hop].reshape(-1, hop).max(axis=1) for x in (clip.samples, mastered)
    ]
    rises = [np.maximum(np.diff(np.log(lv + 1e-4)), 0) for lv in levels]
    lags = np.arange(-5, 6)
    match = [float(np.dot(rises[0][10:-10], np.roll(rises[1], -lag)[10:-10])) for lag in lags]
    assert lags[int(np.argmax(match))] == 0
