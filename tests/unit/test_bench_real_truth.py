"""The analysis evaluation's truth readers (bench/analysis_real.py) on small projects written here."""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import analysis_real  # noqa: E402

H2SONG = """<?xml version="1.0" encoding="UTF-8"?>
<song>
 <bpm>120</bpm>
 <patternList>
  <pattern><name>a</name><size>192</size><denominator>4</denominator></pattern>
  <pattern><name>b</name><size>384</size><denominator>4</denominator></pattern>
 </patternList>
 <patternSequence>
  <group><patternID>a</patternID></group>
  <group><patternID>a</patternID><patternID>b</patternID></group>
 </patternSequence>
 <BPMTimeLine/>
</song>
"""


def test_hydrogen_columns_last_their_longest_pattern(tmp_path: Path) -> None:
    song = tmp_path / "s.h2song"
    song.write_text(H2SONG)
    truth = analysis_real.hydrogen_truth(song)
    assert truth["bpm"] == 120
    assert truth["downbeats"] == [0.0, 2.0, 4.0]  # the second column holds a two-bar pattern
    assert truth["beats"] == [k * 0.5 for k in range(12)]
    assert truth["end"] == 6.0


def test_hydrogen_refuses_a_tempo_timeline(tmp_path: Path) -> None:
    song = tmp_path / "s.h2song"
    song.write_text(H2SONG.replace("<BPMTimeLine/>", "<BPMTimeLine><newBPM><BAR>1</BAR></newBPM></BPMTimeLine>"))
    with pytest.raises(ValueError, match="tempo"):
        analysis_real.hydrogen_truth(song)


MMP = """<?xml version="1.0"?>
<lmms-project version="1.0">
 <head bpm="150" timesig_numerator="3" timesig_denominator="4" mastervol="100"/>
 <song>
  <trackcontainer type="song">
   <track type="0" muted="0" name="lead">
    <instrumenttrack/>
    <pattern pos="144" len="288" name=""><note pos="0" len="48" key="60" vol="100"/></pattern>
   </track>
   <track type="0" muted="1" name="muted">
    <pattern pos="0" len="2000" name=""><note pos="0" len="48" key="60" vol="100"/></pattern>
   </track>
   <track type="5" name="automation"><automationpattern pos="0" len="5000"/></track>
  </trackcontainer>
 </song>
</lmms-project>
"""


def test_lmms_grid_runs_from_the_first_clips_bar_to_the_last_clip(tmp_path: Path) -> None:
    project = tmp_path / "p.mmpz"
    data = MMP.encode()
    project.write_bytes(len(data).to_bytes(4, "big") + zlib.compress(data))
    truth = analysis_real.lmms_truth(project)
    quarter = 60 / 150
    assert truth["bpm"] == pytest.approx(150)
    assert truth["beats_per_bar"] == 3
    # The clip starts in bar 2 (tick 144 = 3 quarters) and ends at tick 432: the muted track and the
    # automation track do not count.
    assert truth["beats"] == pytest.approx([k * quarter for k in range(3, 9)])
    assert truth["downbeats"] == pytest.approx([3 * quarter, 6 * quarter])
    assert truth["end"] == pytest.approx(9 * quarter)


def test_lmms_refuses_an_automated_tempo(tmp_path: Path) -> None:
    project = tmp_path / "p.mmp"
    automated = '<head timesig_numerator="3" timesig_denominator="4"><bpm value="150" id="7"/></head>'
    project.write_text(
        MMP.replace('<head bpm="150" timesig_numerator="3" timesig_denominator="4" mastervol="100"/>', automated)
    )
    with pytest.raises(ValueError, match="automated"):
        analysis_real.lmms_truth(project)


def _song(seed: int, lost: tuple[float, float] | None = None, sr: int = 8000, seconds: float = 20.0):
    """A render: a decaying noise hit every half second; `lost` silences a stretch of it (a track that dropped)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    t = np.arange(int(sr * seconds)) / sr
    audio = 0.5 * rng.standard_normal(len(t)) * np.exp(-8 * (t % 0.5))
    if lost:
        audio[int(lost[0] * sr) : int(lost[1] * sr)] = 0.0
    return np.stack([audio, audio], axis=1).astype("float32"), sr


def _fake_lmms(monkeypatch: pytest.MonkeyPatch, renders: list) -> list:
    """Replace the lmms call with one that writes the next of `renders` where lmms would write its wav."""
    import soundfile

    calls: list = []

    def run(args, **_kwargs):
        audio, sr = renders[len(calls)]
        soundfile.write(args[args.index("--output") + 1], audio, sr)
        calls.append(args)

    monkeypatch.setattr(analysis_real.subprocess, "run", run)
    return calls


def test_an_lmms_render_is_kept_once_two_in_a_row_agree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # free-running noise differs sample by sample between renders; a lost track does not pass for a take
    calls = _fake_lmms(monkeypatch, [_song(1, lost=(5.0, 15.0)), _song(2), _song(3)])
    out = tmp_path / "song.flac"
    analysis_real.render_lmms(Path("song.mmpz"), out)
    assert len(calls) == 3
    assert out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.flac"]  # no render left behind


def test_an_lmms_project_whose_renders_never_agree_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    renders = [_song(k, lost=(2.0 + 4 * k, 5.0 + 4 * k)) for k in range(analysis_real.RENDER_ATTEMPTS)]
    calls = _fake_lmms(monkeypatch, renders)
    out = tmp_path / "song.flac"
    with pytest.raises(RuntimeError, match="no two in a row agree"):
        analysis_real.render_lmms(Path("song.mmpz"), out)
    assert len(calls) == analysis_real.RENDER_ATTEMPTS
    assert list(tmp_path.iterdir()) == []


def test_renders_of_different_lengths_disagree(tmp_path: Path) -> None:
    import soundfile

    for name, seconds in (("a", 20.0), ("b", 20.5)):
        audio, sr = _song(1, seconds=seconds)
        soundfile.write(tmp_path / f"{name}.wav", audio, sr)
    a, b = (analysis_real._window_levels(tmp_path / f"{n}.wav") for n in "ab")
    assert analysis_real._renders_agree(a, a[:])
    assert not analysis_real._renders_agree(a, b)
