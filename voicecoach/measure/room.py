"""Rooms for the listening evaluation: a steady fan, other talk, an echoey bedroom, and these together.

Everything is made here from seeded noise and our own voices, so a figure measured today is measured the
same way tomorrow. Levels are relative to the person's voice: "fan at -10" is a fan 10 dB below it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..listen.endpoint import BLOCK, RATE

# Other talk is read by a tuning voice from text that ships with every Debian system (and the project).
TALKER = "espeak:en-gb+m3"
LICENSES = Path("/usr/share/common-licenses")
OWN_LICENSE = Path(__file__).resolve().parents[2] / "LICENSE"
# Every room has a microphone's own hiss under it: a real one never gives digital silence.
MIC_FLOOR_DB = -65.0


@dataclass(frozen=True)
class Condition:
    name: str
    fan_db: float | None = None   # steady fan noise, dB relative to the voice
    talk_db: float | None = None  # other speech (a radio, a TV), dB relative to the voice
    reverb_s: float = 0.0         # RT60 of the room; 0 is a dry room


CONDITIONS = (
    Condition("quiet"),
    Condition("fan-20", fan_db=-20),
    Condition("fan-10", fan_db=-10),
    Condition("talk-20", talk_db=-20),
    Condition("talk-10", talk_db=-10),
    Condition("reverb", reverb_s=0.6),
    Condition("all", fan_db=-20, talk_db=-20, reverb_s=0.6),
)


def by_name(names: list[str] | None) -> tuple[Condition, ...]:
    if not names:
        return CONDITIONS
    known = {c.name: c for c in CONDITIONS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown room condition {', '.join(unknown)}; known: {', '.join(known)}")
    return tuple(known[n] for n in names)


def active_rms(speech: np.ndarray) -> float:
    """The level of the voice while it speaks (the loudest half of its 20 ms frames)."""
    frames = speech[: len(speech) // 320 * 320].reshape(-1, 320)
    power = np.sort(np.mean(frames.astype(np.float64) ** 2, axis=1))
    loud = power[len(power) // 2:]
    return float(np.sqrt(np.mean(loud))) if len(loud) else 0.0


def fan_noise(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Steady broadband noise shaped like a fan: pink-ish hiss with a low hum from the motor."""
    n = int(round(seconds * RATE))
    white = rng.standard_normal(n)
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    spectrum /= np.sqrt(np.maximum(freqs, 60.0))
    noise = np.fft.irfft(spectrum, n)
    t = np.arange(n) / RATE
    noise += 0.3 * np.std(noise) * np.sin(2 * np.pi * 100 * t + rng.uniform(0, 2 * np.pi))
    return (noise / np.std(noise)).astype(np.float32)


def room_response(rt60: float, rng: np.random.Generator) -> np.ndarray:
    """An impulse response: the direct sound, a few early reflections and an exponentially dying tail."""
    n = int(rt60 * RATE)
    t = np.arange(n) / RATE
    tail = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    tail[: int(0.005 * RATE)] = 0.0
    response = 0.4 * tail / np.sqrt(np.sum(tail ** 2))
    for delay, gain in ((0.004, 0.6), (0.009, 0.45), (0.015, 0.3)):
        response[int(delay * RATE)] += gain
    response[0] = 1.0
    return response.astype(np.float32)


def reverberate(audio: np.ndarray, rt60: float, rng: np.random.Generator) -> np.ndarray:
    response = room_response(rt60, rng)
    size = len(audio) + len(response) - 1
    wet = np.fft.irfft(np.fft.rfft(audio, size) * np.fft.rfft(response, size), size)[: len(audio)]
    return (wet * (active_rms(audio) / max(active_rms(wet), 1e-9))).astype(np.float32)


class Room:
    """Puts a voice into a condition: the same voice and seed give the same samples.

    With `voice_db`, every voice speaks at that level (its active RMS, dBFS), so the room's own sounds keep
    one level from one trial to the next, as a fan does all night; without it, the room's sounds follow
    each voice's level (voices differ by up to 10 dB), and a steady fan jumps at every trial."""

    def __init__(self, talk: np.ndarray, seed: int = 0, mic_floor_db: float | None = MIC_FLOOR_DB,
                 voice_db: float | None = None):
        self.talk = talk  # a long stretch of other speech to cut from
        self.seed = seed
        self.mic_floor = 0.0 if mic_floor_db is None else 10 ** (mic_floor_db / 20)
        self.voice_level = None if voice_db is None else 10 ** (voice_db / 20)

    def place(self, speech: np.ndarray, condition: Condition, lead: float = 1.0, tail: float = 1.5,
              trial: int = 0) -> tuple[np.ndarray, int]:
        """The voice inside `lead` and `tail` seconds of the room; returns the audio and where speech ends."""
        rng = np.random.default_rng([self.seed, trial])
        level = active_rms(speech)
        if self.voice_level is not None and level > 0:
            speech, level = speech * (self.voice_level / level), self.voice_level
        voice = np.concatenate([np.zeros(int(lead * RATE)), speech, np.zeros(int(tail * RATE))]).astype(np.float32)
        if condition.reverb_s:
            voice = reverberate(voice, condition.reverb_s, rng)
        mix = voice.copy()
        if condition.fan_db is not None:
            mix += fan_noise(len(voice) / RATE, rng) * level * 10 ** (condition.fan_db / 20)
        if condition.talk_db is not None:
            mix += self._talk(len(voice), rng) * level * 10 ** (condition.talk_db / 20)
        if self.mic_floor:
            mix += rng.normal(0.0, self.mic_floor, len(mix)).astype(np.float32)
        return np.clip(mix, -1, 1).astype(np.float32), int(lead * RATE) + len(speech)

    def _talk(self, n: int, rng: np.random.Generator) -> np.ndarray:
        start = int(rng.integers(0, max(1, len(self.talk) - n)))
        piece = self.talk[start:start + n]
        piece = np.pad(piece, (0, n - len(piece)))
        return piece / max(active_rms(piece), 1e-9)


def reading(words: int, offset: int = 0) -> str:
    """Plain read text: the licence texts every Debian system ships (the project's own LICENSE if not)."""
    files = sorted(LICENSES.glob("*")) if LICENSES.is_dir() else [OWN_LICENSE]
    text = " ".join(p.read_text(errors="replace") for p in files if p.is_file()).split()
    text = [w for w in text if any(c.isalpha() for c in w)]
    return " ".join((text * (1 + (offset + words) // max(1, len(text))))[offset:offset + words])


class SpeakerEcho:
    """The device's own voice as its microphone hears it, 20 ms at a time: the loudspeaker's band limits and
    mild distortion, a delay, a reverberant room, and the small clock drift between speaker and microphone.
    `gain` is the echo's level against what was played (1.0: as loud at the microphone as it left)."""

    def __init__(self, gain: float, seed: int = 0, delay_s: float = 0.03, rt60: float = 0.35,
                 drift_ppm: float = 60.0):
        rng = np.random.default_rng(seed)
        path = np.convolve(_loudspeaker_band(), room_response(rt60, rng))
        path = np.concatenate([np.zeros(int(delay_s * RATE), np.float32), path])
        self.path = (gain * path / np.sqrt(np.sum(path ** 2))).astype(np.float32)
        self.step = 1.0 - drift_ppm * 1e-6  # microphone samples per speaker sample
        self._size = 1 << int(np.ceil(np.log2(BLOCK + len(self.path))))
        self._spectrum = np.fft.rfft(self.path, self._size)
        self._ringing = np.zeros(len(self.path) - 1, np.float32)  # the room's sound still to come
        self._heard = np.zeros(0, np.float32)  # echo on the speaker's clock, not yet read by the microphone
        self._position = 0.0  # where the microphone's clock is in `_heard`

    def feed(self, played: np.ndarray) -> np.ndarray:
        """What the microphone picks up of the block just played (as many samples)."""
        driven = np.tanh(1.5 * played) / 1.5  # a small loudspeaker, pushed: a little distortion
        sound = np.fft.irfft(np.fft.rfft(driven, self._size) * self._spectrum, self._size)[: len(played) + len(self._ringing)]
        sound[: len(self._ringing)] += self._ringing
        self._ringing = sound[len(played):].astype(np.float32)
        self._heard = np.concatenate([self._heard, sound[: len(played)].astype(np.float32)])
        return self._read(len(played))

    def _read(self, frames: int) -> np.ndarray:
        where = self._position + np.arange(frames) * self.step
        out = np.interp(where, np.arange(len(self._heard)), self._heard).astype(np.float32)
        self._position += frames * self.step
        used = int(self._position) - 1
        if used > 0:
            self._heard = self._heard[used:]
            self._position -= used
        return out



def _loudspeaker_band(low: float = 180.0, high: float = 6500.0, taps: int = 129) -> np.ndarray:
    """A small loudspeaker passes little below `low` or above `high` (a windowed-sinc band-pass)."""
    n = np.arange(taps) - (taps - 1) / 2
    sinc = lambda f: 2 * f / RATE * np.sinc(2 * f / RATE * n)  # noqa: E731
    return ((sinc(high) - sinc(low)) * np.hamming(taps)).astype(np.float32)
