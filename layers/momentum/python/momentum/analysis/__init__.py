"""Audio analysis in pure numpy: tempo, beats, downbeats, metre, key, sections, loudness, visualiser frames.

Entry points: `analyze_bytes(data)` for an uploaded file (bounded memory), `analyze(samples, sample_rate)`
for decoded audio, `decode(data)` to decode only, `decode_frames(layout, data)` to read stored frames, and
`fingerprint(content)` for idempotent re-delivery.
"""

from .analyzer import ANALYZER_VERSION, SETTINGS, analyze, analyze_bytes, fingerprint, settings_fingerprint
from .decode import Decoded, DecodeError, decode
from .frames import FrameData, decode_frames
from .result import AnalysisResult

__all__ = [
    "ANALYZER_VERSION",
    "SETTINGS",
    "AnalysisResult",
    "DecodeError",
    "Decoded",
    "FrameData",
    "analyze",
    "analyze_bytes",
    "decode",
    "decode_frames",
    "fingerprint",
    "settings_fingerprint",
]
