"""`momentum analyze FILE [--json] [--plot OUT.png]`: the cloud analyser on a local audio file."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from momentum.analysis.result import AnalysisResult

PROGRESS_DELAY_S = 0.5  # files analysed faster than this never show a bar
BAR_WIDTH = 30
PLOT_COLUMNS = 2000  # waveform envelope resolution


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="audio file (WAV, FLAC, OGG, MP3, AIFF …)")
    parser.add_argument("--json", action="store_true", help="print the summary, sections and events as JSON")
    parser.add_argument(
        "--plot",
        type=Path,
        metavar="OUT.png",
        help="draw waveform, beats, sections, key and spectrogram into a PNG (needs matplotlib)",
    )


def run(args: argparse.Namespace) -> int:
    from momentum.analysis import DecodeError, analyze_bytes

    # Checked before the analysis, which can take a while, rather than when the PNG is saved.
    if args.plot and not args.plot.parent.is_dir():
        problem = "is not a folder" if args.plot.parent.exists() else "does not exist"
        print(f"momentum analyze: --plot: {args.plot.parent} {problem}", file=sys.stderr)
        return 2
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"momentum analyze: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    bar = ProgressBar(sys.stderr)
    try:
        result = analyze_bytes(data, progress=bar)
    except DecodeError as exc:
        bar.close()
        print(f"momentum analyze: {args.file}: {exc}", file=sys.stderr)
        return 1
    bar.close()
    if args.json:
        print(json.dumps({"summary": result.summary, "sections": result.sections, "events": result.events}, indent=2))
    else:
        print(human_summary(args.file.name, result))
    if args.plot:
        try:
            plot(result, data, args.plot, title=args.file.name)
        except ImportError:
            print("momentum analyze: --plot needs matplotlib (pip install matplotlib)", file=sys.stderr)
            return 1
        except OSError as exc:  # e.g. no permission to write there
            print(f"momentum analyze: cannot write {args.plot}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"plot written to {args.plot}", file=sys.stderr)
    return 0


class ProgressBar:
    """A text bar on a terminal, drawn only once an analysis has run longer than PROGRESS_DELAY_S."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.enabled = stream.isatty()
        self.started = time.monotonic()
        self.drawn = False
        self.percent = -1

    def __call__(self, fraction: float) -> None:
        percent = int(100 * fraction)
        if not self.enabled or percent == self.percent:
            return
        if not self.drawn and time.monotonic() - self.started < PROGRESS_DELAY_S:
            return
        self.percent = percent
        filled = int(round(BAR_WIDTH * fraction))
        self.stream.write(f"\ranalysing [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {100 * fraction:3.0f}%")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def human_summary(name: str, result: AnalysisResult) -> str:
    s = result.summary
    minutes, seconds = divmod(s["duration_seconds"], 60)
    lines = [
        f"{name}: {int(minutes)}:{seconds:04.1f}, {s['sample_rate']} Hz, {s['channels']} ch",
        f"  tempo      {_fmt(s['bpm'], ' BPM')} (confidence {s['tempo_confidence']:.2f}"
        + (f", unsure: or {s['tempo_alternative_bpm']:g}" if s.get("tempo_alternative_bpm") else "")
        + "), "
        f"time signature {s['time_signature'] or 'n/a'}, {s['beat_count']} beats, {s['bar_count']} bars",
        f"  key        {s['key'] or 'n/a'} (confidence {s['key_confidence']:.2f}), "
        f"tuning {s['tuning_cents']:+.0f} cents",
        f"  loudness   {_fmt(s['integrated_lufs'], ' LUFS')} integrated, range {_fmt(s['loudness_range_lu'], ' LU')}, "
        f"true peak {_fmt(s['true_peak_dbtp'], ' dBTP')}, sample peak {_fmt(s['sample_peak_dbfs'], ' dBFS')}",
        "  sections",
    ]
    for part in result.sections:
        name_part = f" ({part['section_type']})" if part["section_type"] else ""
        lines.append(
            f"    {part['start_s']:7.1f}-{part['end_s']:7.1f} s  {part['label']}{name_part:10s} "
            f"{part['key'] or '':9s} {_fmt(part['loudness_lufs'], ' LUFS')}"
        )
    return "\n".join(lines)


def plot(result: AnalysisResult, data: bytes, out: Path, title: str = "") -> None:
    """Waveform with beats, downbeats and sections over the band spectrogram of the stored frames.

    Raises:
        ImportError: matplotlib is not installed.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from momentum.analysis import decode, decode_frames

    samples = decode(data).samples.mean(axis=1)
    columns = min(PLOT_COLUMNS, len(samples))
    usable = len(samples) // columns * columns
    blocks = samples[:usable].reshape(columns, -1)
    t_wave = (np.arange(columns) + 0.5) * (usable / columns) / result.sample_rate
    frames = decode_frames(result.frames.frame_layout, result.frames.data)
    hop_s = result.frames.hop_ms / 1000
    edges = result.frames.frame_layout["fields"][0]["band_edges_hz"]

    fig, (ax_wave, ax_spec) = plt.subplots(
        2, 1, figsize=(14, 7), sharex=True, height_ratios=[1, 1.4], layout="constrained"
    )
    ax_wave.fill_between(t_wave, blocks.min(axis=1), blocks.max(axis=1), color="0.35", linewidth=0)
    colours = plt.get_cmap("tab10")
    labels = sorted({part["label"] for part in result.sections})
    for part in result.sections:
        colour = colours(labels.index(part["label"]) % 10)
        ax_wave.axvspan(part["start_s"], part["end_s"], color=colour, alpha=0.15, linewidth=0)
        name = part["label"] + (f" {part['section_type']}" if part["section_type"] else "")
        ax_wave.text(
            part["start_s"],
            1.02,
            f"{name}\n{part['key'] or ''}",
            fontsize=8,
            va="bottom",
            transform=ax_wave.get_xaxis_transform(),
        )
    ax_wave.vlines(result.beats, -1, 1, color="tab:blue", linewidth=0.4, alpha=0.5)
    ax_wave.vlines(result.downbeats, -1, 1, color="tab:red", linewidth=0.9)
    ax_wave.set_ylim(-1, 1)
    ax_wave.set_ylabel("amplitude")
    extent = [-hop_s / 2, (result.frames.frame_count - 0.5) * hop_s, 0, len(edges) - 1]
    image = ax_spec.imshow(
        frames["bands"].T,
        origin="lower",
        aspect="auto",
        extent=extent,
        cmap="magma",
        vmin=-90,
        vmax=0,
        interpolation="nearest",
    )
    ticks = [i for i, f in enumerate(edges) if i % 8 == 0]
    ax_spec.set_yticks(ticks, [f"{edges[i]:.0f}" for i in ticks])
    ax_spec.set_ylabel("Hz")
    ax_spec.set_xlabel("seconds")
    fig.colorbar(image, ax=[ax_wave, ax_spec], label="dB re full scale", pad=0.01)
    s = result.summary
    fig.suptitle(
        f"{title}  —  {_fmt(s['bpm'], ' BPM')} {s['time_signature'] or ''}, {s['key'] or 'no key'}, "
        f"{_fmt(s['integrated_lufs'], ' LUFS')}, {_fmt(s['true_peak_dbtp'], ' dBTP')}"
    )
    fig.savefig(out, dpi=100)
    plt.close(fig)
