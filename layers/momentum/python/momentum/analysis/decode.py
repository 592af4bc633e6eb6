"""Decoding uploaded audio (WAV, FLAC, OGG Vorbis/Opus, MP3, AIFF …) with libsndfile via soundfile.

soundfile is imported inside the functions: it loads libsndfile through cffi, which the analysis package
must not pay for at import time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from soundfile import SoundFile

DECODE_BLOCK_FRAMES = 1 << 18
TRUNCATION_TOLERANCE = 0.02  # decoded length may fall this far short of the header's before we call it truncated
TRUNCATION_SLACK_FRAMES = 4096  # and this many frames (encoder padding, estimated MP3 lengths)
STREAMING_PLACEHOLDER = 0xFFFFFF00  # data sizes this large mean "unknown length" (written while recording)
# libsndfile's log when a RIFF/AIFF data chunk is shorter than its header says, and for a cut Ogg stream
_TRUNCATED_LOG = re.compile(r"data\s*:\s*(\d+)\s*\(should be (\d+)\)|Last page lacks an end-of-stream", re.I)


class DecodeError(ValueError):
    """The upload is not audio we can decode: empty, corrupt, truncated or of an unsupported format."""


@dataclass(frozen=True)
class Decoded:
    """Decoded audio: float32 samples in [-1, 1], shape (n, channels)."""

    samples: np.ndarray
    sample_rate: int

    @property
    def duration_seconds(self) -> float:
        return len(self.samples) / self.sample_rate


class AudioStream:
    """An open decoder: format facts plus block-wise reading into a reused buffer."""

    def __init__(self, sound_file: SoundFile) -> None:
        self._file = sound_file
        self.sample_rate = int(sound_file.samplerate)
        self.channels = int(sound_file.channels)
        self.declared_frames = int(sound_file.frames)
        self.format = sound_file.format

    def blocks(self, frames: int) -> Iterator[np.ndarray]:
        """Yield float32 (m, channels) blocks of `frames` (the last may be shorter); a view of a reused buffer.

        Raises:
            DecodeError: the stream breaks off or is corrupt part-way.
        """
        from soundfile import SoundFileError

        buffer = np.empty((frames, self.channels), np.float32)
        total = 0
        while True:
            try:
                count = self._file.read(frames, dtype="float32", always_2d=True, out=buffer)
            except SoundFileError as exc:
                raise DecodeError(
                    f"the audio stream is corrupt or truncated after {total / self.sample_rate:.1f} s"
                    f" ({_describe(exc)})"
                ) from exc
            if len(count) == 0:
                break
            total += len(count)
            yield count
            if len(count) < frames:
                break
        self._check_complete(total)

    def _check_complete(self, total: int) -> None:
        if total == 0:
            raise DecodeError("the file contains no audio samples")
        expected = self.declared_frames
        short = expected - total
        if short > TRUNCATION_SLACK_FRAMES and short > TRUNCATION_TOLERANCE * expected:
            raise DecodeError(
                f"the audio stream is truncated: decoded {total / self.sample_rate:.1f} s of the "
                f"{expected / self.sample_rate:.1f} s its header declares"
            )
        match = _TRUNCATED_LOG.search(self._file.extra_info or "")
        if match and (match.group(1) is None or int(match.group(2)) < int(match.group(1)) < STREAMING_PLACEHOLDER):
            raise DecodeError("the audio file is truncated: its data ends before the length its header declares")


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return text.split(": ", 1)[-1] if ": " in text else text or type(exc).__name__


@contextmanager
def open_audio(data: bytes) -> Iterator[AudioStream]:
    """Open encoded audio for block-wise decoding.

    Raises:
        DecodeError: empty input, or not a format libsndfile recognises, or unusable stream parameters.
    """
    import soundfile

    if not data:
        raise DecodeError("the file is empty")
    try:
        sound_file = soundfile.SoundFile(io.BytesIO(data))
    except soundfile.SoundFileError as exc:
        raise DecodeError(f"not a supported audio file (WAV, FLAC, OGG, MP3, AIFF …): {_describe(exc)}") from exc
    with sound_file:
        if sound_file.samplerate <= 0 or sound_file.channels <= 0:
            raise DecodeError("the audio header declares no sample rate or no channels")
        yield AudioStream(sound_file)


def decode(data: bytes) -> Decoded:
    """Decode a whole file into memory (float32, (n, channels)); see `analyze_bytes` for bounded memory.

    Raises:
        DecodeError: the bytes are empty, corrupt, truncated or not audio.
    """
    with open_audio(data) as stream:
        # Filled in place: a list of blocks joined at the end would need twice the decoded size.
        out = np.empty((max(stream.declared_frames, 0), stream.channels), np.float32)
        filled = 0
        for block in stream.blocks(DECODE_BLOCK_FRAMES):
            end = filled + len(block)
            if end > len(out):  # the header under-declared the length (estimated for some MP3s)
                grown = np.empty((max(end, 2 * len(out)), stream.channels), np.float32)
                grown[:filled] = out[:filled]
                out = grown
            out[filled:end] = block
            filled = end
        return Decoded(out[:filled], stream.sample_rate)
