"""Endpointing: finds where speech starts and ends.

A block is voiced when it is loud enough above the room's noise floor and the front end's voice-activity
estimate calls it speech. With `foreground_db` set (requests), only the person's own voice keeps an
utterance going: a block more than that far below the utterance's loudest stretch counts as a pause, so
a TV talking on behind a request does not hold it open (and `max_length` caps it whatever happens).
With `over_talk_db` set (idle), a block is voiced only that far above the room's typical level (the median
of the last few seconds, talk and all): a person saying "hey coach" over a radio 20 dB down rises out of it,
and the radio alone seldom does; then only a tenth of a second of what came before is kept, since it is the
radio's. In a quiet room the typical level is the noise floor, and nothing changes.

Cheap enough to run on every 20 ms block while idle; the recognizer only sees
voiced audio (with a little pre-roll so first sounds are not lost).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

RATE = 16000
BLOCK = 320  # 20 ms


@dataclass(frozen=True)
class EndpointSettings:
    end_silence: float = 0.3
    max_length: float = 5.0
    margin_db: float = 12.0
    floor_db: float = -52.0
    start_blocks: int = 3
    preroll: float = 0.3
    noise_window: float = 4.0
    noise_percentile: float = 10.0
    min_speech: float = 0.5          # the front end's speech probability a voiced block needs
    foreground_db: float | None = None  # see the module's docstring
    over_talk_db: float | None = None   # likewise


def block_level(block: np.ndarray) -> float:
    """RMS level of int16 samples in dBFS."""
    x = block.astype(np.float32)
    rms = float(np.sqrt(np.mean(x * x))) / 32768.0 if len(x) else 0.0
    return 20.0 * np.log10(rms) if rms > 1e-7 else -140.0


class Endpointer:
    """Feed 20 ms int16 blocks; get ("start", [blocks]), ("audio", block) and ("end", reason)."""

    def __init__(self, settings: EndpointSettings = EndpointSettings()):
        self.s = settings
        self.levels: deque = deque(maxlen=int(settings.noise_window * RATE / BLOCK))
        self.noise = -70.0
        self.talk = -140.0  # the typical level of the room's sound, talk and all (with `over_talk_db`)
        self._seen = 0
        self.in_speech = False
        self._pre: deque = deque(maxlen=max(1, int(settings.preroll * RATE / BLOCK)))
        self._voiced_run = 0
        self._silent_run = 0
        self._length = 0
        self._smooth = -140.0  # the level over the last 100 ms or so
        self._loudest = -140.0  # the utterance's loudest smoothed level

    @property
    def quiet_blocks(self) -> int:
        """Blocks of silence since the utterance's voice was last heard (0 outside an utterance)."""
        return self._silent_run if self.in_speech else 0

    def carry_noise(self, other: "Endpointer") -> None:
        """Start from another endpointer's picture of the room."""
        self.levels.extend(other.levels)
        self.noise = other.noise

    def reset(self) -> None:
        self.in_speech = False
        self._pre.clear()
        self._voiced_run = self._silent_run = self._length = 0
        self._loudest = -140.0

    def voiced(self, level: float) -> bool:
        return level > max(self._noise_bar(), self._talk_bar())

    def _noise_bar(self) -> float:
        return max(self.noise + self.s.margin_db, self.s.floor_db)

    def _talk_bar(self) -> float:
        return self.talk + self.s.over_talk_db if self.s.over_talk_db is not None else -140.0

    def _over_talk(self) -> bool:
        """Is it the room's talk, not its noise, that a voice must rise over? (Then the sound before an
        utterance is that talk, and little of it is kept.)"""
        return self._talk_bar() > self._noise_bar()

    def push(self, block: np.ndarray, speech: float = 1.0) -> list[tuple]:
        """One block, with the front end's estimate that it holds speech."""
        level = block_level(block)
        self._track_noise(level)
        self._smooth = 0.8 * self._smooth + 0.2 * level if self._smooth > -140.0 else level
        voiced = self.voiced(level) and speech >= self.s.min_speech
        if not self.in_speech:
            return self._maybe_start(block, voiced)
        return self._continue(block, voiced and self._in_foreground())

    def _in_foreground(self) -> bool:
        if self.s.foreground_db is None:
            return True
        self._loudest = max(self._loudest, self._smooth)
        return self._smooth >= self._loudest - self.s.foreground_db

    def _track_noise(self, level: float) -> None:
        """The noise floor and the typical level: a low percentile and the median of the last few seconds."""
        self.levels.append(level)
        self._seen += 1
        if self._seen % 5 == 1 or self._seen < 5:
            self.noise, self.talk = (float(v) for v in np.percentile(self.levels, (self.s.noise_percentile, 50)))

    def _maybe_start(self, block: np.ndarray, voiced: bool) -> list[tuple]:
        self._pre.append(block)
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        if self._voiced_run < self.s.start_blocks:
            return []
        self.in_speech = True
        self._silent_run = 0
        self._loudest = self._smooth
        blocks = list(self._pre)[-self.s.start_blocks - 2:] if self._over_talk() else list(self._pre)
        self._length = len(blocks)
        self._pre.clear()
        return [("start", blocks)]

    def _continue(self, block: np.ndarray, voiced: bool) -> list[tuple]:
        self._length += 1
        self._silent_run = 0 if voiced else self._silent_run + 1
        events: list[tuple] = [("audio", block)]
        if self._silent_run * BLOCK >= self.s.end_silence * RATE:
            events.append(("end", "silence"))
        elif self._length * BLOCK >= self.s.max_length * RATE:
            events.append(("end", "max_length"))
        if len(events) > 1:
            self.in_speech = False
            self._voiced_run = 0
        return events
