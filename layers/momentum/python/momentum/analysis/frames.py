"""Per-frame visualiser data as fixed-size little-endian binary frames, stored in zlib chunks.

One frame (68 bytes, every 20 ms) holds 64 band levels and the RMS level as uint8 half-decibels, the
spectral centroid as uint16 Hz and the onset strength as uint8. The original design's 130 float32 every
10 ms cost 52 kB per second of audio; this is 3.4 kB before compression. `frame_layout` describes every
field (byte offset, type, scale and offset to physical units), so a client needs nothing else to decode.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import HOP_MS, N_BANDS, band_edges, frame_blocks

LAYOUT_VERSION = 1
DB_STEP, DB_FLOOR = 0.5, -120.0  # uint8 levels: dB = value * 0.5 - 120, so 0 is silence and 255 is +7.5 dB
CENTROID_MAX_HZ = 65535
DEFAULT_CHUNK_FRAMES = 1000  # 20 s of audio per stored chunk
ZLIB_LEVEL = 6
MIN_COMPRESSION_GAIN = 0.1  # store a chunk compressed only when that saves at least 10 %

_FIELDS = (  # name, numpy type, count, unit
    ("bands", "u1", N_BANDS, "dB re full-scale sine"),
    ("centroid", "<u2", 1, "Hz"),
    ("onset", "u1", 1, "spectral flux (sum of log10 band-power rises)"),
    ("rms", "u1", 1, "dBFS"),
)
_STRUCT_CODES = {"u1": "B", "<u2": "H"}


def _dtype(layout: dict[str, Any]) -> np.dtype[np.void]:
    """numpy structured dtype described by a frame layout."""
    return np.dtype(
        {
            "names": [f["name"] for f in layout["fields"]],
            "formats": [(f["dtype"], (f["count"],)) if f["count"] > 1 else f["dtype"] for f in layout["fields"]],
            "offsets": [f["byte_offset"] for f in layout["fields"]],
            "itemsize": layout["bytes_per_frame"],
        }
    )


def make_layout(onset_scale: float) -> dict[str, Any]:
    """The JSON-able frame layout; physical value = raw * scale + offset."""
    scales = {
        "bands": (DB_STEP, DB_FLOOR),
        "centroid": (1.0, 0.0),
        "onset": (onset_scale, 0.0),
        "rms": (DB_STEP, DB_FLOOR),
    }
    fields: list[dict[str, Any]] = []
    offset = 0
    for name, dtype, count, unit in _FIELDS:
        scale, add = scales[name]
        fields.append(
            {
                "name": name,
                "byte_offset": offset,
                "dtype": dtype,
                "struct": _STRUCT_CODES[dtype],
                "count": count,
                "scale": scale,
                "offset": add,
                "unit": unit,
            }
        )
        offset += np.dtype(dtype).itemsize * count
    fields[0]["band_edges_hz"] = [round(float(f), 2) for f in band_edges()]
    return {
        "version": LAYOUT_VERSION,
        "byte_order": "little",
        "bytes_per_frame": offset,
        "hop_ms": HOP_MS,
        "frame_time": "frame i is centred at i * hop_ms milliseconds",
        "fields": fields,
    }


def _db_to_u8(db: np.ndarray) -> np.ndarray:
    return np.clip(np.round((db - DB_FLOOR) / DB_STEP), 0, 255).astype(np.uint8)


def _power_db(power: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.floating[Any]]:
    with np.errstate(divide="ignore"):
        db: npt.NDArray[np.floating[Any]] = 10 * np.log10(power)
    return db


@dataclass
class FrameData:
    """Encoded per-frame features: `data` holds frame_count * bytes_per_frame bytes."""

    hop_ms: int
    frame_count: int
    bands: int
    bytes_per_frame: int
    frame_layout: dict[str, Any]
    data: bytes

    @classmethod
    def encode(cls, band_power: np.ndarray, power: np.ndarray, centroid: np.ndarray, onset: np.ndarray) -> FrameData:
        """Quantise per-frame features (powers relative to a full-scale sine) into binary frames."""
        onset_scale = float(onset.max()) / 255 if len(onset) and onset.max() > 0 else 1.0
        layout = make_layout(onset_scale)
        frames = np.zeros(len(band_power), _dtype(layout))
        for block in frame_blocks(len(frames)):
            frames["bands"][block] = _db_to_u8(_power_db(band_power[block]))
        frames["centroid"] = np.clip(np.round(centroid), 0, CENTROID_MAX_HZ)
        frames["onset"] = np.clip(np.round(onset / onset_scale), 0, 255)
        # A full-scale sine's power is 1 here and its RMS -3.01 dBFS.
        frames["rms"] = _db_to_u8(_power_db(power / 2))
        return cls(HOP_MS, len(frames), N_BANDS, layout["bytes_per_frame"], layout, frames.tobytes())

    def chunks(self, chunk_size_frames: int = DEFAULT_CHUNK_FRAMES) -> Iterator[dict[str, Any]]:
        """Consecutive chunks covering every frame once; end_frame and end_time_ms are exclusive."""
        for index, start in enumerate(range(0, self.frame_count, chunk_size_frames)):
            end = min(start + chunk_size_frames, self.frame_count)
            raw = self.data[start * self.bytes_per_frame : end * self.bytes_per_frame]
            packed = zlib.compress(raw, ZLIB_LEVEL)
            compressed = len(packed) <= (1 - MIN_COMPRESSION_GAIN) * len(raw)
            yield {
                "chunk_index": index,
                "start_frame": start,
                "end_frame": end,
                "start_time_ms": start * self.hop_ms,
                "end_time_ms": end * self.hop_ms,
                "frame_count": end - start,
                "frame_data": packed if compressed else raw,
                "compressed": compressed,
                "compression_type": "zlib" if compressed else None,
            }

    def total_chunks(self, chunk_size_frames: int = DEFAULT_CHUNK_FRAMES) -> int:
        return -(-self.frame_count // chunk_size_frames)


def decode_frames(layout: dict[str, Any], data: bytes, compression_type: str | None = None) -> dict[str, np.ndarray]:
    """Physical per-frame values from frame bytes using only the layout: name -> float array, shape
    (frames,) or (frames, count). Raw zero levels (silence) decode to the floor value."""
    if compression_type == "zlib":
        data = zlib.decompress(data)
    elif compression_type is not None:
        raise ValueError(f"unknown compression type {compression_type!r}")
    frames = np.frombuffer(data, _dtype(layout))
    return {f["name"]: frames[f["name"]].astype(np.float64) * f["scale"] + f["offset"] for f in layout["fields"]}
