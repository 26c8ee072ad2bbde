import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voicecoach.audio.wav import write_wav
from voicecoach.testing import speech_for_mic

RATE = 16000


def pytest_collection_modifyitems(items):
    """The 2,000-session soak first: with `-n auto --dist worksteal` one worker starts it at once and the
    others take the rest of the tests from its queue, instead of the soak starting last and running alone
    (`loadfile` sends the files with the most tests first)."""
    items.sort(key=lambda item: item.path.name != "test_soak.py")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("VOICECOACH_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    """One phrase cache for the tests that render real practices, so each line is synthesized once."""
    return tmp_path_factory.mktemp("shared-cache")


@pytest.fixture(scope="session")
def joe():
    from voicecoach.speech.tts import PiperVoice, default_voice_files

    return PiperVoice(default_voice_files(), threads=1, steady=True)


@pytest.fixture(scope="session")
def sphinx():
    from voicecoach.listen.engines.sphinx_engine import SphinxEngine

    return SphinxEngine()


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.float32)


def espeak(text: str, voice: str = "en-us", speed: int = 150, pitch: int = 50) -> np.ndarray:
    """Speech from espeak-ng at 16 kHz."""
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout"],
                         input=text.encode("utf-8"), check=True, capture_output=True).stdout
    from voicecoach.audio.wav import decode_wav
    from voicecoach.audio.resample import resample

    samples, rate = decode_wav("espeak", wav)
    return resample(samples, rate, RATE)


def piper_speech(voice, text: str, length_scale: float = 1.0) -> np.ndarray:
    return speech_for_mic(voice, text, length_scale)


def noise(seconds: float, level: float = 0.01, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).normal(0, level, int(seconds * RATE))).astype(np.float32)


def blocks_of(audio: np.ndarray) -> list[np.ndarray]:
    """Float audio as the 20 ms int16 blocks a microphone stream gives (a last part block is left out)."""
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    return [pcm[i:i + 320] for i in range(0, len(pcm) - 319, 320)]


def scene(*parts: np.ndarray, noise_level: float = 0.0) -> np.ndarray:
    audio = np.concatenate(parts).astype(np.float32)
    if noise_level:
        audio = audio + np.random.default_rng(0).normal(0, noise_level, len(audio)).astype(np.float32)
    return audio


def save(path: Path, audio: np.ndarray) -> Path:
    write_wav(path, audio, RATE)
    return path


def run_cli(*args: str, stdin: str | None = None, env: dict | None = None, timeout: float = 300):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "voicecoach", *args], input=stdin, capture_output=True,
                          text=True, env=full_env, timeout=timeout)

