import json
import math
import struct
from itertools import pairwise

import numpy as np
import pytest
from momentum.analysis import FrameData, analyze, decode_frames
from momentum_infra import synth

from .conftest import analysed


@pytest.fixture(scope="module")
def frames() -> FrameData:
    return analysed(120, "C major")[1].frames


def test_frames_are_compact_and_every_hop_ms(frames):
    _, result = analysed(120, "C major")

    assert frames.hop_ms == 20 and isinstance(frames.hop_ms, int)
    assert frames.frame_count == math.ceil(result.duration_seconds * 1000 / frames.hop_ms)
    assert frames.bytes_per_frame == 68
    assert len(frames.data) == frames.frame_count * frames.bytes_per_frame


def test_chunks_cover_every_frame_once_in_order(frames):
    chunks = list(frames.chunks(1000))

    assert [c["chunk_index"] for c in chunks] == list(range(frames.total_chunks(1000)))
    assert chunks[0]["start_frame"] == 0 and chunks[-1]["end_frame"] == frames.frame_count
    assert all(a["end_frame"] == b["start_frame"] for a, b in pairwise(chunks))
    assert sum(c["frame_count"] for c in chunks) == frames.frame_count
    for c in chunks:
        assert c["frame_count"] == c["end_frame"] - c["start_frame"] <= 1000
        assert (c["start_time_ms"], c["end_time_ms"]) == (c["start_frame"] * 20, c["end_frame"] * 20)
        assert c["compression_type"] == ("zlib" if c["compressed"] else None)


def test_chunks_decode_back_to_the_whole(frames):
    whole = decode_frames(frames.frame_layout, frames.data)
    parts = [decode_frames(frames.frame_layout, c["frame_data"], c["compression_type"]) for c in frames.chunks(700)]

    for name, values in whole.items():
        assert np.array_equal(np.concatenate([p[name] for p in parts]), values)
    assert whole["bands"].shape == (frames.frame_count, frames.bands)


def test_layout_alone_decodes_a_frame(frames):
    # A client with only the JSON layout and a struct library reads the same values as decode_frames.
    layout = json.loads(json.dumps(frames.frame_layout))
    raw = frames.data[frames.bytes_per_frame * 100 : frames.bytes_per_frame * 101]
    expected = decode_frames(frames.frame_layout, frames.data)
    for field in layout["fields"]:
        fmt = "<" + field["struct"] * field["count"]
        values = struct.unpack_from(fmt, raw, field["byte_offset"])
        physical = [v * field["scale"] + field["offset"] for v in values]
        assert np.allclose(physical, np.atleast_1d(expected[field["name"]][100]))


def test_frames_measure_a_tone():
    x = synth.sine(1000, 3, 44100, -12.0)
    frames = analyze(x, 44100).frames

    values = decode_frames(frames.frame_layout, frames.data)
    middle = slice(20, -20)
    edges = np.array(frames.frame_layout["fields"][0]["band_edges_hz"])
    band = np.searchsorted(edges, 1000) - 1

    assert np.median(values["bands"][middle].argmax(axis=1)) == band
    assert np.median(values["bands"][middle].max(axis=1)) == pytest.approx(-12.0, abs=1.5)
    assert np.median(values["rms"][middle]) == pytest.approx(-15.0, abs=0.5)  # sine RMS is 3 dB below peak
    assert np.median(values["centroid"][middle]) == pytest.approx(1000, abs=30)


def test_compression_only_where_it_pays():
    n = 1500
    rng = np.random.default_rng(0)
    # levels spread evenly over the whole dB scale make every byte random
    noisy = FrameData.encode(
        10 ** rng.uniform(-12, 0.7, (n, 64)),
        10 ** rng.uniform(-12, 0, n),
        rng.uniform(0, 65535, n),
        rng.uniform(0, 1, n),
    )
    silent = FrameData.encode(np.zeros((n, 64)), np.zeros(n), np.zeros(n), np.zeros(n))

    assert not any(c["compressed"] for c in noisy.chunks())
    assert all(c["compressed"] and len(c["frame_data"]) < 1000 for c in silent.chunks())
    assert decode_frames(silent.frame_layout, silent.data)["rms"].max() == -120.0
