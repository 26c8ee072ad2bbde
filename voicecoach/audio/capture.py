"""The microphone: 16 kHz mono int16 in 20 ms blocks into a bounded inbox. The callback only enqueues
(each block with what the speaker played at the moment it was captured, for echo cancellation)."""
from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

from ..listen.endpoint import BLOCK, RATE
from .stream import PortAudioStream


class Inbox:
    """Microphone blocks (bounded: the oldest is dropped and counted) and events, under one condition.
    A block comes out as ("block", samples, reference), an event as ("event", event)."""

    def __init__(self, max_blocks: int = 50):
        self.blocks: deque = deque(maxlen=max_blocks)
        self.events: deque = deque()
        self.dropped = 0
        self._ready = threading.Condition()

    def put_block(self, block: np.ndarray, reference: np.ndarray | None = None) -> None:
        with self._ready:
            if len(self.blocks) == self.blocks.maxlen:
                self.dropped += 1
            self.blocks.append((block, reference))
            self._ready.notify()

    def put_event(self, event) -> None:
        with self._ready:
            self.events.append(event)
            self._ready.notify()

    def get(self, timeout: float = 0.1):
        """The next event (events first), else the next block, else None after `timeout`."""
        with self._ready:
            if not self.events and not self.blocks:
                self._ready.wait(timeout)
            if self.events:
                return "event", self.events.popleft()
            if self.blocks:
                return ("block", *self.blocks.popleft())
            return None


class Microphone(PortAudioStream):
    name = "microphone"

    def __init__(self, inbox: Inbox, device=None, reference=None):
        import sounddevice as sd

        self.inbox = inbox
        self.reference = reference  # an EchoReference the speaker's stream writes, or None
        self.overflows = 0
        self.blocks = 0
        self._stream = sd.InputStream(samplerate=RATE, channels=1, dtype="int16", blocksize=BLOCK,
                                      device=device, callback=self._callback)

    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        self.blocks += 1
        played = None
        if self.reference is not None:
            played = self.reference.read(time_info.inputBufferAdcTime or time.monotonic() - frames / RATE, frames)
        self.inbox.put_block(indata[:, 0].copy(), played)

