"""The analysis evaluation's lossy uploads (bench/bench_analysis.py --mp3): an MP3 at the asked bitrate whose
decoded audio keeps the original's timing, so the truth holds unchanged."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_analysis  # noqa: E402
from analysis_corpus import Piece  # noqa: E402


def test_an_mp3_upload_is_at_its_bitrate_and_keeps_the_clicks_where_they_were(tmp_path: Path) -> None:
    sr, seconds = 44100, 8
    audio = np.zeros((seconds * sr, 2), np.float32)
    clicks = np.arange(sr // 3, seconds * sr - sr // 3, sr // 2)
    audio[clicks] = 0.8
    original = tmp_path / "song.flac"
    soundfile.write(original, audio, sr, subtype="PCM_16")
    beats = (clicks / sr).tolist()
    piece = Piece("song", "project", "rock", "dev", "", 120.0, 4, None, beats, beats[::4], [], seconds, str(original))

    upload = bench_analysis.lossy(piece, 128)

    info = soundfile.info(upload.audio)
    assert info.format == "MP3" and upload.id == "song.mp3-128" and upload.beats == beats
    kbps = Path(upload.audio).stat().st_size * 8 / info.duration / 1000
    assert 120 <= kbps <= 136
    decoded, decoded_sr = soundfile.read(upload.audio, dtype="float32")
    assert decoded_sr == sr and len(decoded) == len(audio)
    # each click decodes at its own sample (the encoder's delay undone), give or take the codec's smearing
    peaks = np.array([c - 64 + int(np.argmax(np.abs(decoded[c - 64 : c + 64, 0]))) for c in clicks])
    assert np.abs(peaks - clicks).max() <= 2
