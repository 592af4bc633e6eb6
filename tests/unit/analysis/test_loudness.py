import numpy as np
import pytest
from momentum.analysis import analyze
from momentum.analysis.dsp import BlockIIR
from momentum.analysis.loudness import k_weighting
from momentum_infra import synth

BS1770_SHELF_48K = ([1.53512485958697, -2.69169618940638, 1.19839281085285], [1.0, -1.69065929318241, 0.73248077421585])
BS1770_HIGHPASS_48K = ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])


def test_k_weighting_matches_the_bs1770_table_at_48k():
    (shelf_b, shelf_a), (hp_b, hp_a) = k_weighting(48000)

    assert np.allclose(shelf_b, BS1770_SHELF_48K[0], atol=1e-8)
    assert np.allclose(shelf_a, BS1770_SHELF_48K[1], atol=1e-8)
    assert np.allclose(hp_a, BS1770_HIGHPASS_48K[1], atol=1e-8)


def test_block_filter_equals_the_sample_recursion_across_chunks():
    sections = k_weighting(44100)
    x = np.random.default_rng(3).standard_normal((2, 63 * 60)).astype(np.float32)
    expected = x.astype(float)
    for b, a in sections:  # direct form I, one sample at a time
        y = np.zeros_like(expected)
        for n in range(expected.shape[1]):
            acc = sum(b[i] * expected[:, n - i] for i in range(3) if n - i >= 0)
            acc -= sum(a[j] * y[:, n - j] for j in (1, 2) if n - j >= 0)
            y[:, n] = acc
        expected = y

    f = BlockIIR(sections, 63, 2)
    got = np.concatenate([f.process(x[:, : 63 * 20]), f.process(x[:, 63 * 20 :])], axis=1)

    assert np.max(np.abs(got - expected)) < 1e-4


def _tone_sequence(levels_s: list[tuple[float, float]], sample_rate: int = 48000) -> np.ndarray:
    """Stereo 1 kHz sine at each (dBFS, seconds) in turn (EBU Tech 3341/3342 test signals)."""
    return np.concatenate([synth.sine(1000, seconds, sample_rate, dbfs) for dbfs, seconds in levels_s])


@pytest.mark.parametrize(
    ("levels", "lufs"),
    [
        ([(-23, 20)], -23.0),  # EBU 3341 case 1
        ([(-33, 20)], -33.0),  # case 2
        # Cases 3 and 4 analyse 80 and 120 seconds of audio: slow.
        pytest.param([(-36, 10), (-23, 60), (-36, 10)], -23.0, marks=pytest.mark.slow),  # case 3: relative gate
        pytest.param(  # case 4: absolute gate too
            [(-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10)], -23.0, marks=pytest.mark.slow
        ),
    ],
)
def test_integrated_loudness_ebu_3341(levels, lufs):
    assert analyze(_tone_sequence(levels), 48000).integrated_lufs == pytest.approx(lufs, abs=0.1)


@pytest.mark.parametrize(
    ("levels", "lra"),
    [
        ([(-20, 20), (-30, 20)], 10.0),  # EBU 3342 case 1
        ([(-20, 20), (-15, 20)], 5.0),  # case 2
        ([(-40, 20), (-20, 20)], 20.0),  # case 3
    ],
)
def test_loudness_range_ebu_3342(levels, lra):
    assert analyze(_tone_sequence(levels), 48000).loudness_range_lu == pytest.approx(lra, abs=1.0)


@pytest.mark.parametrize("sample_rate", [22050, 32000, 44100, 96000])
def test_loudness_at_other_sample_rates(sample_rate):
    x = synth.sine(997, 10, sample_rate, -23)

    assert analyze(x, sample_rate).integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_mono_is_one_channel():
    # BS.1770 sums channel powers: the same sine in one channel instead of two is 3 dB quieter
    assert analyze(synth.sine(1000, 10, 48000, -23, channels=1), 48000).integrated_lufs == pytest.approx(-26.0, abs=0.1)


def test_true_peak_finds_the_peak_between_samples():
    # A sine at a quarter of the sample rate with samples at 45 degrees never samples its crest (-3 dB)
    x = synth.sine(12000, 5, 48000, -1.0, phase=np.pi / 4)

    result = analyze(x, 48000)

    assert result.sample_peak_dbfs == pytest.approx(-4.0, abs=0.1)
    assert result.true_peak_dbtp == pytest.approx(-1.0, abs=0.3)


def test_true_peak_of_a_low_tone_is_its_sample_peak():
    result = analyze(synth.sine(100, 5, 44100, -6.0), 44100)

    assert result.true_peak_dbtp == pytest.approx(result.sample_peak_dbfs, abs=0.05)
    assert result.sample_peak_dbfs == pytest.approx(-6.0, abs=0.01)


def test_silence_has_no_loudness():
    result = analyze(np.zeros((48000 * 3, 2), np.float32), 48000)

    assert result.integrated_lufs is None
    assert result.loudness_range_lu is None
    assert result.true_peak_dbtp is None
    assert result.summary["integrated_lufs"] is None
