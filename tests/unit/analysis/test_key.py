import pytest
from momentum.analysis import analyze
from momentum.analysis.key import parse_key
from momentum_infra import synth

from .conftest import aba, analysed

KEYS = ["C major", "G major", "Eb major", "F# major", "A minor", "D minor", "C# minor", "Bb minor"]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("seed", [1, 2])  # both cadential progressions
def test_key_of_cadential_progressions(key, seed):
    _, result = analysed(110, key, 4, "rock", seconds=20, seed=seed)

    assert parse_key(result.key) == parse_key(key)
    assert result.key_confidence > 0


@pytest.mark.parametrize("cents", [-40, 35])
def test_detuned_recording_keeps_its_key_and_reports_the_tuning(cents):
    _, result = analysed(100, "E minor", 4, "rock", seconds=12, tuning_cents=cents)

    assert result.key == "E minor"
    assert result.tuning_cents == pytest.approx(cents, abs=8)


def test_no_key_for_drums_only():
    drums = synth.render([synth.Part("A", 6, "C major", "rock", harmony=False)], 120, sample_rate=22050)

    assert analyze(drums.samples, drums.sample_rate).key is None


@pytest.mark.slow
def test_sections_carry_their_own_key():
    _, result = aba()

    assert [s["key"] for s in result.sections] == ["C major", "E minor", "C major"]
    assert synth.mirex_key_score(result.key, "C major") == 1.0
