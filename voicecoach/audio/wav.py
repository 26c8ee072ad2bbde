"""Reading and writing WAV files as float32 mono arrays."""
from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from .resample import resample


class AudioFileError(ValueError):
    """A sound file that cannot be used; the message says which and why."""


def read_wav(path: str | Path, rate: int | None = None) -> tuple[np.ndarray, int]:
    """Any PCM WAV (8/16/24/32-bit, any channels, any rate) → float32 mono, resampled to `rate`."""
    where = str(path)
    try:
        with open(where, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise AudioFileError(f"{where}: no such file") from None
    except OSError as exc:
        raise AudioFileError(f"{where}: cannot read it ({exc.strerror})") from None
    samples, src_rate = decode_wav(where, data)
    if rate and rate != src_rate:
        samples = resample(samples, src_rate, rate)
    return samples, rate or src_rate


def decode_wav(where: str, data: bytes) -> tuple[np.ndarray, int]:
    if len(data) == 0:
        raise AudioFileError(f"{where}: the file is empty")
    try:
        with wave.open(io.BytesIO(data)) as w:
            channels, width, rate, count = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            frames = w.readframes(count)
    except (wave.Error, EOFError, ValueError) as exc:
        raise AudioFileError(f"{where}: not a usable WAV file ({exc})") from None
    if channels < 1 or rate < 1000 or width not in (1, 2, 3, 4):
        raise AudioFileError(f"{where}: unsupported WAV layout ({channels} channels, {width}-byte samples, {rate} Hz)")
    usable = len(frames) // (width * channels) * (width * channels)
    if usable == 0:
        raise AudioFileError(f"{where}: the WAV file holds no audio")
    mono = _to_float(frames[:usable], width).reshape(-1, channels).mean(axis=1)
    return mono.astype(np.float32), rate


def _to_float(frames: bytes, width: int) -> np.ndarray:
    if width == 1:
        return (np.frombuffer(frames, np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(frames, "<i2").astype(np.float32) / 32768.0
    if width == 3:
        raw = np.frombuffer(frames, np.uint8).reshape(-1, 3).astype(np.int32)
        value = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        value = np.where(value >= 1 << 23, value - (1 << 24), value)
        return value.astype(np.float32) / float(1 << 23)
    return np.frombuffer(frames, "<i4").astype(np.float32) / float(1 << 31)


def to_int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")


def write_wav(path: str | Path, samples: np.ndarray, rate: int) -> None:
    """Write float32 mono samples as 16-bit PCM."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(to_int16(samples).tobytes())
