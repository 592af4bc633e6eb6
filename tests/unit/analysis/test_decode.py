import numpy as np
import pytest
import soundfile
from momentum.analysis import DecodeError, analyze_bytes, decode

from .conftest import clip, encode

FORMATS = [("WAV", "PCM_16"), ("FLAC", "PCM_16"), ("OGG", "VORBIS"), ("MP3", "MPEG_LAYER_III")]


@pytest.fixture(scope="module")
def music():
    return clip(120, "A minor", seconds=12, sample_rate=44100)


@pytest.mark.parametrize(("fmt", "subtype"), FORMATS)
def test_formats_decode_and_analyse(music, fmt, subtype):
    if fmt not in soundfile.available_formats():
        pytest.skip(f"this libsndfile has no {fmt}")
    data = encode(music.samples, music.sample_rate, fmt, subtype)

    decoded = decode(data)
    result = analyze_bytes(data)

    assert decoded.samples.dtype == np.float32 and decoded.samples.shape[1] == 2
    assert decoded.sample_rate == music.sample_rate
    assert decoded.duration_seconds == pytest.approx(len(music.samples) / music.sample_rate, abs=0.1)
    assert result.tempo_bpm == pytest.approx(120, rel=0.04)
    assert result.key == "A minor"


def test_mono_decodes_to_one_channel(music):
    decoded = decode(encode(music.samples[:, 0], music.sample_rate, "FLAC"))

    assert decoded.samples.shape == (len(music.samples), 1)


def test_bytes_and_samples_give_the_same_analysis(music):
    from momentum.analysis import analyze

    from_bytes = analyze_bytes(encode(music.samples, music.sample_rate, "WAV", "FLOAT"))
    from_samples = analyze(music.samples, music.sample_rate)

    assert from_bytes.summary == from_samples.summary
    assert from_bytes.frames.data == from_samples.frames.data


def _truncated(music, fmt, subtype):
    data = encode(music.samples, music.sample_rate, fmt, subtype)
    return data[: len(data) // 2]


def _header_only(music):
    return encode(np.zeros((0, 2), np.float32), music.sample_rate, "WAV")


BAD_INPUTS = {
    "empty": (lambda m: b"", "empty"),
    "random bytes": (lambda m: np.random.default_rng(0).bytes(4096), "not a supported audio file"),
    "text named .mp3": (lambda m: b"ID3? no, just a text file\n" * 40, "not a supported audio file"),
    "wav header without data": (_header_only, "no audio samples"),
    "truncated wav": (lambda m: _truncated(m, "WAV", "PCM_16"), "truncated"),
    "truncated flac": (lambda m: _truncated(m, "FLAC", "PCM_16"), "truncated"),
    "truncated ogg": (lambda m: _truncated(m, "OGG", "VORBIS"), "truncated"),
    "truncated mp3": (lambda m: _truncated(m, "MP3", "MPEG_LAYER_III"), "truncated"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_raises_decode_error_with_a_clear_message(music, case):
    make, phrase = BAD_INPUTS[case]
    data = make(music)

    for attempt in (decode, analyze_bytes):
        with pytest.raises(DecodeError) as info:
            attempt(data)
        assert phrase in str(info.value)


def test_audio_shorter_than_a_second_is_analysed(music):
    result = analyze_bytes(encode(music.samples[: music.sample_rate // 3], music.sample_rate, "WAV"))

    assert result.duration_seconds == pytest.approx(1 / 3, abs=0.01)
    assert result.tempo_bpm is None
    assert result.frames.frame_count == 17
    assert result.sections[0]["end_s"] == pytest.approx(result.duration_seconds, abs=1e-3)
