"""Streaming signal-processing blocks built on matrix products, so numpy's BLAS does the per-sample work.

Filters here work a block of samples at a time as dense matrix products (block Toeplitz form): numpy has no
sample-by-sample recursion, a Python loop over samples would be ~1000x slower, and BLAS runs these small
products near the CPU's peak.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from math import gcd

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

KAISER_BETA = 8.0  # about 80 dB stop-band attenuation
SINC_ZERO_CROSSINGS = 12  # per side; sets the transition width of the resampling low-pass
RESAMPLE_CUTOFF = 0.92  # pass band edge as a fraction of the lower Nyquist frequency
RESAMPLE_BLOCK = 64  # input samples per matrix row (at least; rounded to whole resampling periods)
SCAN_NEGLIGIBLE = 1e-12  # block feedback this small no longer changes float32 output
GRAMIAN_NEGLIGIBLE = 1e-8  # a^k this small adds < 1e-16 (relative) to a Gramian


def kaiser_sinc(offsets: npt.NDArray[np.float64], cutoff: float, half_width: float) -> npt.NDArray[np.float64]:
    """Windowed-sinc low-pass taps at fractional `offsets` (in input samples); `cutoff` in cycles per sample."""
    ratio = np.clip(offsets / half_width, -1.0, 1.0)
    kaiser = np.i0(KAISER_BETA * np.sqrt(1.0 - ratio**2)) / np.i0(KAISER_BETA)
    taps: npt.NDArray[np.float64] = 2 * cutoff * np.sinc(2 * cutoff * offsets) * kaiser * (np.abs(offsets) < half_width)
    return taps


@lru_cache(maxsize=8)
def _resampling_matrix(up: int, down: int) -> tuple[np.ndarray, int, int, int]:
    """(matrix, input block, output block, context) for rational resampling by up/down."""
    cutoff = 0.5 * RESAMPLE_CUTOFF * min(1.0, up / down)
    context = int(np.ceil(SINC_ZERO_CROSSINGS / (2 * cutoff)))
    reps = max(1, RESAMPLE_BLOCK // down)
    block_in, block_out = down * reps, up * reps
    rows = np.arange(block_in + 2 * context)[:, None]
    out_pos = np.arange(block_out)[None, :] * down / up  # output times in input samples
    taps = kaiser_sinc(out_pos - (rows - context), cutoff, context)
    taps /= taps.sum(axis=0, keepdims=True)  # exact unity gain at DC for every output phase
    return taps.astype(np.float32), block_in, block_out, context


class Resampler:
    """Streaming rational resampler (Kaiser-windowed sinc) from rate sr_in to sr_out (or any two integers in that
    ratio: Resampler(4, 1) decimates by 4); output sample m sits at input time m * sr_in / sr_out."""

    def __init__(self, sr_in: int, sr_out: int):
        g = gcd(sr_in, sr_out)
        self.up, self.down = sr_out // g, sr_in // g
        self.identity = self.up == self.down
        if not self.identity:
            self.matrix, self.block_in, self.block_out, self.context = _resampling_matrix(self.up, self.down)
            self._carry = np.zeros(self.context, np.float32)  # silence before the start

    def process(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        if self.identity:
            return x
        buf = np.concatenate([self._carry, x])
        window = self.block_in + 2 * self.context
        rows = (len(buf) - 2 * self.context) // self.block_in
        if rows <= 0:
            self._carry = buf
            return np.zeros(0, np.float32)
        frames = sliding_window_view(buf, window)[:: self.block_in][:rows]
        self._carry = buf[rows * self.block_in :]
        out: npt.NDArray[np.float32] = (frames @ self.matrix).ravel()
        return out

    def flush(self) -> npt.NDArray[np.float32]:
        if self.identity:
            return np.zeros(0, np.float32)
        return self.process(np.zeros(self.block_in + 2 * self.context, np.float32))


def _gramian_factor(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """L with L @ L.T = sum_k a^k b b^T a^kT (the Gramian), by squaring (Smith's method): stable and positive."""
    gram, power = b @ b.T, a
    while np.abs(power).max() > GRAMIAN_NEGLIGIBLE:
        gram = gram + power @ gram @ power.T
        power = power @ power
    values, vectors = np.linalg.eigh(gram)
    factor: npt.NDArray[np.float64] = vectors * np.sqrt(np.clip(values, 1e-300, None))
    return factor


# (A, B, C, D) of a state-space filter: x' = A x + B u, y = C x + D u
StateSpace = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], float]
Sections = tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]


def _balanced_state_space(b: npt.NDArray[np.float64], a: npt.NDArray[np.float64]) -> StateSpace:
    """Balanced realisation (A, B, C, D) of one low-order section b(z)/a(z).

    A direct form would carry past outputs as state, and for the 38 Hz high-pass of the K-filter those
    combine with weights around 50 of opposite signs, which float32 cannot add up accurately. In balanced
    coordinates every state has the same, modest gain to the input and to the output.
    """
    n = len(a) - 1
    comp = np.zeros((n, n))
    comp[0] = -a[1:]
    comp[1:, :-1] = np.eye(n - 1)
    ctrl = np.zeros((n, 1))
    ctrl[0, 0] = 1.0
    obs = (b[1:] - b[0] * a[1:])[None, :]
    lc, lo = _gramian_factor(comp, ctrl), _gramian_factor(comp.T, obs.T)
    u, sv, vt = np.linalg.svd(lo.T @ lc)
    to_bal = lc @ vt.T / np.sqrt(sv)
    from_bal = (u / np.sqrt(sv)).T @ lo.T
    return from_bal @ comp @ to_bal, from_bal @ ctrl, obs @ to_bal, float(b[0])


def _cascade(sections: Sections) -> StateSpace:
    """State space of second-order sections in series, each kept in its own balanced coordinates."""
    am, bm, cm, dm = _balanced_state_space(*(np.array(c) for c in sections[0]))
    for b, a in sections[1:]:
        a2, b2, c2, d2 = _balanced_state_space(np.array(b), np.array(a))
        n1, n2 = len(am), len(a2)
        am = np.block([[am, np.zeros((n1, n2))], [b2 @ cm, a2]])
        bm = np.vstack([bm, b2 * dm])
        cm = np.hstack([d2 * cm, c2])
        dm = d2 * dm
    return am, bm, cm, dm


@lru_cache(maxsize=8)
def _block_iir_matrices(
    sections: Sections, block: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.float64]]:
    """Block form of a state-space filter: y = x @ T + s @ O and s_next = s @ F + x @ G (row-vector states)."""
    am, bm, cm, dm = _cascade(sections)
    n = am.shape[0]
    powers = [np.eye(n)]
    for _ in range(block):
        powers.append(powers[-1] @ am)
    impulse = np.array([dm] + [(cm @ powers[k] @ bm).item() for k in range(block - 1)])
    lags = np.arange(block)[None, :] - np.arange(block)[:, None]
    toeplitz = np.where(lags >= 0, impulse[np.clip(lags, 0, None)], 0.0)
    observe = np.stack([(cm @ powers[j]).ravel() for j in range(block)], axis=1)
    gain = np.stack([(powers[block - 1 - i] @ bm).ravel() for i in range(block)])
    f32 = np.float32
    return toeplitz.astype(f32), gain.astype(f32), observe.astype(f32), powers[block].T


class BlockIIR:
    """Streaming IIR filter (any order) over several channels at once, exact up to float rounding.

    Each block's zero-state response is one matrix product; the state carried from block to block is a
    linear recurrence over blocks, solved with a log-depth parallel prefix scan in float64.
    """

    def __init__(self, sections: Sequence[tuple[Sequence[float], Sequence[float]]], block: int, channels: int):
        """`sections`: (b, a) coefficient pairs of filters applied in series, e.g. the two K-weighting biquads."""
        normalised = tuple(
            (tuple(np.asarray(b, float) / a[0]), tuple(np.asarray(a, float) / a[0])) for b, a in sections
        )
        self.block = block
        self.toeplitz, self.gain, self.observe, self.feedback = _block_iir_matrices(normalised, block)
        self._state = np.zeros((channels, len(self.feedback)))

    def process(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Filter x of shape (channels, blocks * block); returns float32 output of the same shape."""
        ch, n = x.shape
        rows = x.reshape(ch * (n // self.block), self.block)
        y = rows @ self.toeplitz
        state = (rows @ self.gain).astype(np.float64).reshape(ch, -1, len(self.feedback))  # block-end, zero start
        state[:, 0] += self._state @ self.feedback
        power, step = self.feedback, 1
        # Doubling scan; the filter is stable, so terms beyond the point where F^step vanishes are dropped.
        while step < state.shape[1] and np.abs(power).max() > SCAN_NEGLIGIBLE:
            state[:, step:] += state[:, :-step] @ power
            power, step = power @ power, step * 2
        start = np.concatenate([self._state[:, None, :], state[:, :-1]], axis=1).astype(np.float32)
        y += start.reshape(len(y), -1) @ self.observe
        self._state = state[:, -1].copy()
        out: npt.NDArray[np.float32] = y.reshape(ch, n)
        return out


def frame_signal(x: np.ndarray, length: int, hop: int) -> np.ndarray:
    """View of all complete frames of `length` samples, `hop` apart (no copy)."""
    if len(x) < length:
        return np.zeros((0, length), x.dtype)
    return sliding_window_view(x, length)[::hop]
