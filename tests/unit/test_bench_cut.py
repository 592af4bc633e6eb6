"""The analysis evaluation's excerpts (bench/bench_analysis.py --cut): audio and truth start where the cut does."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_analysis  # noqa: E402
from analysis_corpus import Piece  # noqa: E402


def test_a_cut_starts_the_audio_and_the_truth_that_far_in(tmp_path: Path) -> None:
    sr = 8000
    audio = np.linspace(-0.5, 0.5, 20 * sr, dtype=np.float32)
    original = tmp_path / "song.flac"
    soundfile.write(original, audio, sr, subtype="PCM_16")
    beats = [0.5 * k for k in range(40)]
    piece = Piece(
        "song", "project", "rock", "dev", "", 120.0, 4, None, beats, beats[::4], [0.0, 8.0], 20.0, str(original)
    )

    excerpt = bench_analysis.cut(piece, 7.25)

    cut_audio, cut_sr = soundfile.read(excerpt.audio, dtype="float32")
    assert cut_sr == sr and len(cut_audio) == 20 * sr - int(7.25 * sr)
    assert cut_audio[0] == pytest.approx(audio[int(7.25 * sr)], abs=1e-4)
    assert excerpt.beats[0] == pytest.approx(0.25) and excerpt.downbeats[0] == pytest.approx(0.75)
    assert excerpt.sections == [pytest.approx(0.75)]
    assert excerpt.duration == pytest.approx(12.75) and excerpt.id == "song.cut7.25"
