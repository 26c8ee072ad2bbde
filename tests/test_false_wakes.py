"""Long stretches of talk that is not for the device must wake nothing.

The talk is the project's own LICENSE read aloud by espeak-ng in two voices: thirty minutes of
plain speech, like a radio left on, over low noise.
"""
from pathlib import Path

import numpy as np

from tests.conftest import espeak, scene
from voicecoach.session import build_spotter
from voicecoach.config import Config
from voicecoach.listen.engines.sphinx_engine import SphinxEngine
from voicecoach.understand.router import Router

MINUTES = 30


def radio(minutes: float) -> np.ndarray:
    words = (Path(__file__).parent.parent / "LICENSE").read_text().split()
    per_voice = int(minutes * 170 / 2)
    parts = [espeak(" ".join(words[i * per_voice:(i + 1) * per_voice]), voice, speed=170)
             for i, voice in enumerate(["en-us", "en-gb+m3"])]
    return scene(*parts, noise_level=0.002)


def test_half_an_hour_of_unrelated_speech_wakes_nothing():
    """The device's own listening pipeline: front end, continuous detection and second checks."""
    spotter = build_spotter(Config(), Router(), SphinxEngine())
    assert spotter.detector is not None
    audio = radio(MINUTES)
    assert len(audio) / 16000 > MINUTES * 60 * 0.8
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    heard = [h.text for i in range(0, len(pcm) - 319, 320) for h in spotter.feed(pcm[i:i + 320])]
    assert heard == []
