"""The controls said over the device's own voice, found by a small network of our own.

While the device speaks, echo cancellation (listen/echo.py) takes its voice out of what the microphone hears,
and the first sounds of a person's "stop" with it; PocketSphinx's control grammar then hears another word or
none. This head reads the same openWakeWord features as the wake network (listen/wakeword.py) and was trained
by `tools/train_controls.py` on our own voices saying the controls over the device's practices, through a
room's echo and the canceller itself: one output per control, each with its own bar.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .wakeword import HEADS, STEP, WINDOW, Embedder, Network, silent_window

CONTROLS = ("stop", "pause", "slower", "faster", "louder", "quieter", "repeat")
SAID_AS = {"repeat": "repeat that"}  # what the router is given for a control the network found
MODEL = HEADS / "controls.npz"
REFRACTORY = int(1.5 * 16000 / STEP)  # embeddings: one control said fires once


class ControlHead(Network):
    """The controls' network: one probability per control, each with its own bar."""

    what = "controls model"

    def __init__(self, path: Path = MODEL):
        super().__init__(path)

    def _read(self, data) -> None:
        self.controls = tuple(str(c) for c in data["controls"])
        self.bars = data["bars"].astype(np.float32)


class ControlWordDetector:
    """Feed 20 ms int16 blocks while the device guides; get the controls the network is sure were just said.
    It starts from silence each time guiding begins, as it was trained (one long stretch of a practice)."""

    def __init__(self, head: ControlHead | None = None):
        self.head = head or ControlHead()
        self.embedder = Embedder()
        self.recent = np.zeros((WINDOW, 96), np.float32)
        self.resting = True
        self._quiet = 0  # embeddings still to come before another control can be heard

    def rest(self) -> None:
        """Guiding is over: the next block starts a new stretch."""
        self.resting = True

    def feed(self, block: np.ndarray) -> list[str]:
        if self.resting:
            self.resting, self._quiet = False, 0
            self.recent = silent_window(self.embedder)
        found = []
        for row in self.embedder.feed(block):
            self.recent = np.roll(self.recent, -1, axis=0)
            self.recent[-1] = row
            self._quiet -= 1
            over = self.head.scores(self.recent[None])[0] / self.head.bars
            best = int(np.argmax(over))
            if over[best] >= 1.0 and self._quiet <= 0:
                found.append(self.head.controls[best])
                self._quiet = REFRACTORY
        return found
