"""Sample-rate conversion with soxr, and small pure helpers for levels."""
from __future__ import annotations

import numpy as np


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    if src_rate == dst_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    import soxr

    return soxr.resample(samples.astype(np.float32, copy=False), src_rate, dst_rate, quality="HQ")


class PieceResampler:
    """Resamples a sound that arrives in pieces so that the pieces joined are, sample for sample, the whole
    resampled at once: a line streamed a sentence at a time sounds exactly as it will from the cache."""

    def __init__(self, src_rate: int, dst_rate: int):
        self._stream = None
        if src_rate != dst_rate:
            import soxr

            self._stream = soxr.ResampleStream(src_rate, dst_rate, 1, dtype="float32", quality="HQ")

    def piece(self, samples: np.ndarray, last: bool = False) -> np.ndarray:
        """The resampled audio ready so far; `last` flushes what the filter still holds."""
        samples = samples.astype(np.float32, copy=False)
        if self._stream is None:
            return samples
        return self._stream.resample_chunk(samples, last=last)


def rms_dbfs(samples: np.ndarray) -> float:
    """Root-mean-square level in dB relative to full scale; silence is -120."""
    if len(samples) == 0:
        return -120.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20.0 * np.log10(rms) if rms > 1e-6 else -120.0


def trim_silence(samples: np.ndarray, rate: int, threshold: float = 0.01, keep_ms: float = 15.0) -> np.ndarray:
    """Cut leading and trailing near-silence, keeping a few ms so words are not clipped."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    if len(loud) == 0:
        return samples[:0]
    keep = int(rate * keep_ms / 1000)
    return samples[max(0, loud[0] - keep): loud[-1] + keep + 1]


def fade(samples: np.ndarray, rate: int, in_ms: float = 5.0, out_ms: float = 10.0) -> np.ndarray:
    """Short linear fades at both ends so nothing clicks."""
    out = samples.astype(np.float32, copy=True)
    n_in, n_out = min(len(out), int(rate * in_ms / 1000)), min(len(out), int(rate * out_ms / 1000))
    if n_in:
        out[:n_in] *= np.linspace(0.0, 1.0, n_in, dtype=np.float32)
    if n_out:
        out[-n_out:] *= np.linspace(1.0, 0.0, n_out, dtype=np.float32)
    return out
