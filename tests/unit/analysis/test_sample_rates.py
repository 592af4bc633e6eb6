"""Uploads at any sample rate are analysed at one analysis rate, so every threshold means the same for them."""

from __future__ import annotations

import numpy as np
import pytest
from momentum.analysis import analyze
from momentum.analysis.dsp import Resampler
from momentum.analysis.frames import decode_frames

from .conftest import clip


def _resampled(samples: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    channels = []
    for channel in samples.T:
        resampler = Resampler(sr_in, sr_out)
        channels.append(np.concatenate([resampler.process(channel), resampler.flush()]))
    return np.stack(channels, axis=1)[: len(samples) * sr_out // sr_in]


@pytest.mark.parametrize("rate", [48000, 32000, 96000])
def test_the_same_music_at_another_sample_rate_reads_the_same_features_and_results(rate):
    music = clip(96, "A minor", seconds=20, sample_rate=44100)
    x = music.samples.astype(np.float32)
    reference = analyze(x, 44100)
    other = analyze(_resampled(x, 44100, rate), rate)

    ours = decode_frames(other.frames.frame_layout, other.frames.data)
    theirs = decode_frames(reference.frames.frame_layout, reference.frames.data)
    n = min(len(ours["bands"]), len(theirs["bands"]))
    # the 64 band levels of every frame, in 0.5 dB steps: apart only by the resamplers' rounding (analysed at
    # 24 or 16 kHz, with their own window and bins, 1 % of them were 17-47 dB apart)
    apart = np.abs(ours["bands"][:n] - theirs["bands"][:n])
    assert np.percentile(apart, 99) <= 0.5
    assert other.tempo_bpm == pytest.approx(reference.tempo_bpm, abs=0.05)
    assert len(other.beats) == len(reference.beats)
    assert np.abs(np.asarray(other.beats) - np.asarray(reference.beats)).max() < 0.002
    assert other.key == reference.key
