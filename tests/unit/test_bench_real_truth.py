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
