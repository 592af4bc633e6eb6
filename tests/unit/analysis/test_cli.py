import argparse
import io
import json
import subprocess
import sys

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


def test_plot_into_a_missing_folder_fails_at_once_with_one_line(wav_path, tmp_path, capsys):
    missing = tmp_path / "out" / "dir"

    assert analyze_cmd.run(_args(str(wav_path), "--plot", str(missing / "groove.png"))) == 2

    out, err = capsys.readouterr()
    assert out == ""  # nothing analysed: the folder is checked first
    assert err == f"momentum analyze: --plot: {missing} does not exist\n"
    assert not missing.exists()


def test_plot_under_a_file_is_refused(wav_path, tmp_path, capsys):
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("")

    assert analyze_cmd.run(_args(str(wav_path), "--plot", str(not_a_folder / "groove.png"))) == 2
    assert capsys.readouterr().err == f"momentum analyze: --plot: {not_a_folder} is not a folder\n"


@pytest.mark.slow
def test_plot_that_cannot_be_written_is_reported(wav_path, tmp_path, capsys):
    taken = tmp_path / "groove.png"
    taken.mkdir()  # a folder where the PNG should go

    assert analyze_cmd.run(_args(str(wav_path), "--plot", str(taken))) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"momentum analyze: cannot write {taken}: Is a directory"]


def test_plot_into_a_missing_folder_from_the_command_line(wav_path, tmp_path):
    missing = tmp_path / "nowhere"
    proc = subprocess.run(
        [sys.executable, "-m", "momentum_infra.cli", "analyze", str(wav_path), "--plot", str(missing / "x.png")],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"momentum analyze: --plot: {missing} does not exist"]


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
