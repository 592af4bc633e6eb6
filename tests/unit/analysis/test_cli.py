import argparse
import io
import json

import pytest
from momentum_infra import analyze_cmd

from .conftest import clip, encode


@pytest.fixture(scope="module")
def wav_path(tmp_path_factory):
    c = clip(120, "C major", seconds=12, sample_rate=44100)
    path = tmp_path_factory.mktemp("audio") / "groove.wav"
    path.write_bytes(encode(c.samples, c.sample_rate))
    return path


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    analyze_cmd.add_arguments(parser)
    return parser.parse_args(argv)


def test_prints_a_human_summary(wav_path, capsys):
    assert analyze_cmd.run(_args(str(wav_path))) == 0

    out = capsys.readouterr().out
    assert "120.0 BPM" in out and "C major" in out and "LUFS" in out


def test_json_output(wav_path, capsys):
    assert analyze_cmd.run(_args(str(wav_path), "--json")) == 0

    payload = json.loads(capsys.readouterr().out)
    assert payload["summary"]["key"] == "C major"
    assert {e["event_type"] for e in payload["events"]} >= {"beat", "downbeat", "section"}


@pytest.mark.slow
def test_plot_writes_a_png(wav_path, tmp_path, capsys):
    out = tmp_path / "groove.png"

    assert analyze_cmd.run(_args(str(wav_path), "--plot", str(out))) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_errors_are_reported_not_raised(tmp_path, capsys):
    fake = tmp_path / "song.mp3"
    fake.write_text("not audio at all\n")

    assert analyze_cmd.run(_args(str(fake))) == 1
    assert analyze_cmd.run(_args(str(tmp_path / "missing.wav"))) == 1
    err = capsys.readouterr().err
    assert "not a supported audio file" in err and "cannot read" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal(monkeypatch):
    monkeypatch.setattr(analyze_cmd, "PROGRESS_DELAY_S", 0.0)
    stream = _Terminal()
    bar = analyze_cmd.ProgressBar(stream)

    for fraction in (0.1, 0.5, 1.0):
        bar(fraction)
    bar.close()

    assert stream.getvalue().endswith("] 100%\n") and "#" * 15 in stream.getvalue()
    quiet = analyze_cmd.ProgressBar(io.StringIO())
    quiet(0.5)
    assert not quiet.drawn
