"""Pre-rendered phrases on disk, keyed by voice, settings and text.

Each entry is one file: a small header with a SHA-256 of the samples, then
16-bit PCM. Writes go to a temporary file and are renamed into place; a
partial or corrupt entry fails its check and is rendered again.
"""
from __future__ import annotations

import hashlib
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

MAGIC = b"VCP1"
HEADER = struct.Struct("<4sII32s")  # magic, rate, samples, sha256 of the PCM
PCM_SCALE = 32767.0  # full scale as 16-bit samples, rounded to and read back from


def as_stored(samples: np.ndarray) -> np.ndarray:
    """The samples exactly as the cache will give them back, so a line played fresh and one played from
    the cache are the same sound."""
    return _pcm(samples).astype(np.float32) / PCM_SCALE


def _pcm(samples: np.ndarray) -> np.ndarray:
    return np.round(np.clip(samples, -1.0, 1.0) * PCM_SCALE).astype("<i2")


def phrase_key(voice_id: str, length_scale: float, text: str) -> str:
    blob = f"{voice_id}\x00{length_scale:.3f}\x00{text}".encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:32]


class PhraseCache:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.hits = 0
        self.misses = 0
        self.repaired = 0

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pcm"

    def get(self, key: str) -> tuple[np.ndarray, int] | None:
        """The stored audio, or None when absent, partial or corrupt (which counts as a miss)."""
        try:
            blob = self.path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        found = _decode(blob)
        if found is None:
            self.repaired += 1
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(self, key: str, samples: np.ndarray, rate: int) -> None:
        pcm = _pcm(samples).tobytes()
        blob = HEADER.pack(MAGIC, rate, len(pcm) // 2, hashlib.sha256(pcm).digest()) + pcm
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _decode(blob: bytes) -> tuple[np.ndarray, int] | None:
    if len(blob) < HEADER.size:
        return None
    magic, rate, count, digest = HEADER.unpack_from(blob)
    pcm = blob[HEADER.size:]
    if magic != MAGIC or len(pcm) != count * 2 or hashlib.sha256(pcm).digest() != digest:
        return None
    return np.frombuffer(pcm, "<i2").astype(np.float32) / PCM_SCALE, rate
