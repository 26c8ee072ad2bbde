"""Fakes shipped with the package, for tests and for laptops without the engines.

They implement the same small interfaces as the real parts: a voice, a
recognition engine, and a report collector.
"""
from __future__ import annotations

import re
from typing import Iterator

import numpy as np


class ToneVoice:
    """A stand-in voice: one short tone per word, a gap between sentences. Length scale stretches it."""

    voice_id = "tone-test-voice"
    sample_rate = 16000

    def __init__(self):
        self.calls = 0

    def sentences(self, text: str, length_scale: float = 1.0, cancelled=None) -> Iterator[np.ndarray]:
        self.calls += 1
        for sentence in [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]:
            if cancelled and cancelled():
                return
            words = sentence.split()
            yield np.concatenate([self._word(w, length_scale) for w in words])

    def _word(self, word: str, length_scale: float) -> np.ndarray:
        n = int(0.18 * length_scale * self.sample_rate)
        t = np.arange(n) / self.sample_rate
        freq = 200 + 15 * (sum(map(ord, word)) % 20)
        envelope = np.minimum(1, np.minimum(t, t[::-1]) / 0.02)
        tone = 0.5 * np.sin(2 * np.pi * freq * t) * envelope
        return np.concatenate([tone, np.zeros(int(0.04 * self.sample_rate))]).astype(np.float32)


def speech_for_mic(voice, text: str, length_scale: float = 1.0, level: float = 0.7) -> np.ndarray:
    """What a microphone would hear of `voice` saying `text`: 16 kHz float samples at `level`."""
    from .audio.resample import resample
    from .listen.endpoint import RATE

    audio = np.concatenate(list(voice.sentences(text, length_scale)))
    return resample(audio, voice.sample_rate, RATE) * level


class ScriptedEngine:
    """An engine whose recognizers return scripted texts, one per utterance, in order."""

    name = "scripted"

    def __init__(self, script: dict[str, list[str]] | None = None):
        self.script = {mode: list(texts) for mode, texts in (script or {}).items()}
        self.fed = 0

    def recognizer(self, phrases: list[str]) -> "ScriptedRecognizer":
        return ScriptedRecognizer(self, phrases)

    def open_recognizer(self, sentences: list[str]) -> "ScriptedRecognizer":
        """The script speaks through the grammars; open transcription hears nothing here."""
        return ScriptedRecognizer(self, None)

    def next_text(self, phrases: list[str]) -> str:
        for texts in self.script.values():
            if texts and (texts[0] in phrases or not texts[0]):
                return texts.pop(0)
        return ""


class ScriptedRecognizer:
    def __init__(self, engine: ScriptedEngine, phrases: list[str]):
        self.engine = engine
        self.phrases = phrases

    def begin(self) -> None:
        pass

    def feed(self, pcm: bytes) -> None:
        self.engine.fed += len(pcm) // 2

    def partial(self) -> str:
        return ""

    def end(self) -> str:
        return self.engine.next_text(self.phrases) if self.phrases is not None else ""

    def runners_up(self, n: int) -> list[str]:
        return []

    def cancel(self) -> None:
        pass


class Reports:
    """Collects (event, data) reports, as `simulate --json` prints them."""

    def __init__(self):
        self.items: list[tuple[str, dict]] = []

    def __call__(self, event: str, data: dict) -> None:
        self.items.append((event, dict(data)))

    def named(self, event: str) -> list[dict]:
        return [data for name, data in self.items if name == event]

    def names(self) -> list[str]:
        return [name for name, _ in self.items]


class FakeStream:
    """A stand-in audio stream: frames move when `flow()` is called, unless it has stopped or stalled."""

    def __init__(self, name: str = "speaker"):
        self.name = name
        self.blocks = 0
        self.active = False
        self.stalled = False
        self.closed = False

    def start(self) -> "FakeStream":
        self.active = True
        return self

    def flow(self, blocks: int = 1) -> None:
        if self.active and not self.stalled:
            self.blocks += blocks

    def fail(self) -> None:
        """What PortAudio does after an error in its own thread: the stream is simply no longer active."""
        self.active = False

    def close(self) -> None:
        self.active = False
        self.closed = True


class FakeAudioDevice:
    """Opens FakeStreams while `present`; otherwise fails as PortAudio does for a missing device."""

    def __init__(self, name: str = "speaker"):
        self.name = name
        self.present = True
        self.opened: list[FakeStream] = []
        self.rescans = 0

    def open(self) -> FakeStream:
        if not self.present:
            raise OSError(f"no {self.name} device")
        self.opened.append(FakeStream(self.name))
        return self.opened[-1]

    def rescan(self) -> None:
        self.rescans += 1

    @property
    def current(self) -> FakeStream:
        return self.opened[-1]


class ScriptedControls:
    """A controls' network that hears what it is told, at the blocks it is told (counted from the first block
    it is fed): for the spotter's rules on what it hears and when (listen/controlword.py has the real one)."""

    def __init__(self, at: dict[int, str] | None = None):
        self.at = dict(at or {})
        self.fed = 0
        self.rests = 0

    def rest(self) -> None:
        self.rests += 1

    def feed(self, block) -> list[str]:
        self.fed += 1
        said = self.at.get(self.fed - 1)
        return [said] if said else []


class FixedWakeCheck:
    """A wake check that gives the same score to any sound it is asked about (1.0 by default: it hears the
    wake phrase everywhere): for the spotter's rules on when to ask and what the answer does
    (listen/wakeword.py has the real one)."""

    phrase = "hey coach"

    def __init__(self, answer: float = 1.0):
        self.asked = 0
        self.answer = answer
        self.blocks: list = []  # the sound it was last asked about

    def score(self, blocks: list, within_s: float) -> float:
        self.asked += 1
        self.blocks = list(blocks)
        return self.answer


class TalkedOverEcho:
    """An echo canceller that lets the sound through as it came and says a person is talking over the device
    whenever it is asked: for the session's rules on going soft (listen/echo.py has the real one)."""

    keeping_up = True
    clean_while_speaking = True
    person_heard = True
    person_speaking = True

    def cancel(self, mic, reference):
        return mic
