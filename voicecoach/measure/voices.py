"""Voices that speak test audio: our own for tuning (Piper, espeak-ng), and others held out.

flite and festival voices are reserved for an independent check: nothing is trained, tuned or chosen
on them. Every voice returns 16 kHz float samples at a speaking level.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ..audio.resample import resample
from ..audio.wav import decode_wav
from ..listen.endpoint import RATE

TUNING = ("piper:1.0", "piper:1.25", "espeak:en-us", "espeak:en-gb", "espeak:en-us+f3", "espeak:en-us+m3",
          "espeak:en-gb-x-rp", "espeak:en-029")
HELD_OUT = ("flite:kal", "flite:awb", "flite:rms", "flite:slt", "festival:kal_diphone")
LEVEL = 0.5


def available(voices: tuple[str, ...]) -> list[str]:
    tools = {"espeak": "espeak-ng", "flite": "flite", "festival": "text2wave", "piper": None}
    return [v for v in voices if tools[v.split(":")[0]] is None or shutil.which(tools[v.split(":")[0]])]


class Speakers:
    def __init__(self):
        self._piper = None

    def say(self, who: str, text: str) -> np.ndarray:
        kind, name = who.split(":", 1)
        if kind == "piper":
            return self._say_piper(text, float(name))
        wav = {"espeak": _espeak, "flite": _flite, "festival": _festival}[kind](name, text)
        samples, rate = decode_wav(who, wav)
        return _level(resample(samples, rate, RATE))

    def _say_piper(self, text: str, length_scale: float) -> np.ndarray:
        from ..speech.tts import PiperVoice, default_voice_files
        from ..testing import speech_for_mic

        if self._piper is None:
            self._piper = PiperVoice(default_voice_files(), threads=1, steady=True)
        return _level(speech_for_mic(self._piper, text, length_scale))


def _level(samples: np.ndarray) -> np.ndarray:
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    return (samples * (LEVEL / peak)).astype(np.float32) if peak > 0 else samples.astype(np.float32)


def _espeak(voice: str, text: str) -> bytes:
    return subprocess.run(["espeak-ng", "-v", voice, "--stdout"], input=text.encode(), check=True,
                          capture_output=True).stdout


def _flite(voice: str, text: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.wav"
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True, capture_output=True)
        return out.read_bytes()


def _festival(voice: str, text: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.wav"
        subprocess.run(["text2wave", "-eval", f"(voice_{voice})", "-o", str(out)], input=text.encode(),
                       check=True, capture_output=True)
        return out.read_bytes()
