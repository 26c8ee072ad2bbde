"""Reading and writing WAV files as float32 mono arrays."""
from __future__ import annotations

import struct
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


PCM, FLOAT, EXTENSIBLE = 1, 3, 0xFFFE


def decode_wav(where: str, data: bytes) -> tuple[np.ndarray, int]:
    """Parse RIFF/WAVE: PCM 8/16/24/32-bit, IEEE float 32/64-bit, plain or extensible."""
    if len(data) == 0:
        raise AudioFileError(f"{where}: the file is empty")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioFileError(f"{where}: not a WAV file (no RIFF/WAVE header)")
    chunks = _chunks(data)
    if b"fmt " not in chunks:
        raise AudioFileError(f"{where}: not a usable WAV file (no fmt chunk)")
    if b"data" not in chunks:
        raise AudioFileError(f"{where}: not a usable WAV file (no data chunk; truncated?)")
    kind, channels, rate, width = _format(where, chunks[b"fmt "])
    frame = width * channels
    frames = chunks[b"data"][: len(chunks[b"data"]) // frame * frame]
    if not frames:
        raise AudioFileError(f"{where}: the WAV file holds no audio")
    mono = _to_float(frames, width, kind).reshape(-1, channels).mean(axis=1)
    return np.nan_to_num(mono).astype(np.float32), rate


def _chunks(data: bytes) -> dict[bytes, bytes]:
    chunks, pos = {}, 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        chunks.setdefault(cid, data[pos + 8:pos + 8 + size])
        pos += 8 + size + (size & 1)
    return chunks


def _format(where: str, fmt: bytes) -> tuple[int, int, int, int]:
    if len(fmt) < 16:
        raise AudioFileError(f"{where}: not a usable WAV file (fmt chunk too short)")
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]
    width = bits // 8
    ok = (tag == PCM and width in (1, 2, 3, 4)) or (tag == FLOAT and width in (4, 8))
    if not ok or channels < 1 or not 1000 <= rate <= 384000:
        raise AudioFileError(f"{where}: unsupported WAV layout (format {tag}, {channels} channels, "
                             f"{bits}-bit, {rate} Hz); use PCM or float")
    return tag, channels, rate, width


def _to_float(frames: bytes, width: int, kind: int = PCM) -> np.ndarray:
    if kind == FLOAT:
        return np.frombuffer(frames, "<f4" if width == 4 else "<f8").astype(np.float32)
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
    with open(path, "wb") as fh, wave.open(fh, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(to_int16(samples).tobytes())
