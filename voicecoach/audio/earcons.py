"""Earcons, generated in code: soft tones with gentle attacks and long decays."""
from __future__ import annotations

import numpy as np

# name -> list of (frequency Hz, start s, length s)
NOTES = {
    "chime": [(659.25, 0.0, 0.9), (987.77, 0.12, 0.9)],
    "bell": [(523.25, 0.0, 1.4)],
    "wake": [(587.33, 0.0, 0.18), (880.0, 0.09, 0.25)],
    "done": [(783.99, 0.0, 0.7), (523.25, 0.18, 0.9)],
    "stop": [(659.25, 0.0, 0.2), (440.0, 0.1, 0.3)],
}


def tone(freq: float, seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    body = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(2 * np.pi * 2 * freq * t)
    attack = np.minimum(1.0, t / 0.015)
    decay = np.exp(-t * 4.0 / seconds)
    return (body * attack * decay).astype(np.float32)


def earcon(name: str, rate: int, gain: float = 0.5) -> np.ndarray:
    """The named earcon at `rate`, peaking at `gain`."""
    notes = NOTES[name]
    length = max(start + dur for _, start, dur in notes)
    out = np.zeros(int(length * rate) + 1, dtype=np.float32)
    for freq, start, dur in notes:
        part = tone(freq, dur, rate)
        begin = int(start * rate)
        out[begin:begin + len(part)] += part
    peak = float(np.max(np.abs(out))) or 1.0
    return out * (gain / peak)
