"""Loudness per ITU-R BS.1770-4 / EBU R 128 (integrated, loudness range) and sample / true peak, streaming."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .dsp import BlockIIR, kaiser_sinc

SUB_BLOCK_S = 0.1  # gating blocks (400 ms) and short-term windows (3 s) are sums of 100 ms sub-blocks
GATE_BLOCK_SUBS = 4  # 400 ms, 75 % overlap
SHORT_TERM_SUBS = 30  # 3 s
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LRA_RELATIVE_GATE_LU = -20.0
LRA_PERCENTILES = (10.0, 95.0)
LOUDNESS_OFFSET = -0.691  # BS.1770: cancels the K-filter's gain at 997 Hz
SURROUND_WEIGHT = 1.41  # Ls, Rs
FIVE_ONE_WEIGHTS = (1.0, 1.0, 1.0, 0.0, SURROUND_WEIGHT, SURROUND_WEIGHT)  # L R C LFE Ls Rs (WAV order)

TRUE_PEAK_OVERSAMPLING = 4
TRUE_PEAK_HALF_TAPS = 8  # 16 taps per phase
TRUE_PEAK_CUTOFF = 0.9  # of Nyquist: keeps the audio band, rejects images
TRUE_PEAK_BLOCK = 32
TRUE_PEAK_SEARCH_DB = 6.0  # an inter-sample peak never exceeds its neighbouring samples by this much in practice


def k_weighting(sample_rate: int) -> list[tuple[list[float], list[float]]]:
    """The two K-weighting biquads (high shelf, then high-pass) for any rate, as libebur128 derives them.

    At 48 kHz they reproduce the coefficients tabulated in BS.1770-4.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sample_rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0],
        [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0],
    )
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sample_rate)
    a0 = 1 + k / q + k * k
    highpass = ([1.0, -2.0, 1.0], [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    return [shelf, highpass]


def channel_weights(channels: int) -> np.ndarray:
    """BS.1770 channel weights: 1.0 for front channels, 1.41 for surrounds, 0 for LFE (5.1 in WAV order)."""
    if channels == len(FIVE_ONE_WEIGHTS):
        return np.array(FIVE_ONE_WEIGHTS)
    return np.ones(channels)


def _filter_block(sub_len: int) -> int:
    """Largest divisor of the sub-block length that makes a good matrix row (<= 64 samples)."""
    return max((d for d in range(16, 65) if sub_len % d == 0), default=sub_len)


class LoudnessMeter:
    """K-weighted, channel-weighted energy of every 100 ms sub-block; chunks must be whole sub-blocks."""

    def __init__(self, sample_rate: int, channels: int):
        self.sample_rate = sample_rate
        self.sub_len = int(round(sample_rate * SUB_BLOCK_S))
        self.weights = channel_weights(channels)
        self._filter = BlockIIR(k_weighting(sample_rate), _filter_block(self.sub_len), channels)
        self._energies: list[np.ndarray] = []

    def process(self, x: np.ndarray) -> None:
        """x: float32 (channels, n) with n a multiple of `sub_len`."""
        y = self._filter.process(x).reshape(len(x), -1, self.sub_len)
        self._energies.append(self.weights @ np.einsum("cbl,cbl->cb", y, y))

    def sub_block_power(self, n_samples: int) -> np.ndarray:
        """Mean-square K-weighted power of each complete 100 ms sub-block of the first n_samples."""
        energies = np.concatenate(self._energies) if self._energies else np.zeros(0)
        return energies[: n_samples // self.sub_len] / self.sub_len


def _to_lufs(power: npt.NDArray[np.float64] | float) -> npt.NDArray[np.float64]:
    with np.errstate(divide="ignore"):
        lufs: npt.NDArray[np.float64] = LOUDNESS_OFFSET + 10 * np.log10(power)
    return lufs


def _window_power(sub_power: npt.NDArray[np.float64], subs: int) -> npt.NDArray[np.float64]:
    """Mean power of every window of `subs` consecutive sub-blocks (step: one sub-block)."""
    if len(sub_power) < subs:
        return np.zeros(0)
    c = np.concatenate([[0.0], np.cumsum(sub_power)])
    power: npt.NDArray[np.float64] = (c[subs:] - c[:-subs]) / subs
    return power


def integrated_loudness(sub_power: np.ndarray) -> float | None:
    """Gated integrated loudness (LUFS) of 400 ms blocks; None when nothing passes the absolute gate."""
    blocks = _window_power(sub_power, GATE_BLOCK_SUBS)
    blocks = blocks[_to_lufs(blocks) > ABSOLUTE_GATE_LUFS]
    if not len(blocks):
        return None
    relative_gate = _to_lufs(blocks.mean()) + RELATIVE_GATE_LU
    gated = blocks[_to_lufs(blocks) > relative_gate]
    return float(_to_lufs(gated.mean()))


def loudness_range(sub_power: np.ndarray) -> float | None:
    """Loudness range (LU) per EBU Tech 3342 from 3 s short-term loudness at 10 Hz."""
    short_term = _window_power(sub_power, SHORT_TERM_SUBS)
    short_term = short_term[_to_lufs(short_term) > ABSOLUTE_GATE_LUFS]
    if not len(short_term):
        return None
    relative_gate = _to_lufs(short_term.mean()) + LRA_RELATIVE_GATE_LU
    levels = _to_lufs(short_term)
    low, high = np.percentile(levels[levels > relative_gate], LRA_PERCENTILES)
    return float(high - low)


def _true_peak_matrix() -> np.ndarray:
    """Polyphase 4x interpolation: a window of block + 2*half - 1 samples -> the 3 in-between phases per sample."""
    half, block, over = TRUE_PEAK_HALF_TAPS, TRUE_PEAK_BLOCK, TRUE_PEAK_OVERSAMPLING
    rows = np.arange(block + 2 * half - 1)[:, None] - (half - 1)  # window sample offsets from the block start
    outputs = (np.arange(block)[:, None] + np.arange(1, over)[None, :] / over).ravel()[None, :]
    taps = kaiser_sinc(outputs - rows, TRUE_PEAK_CUTOFF / 2, half)
    return taps.astype(np.float32)


class PeakMeter:
    """Sample peak and 4x-oversampled true peak (BS.1770-4 Annex 2) over all channels, streaming.

    Interpolating every sample would cost more than the rest of the analysis, so only blocks whose sample
    peak is within TRUE_PEAK_SEARCH_DB of the running maximum are oversampled.
    """

    def __init__(self, channels: int):
        self._matrix = _true_peak_matrix()
        self._lead = TRUE_PEAK_HALF_TAPS - 1
        self._carry = np.zeros((channels, self._lead), np.float32)
        self.sample_peak = 0.0
        self.true_peak = 0.0

    def process(self, x: np.ndarray) -> None:
        """x: float32 (channels, n); call flush() after the last chunk."""
        buf = np.concatenate([self._carry, x], axis=1)
        block, window = TRUE_PEAK_BLOCK, self._matrix.shape[0]
        n_blocks = (buf.shape[1] - window) // block + 1 if buf.shape[1] >= window else 0
        if n_blocks <= 0:
            self._carry = buf
            return
        # reduceat over the flat signal: reducing many short rows along the last axis is ~4x slower
        core = np.abs(buf[:, self._lead : self._lead + n_blocks * block])
        block_peak = np.maximum.reduceat(core, np.arange(0, core.shape[1], block), axis=1)
        self.sample_peak = float(np.maximum(self.sample_peak, block_peak.max()))  # NaN stays NaN: bad input shows
        threshold = max(self.sample_peak, self.true_peak) * 10 ** (-TRUE_PEAK_SEARCH_DB / 20)
        chan, idx = np.nonzero(block_peak >= threshold)
        if len(idx):
            windows = buf[chan[:, None], idx[:, None] * block + np.arange(window)]
            self.true_peak = max(self.true_peak, float(np.abs(windows @ self._matrix).max()))
        self._carry = buf[:, n_blocks * block :]

    def flush(self) -> None:
        self.process(np.zeros((len(self._carry), self._matrix.shape[0]), np.float32))

    @property
    def true_peak_value(self) -> float:
        return max(self.true_peak, self.sample_peak)


def to_db(amplitude: float) -> float | None:
    """Amplitude to dB (dBFS / dBTP); None for digital silence."""
    return 20 * math.log10(amplitude) if amplitude > 0 else None
