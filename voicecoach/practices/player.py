"""The player: turns a practice script into audio, ahead of time, for the speaker to pull.

A producer thread renders each step (a cached line is a file read, a new line
streams from Piper sentence by sentence) into a short queue. `read()` is what
the output stream's callback calls: it only copies samples and never waits
unless asked to (the simulator asks, so files come out the same every time).
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

import numpy as np

from ..audio.earcons import earcon
from ..night import Delivery
from .schema import BREATH_CUES, Breathe, Cue, Light, Pause, Practice, Say, Step

AHEAD = 3
PAUSE_FADE_MS = 15


@dataclass
class Segment:
    """A piece of output: samples (or that many zeros) and the events that start with it."""

    length: int
    samples: np.ndarray | None = None
    events: list = field(default_factory=list)
    generation: int = 0
    end: bool = False


def end_of(generation: int) -> Segment:
    return Segment(0, events=[("finished", {})], generation=generation, end=True)


class Player:
    def __init__(self, name: str, script: list[Step], renderer, delivery: Delivery, form: Practice | None = None):
        """`form`: the practice form the script comes from, when it fades (quieter, slower, the light dimmer)."""
        self.name = name
        self._form = form if form is not None and (form.fade_db or form.slow_to != 1.0) else None
        self.rate = renderer.out_rate
        self._renderer = renderer
        self._delivery = delivery
        self._script = list(script)
        self._pace = 1.0
        self._queue: queue.Queue[Segment] = queue.Queue(maxsize=AHEAD)
        self._lock = threading.Lock()
        self._next_step = 0
        self._last_said = -1
        self._generation = 0
        self._current: Segment | None = None
        self._offset = 0
        self._paused = False
        self._stopping = 0  # samples left in the stop fade
        self._stop_total = 0
        self.stopped = False
        self.finished = False
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._produce, name=f"player-{name}", daemon=True)

    @property
    def delivery(self) -> Delivery:
        return self._delivery

    # control, from the coach thread
    def start(self) -> "Player":
        self._thread.start()
        return self

    def stop(self, fade_ms: float = 60.0) -> None:
        with self._lock:
            if not self.finished and not self._stopping:
                self._stopping = self._stop_total = max(1, int(self.rate * fade_ms / 1000))

    def pause(self) -> None:
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    def repeat(self) -> None:
        """Go back to the last line spoken and say it again."""
        with self._lock:
            if self._last_said >= 0:
                self._restart_from(self._last_said)

    def change_pace(self, factor: float) -> None:
        """Slower (> 1) or faster (< 1) speech and pauses from the next line on."""
        with self._lock:
            self._pace = min(1.6, max(0.7, self._pace * factor))

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def cancel(self) -> None:
        """Stop producing, without waiting: the thread ends before its next sentence."""
        self._closed.set()
        self._drain()

    def close(self, wait: float = 5.0) -> None:
        """Stop producing; wait for a synthesis under way to finish, so no thread outlives its owner."""
        self.cancel()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(wait)

    # the output side
    def read(self, frames: int, wait: bool = False) -> tuple[np.ndarray, list]:
        out = np.zeros(frames, np.float32)
        events: list = []
        if self.finished or self._paused:
            return out, events
        filled = 0
        while filled < frames and not self.finished:
            if self._current is None and not self._take(wait):
                break  # not rendered yet: the rest of this block is silence
            filled += self._copy(out, filled, frames - filled, events)
        with self._lock:
            self._apply_stop_fade(out, events)
        return out, [(at, name, {**data, "player": self.name}) for at, name, data in events]

    def _take(self, wait: bool) -> bool:
        while True:
            try:
                seg = self._queue.get(timeout=30) if wait else self._queue.get_nowait()
            except queue.Empty:
                return False
            if seg.generation == self._generation:
                break  # older segments were rendered before a repeat
        if seg.end:
            self.finished = True
        self._current, self._offset = seg, 0
        return True

    def _copy(self, out: np.ndarray, at: int, room: int, events: list) -> int:
        seg = self._current
        if self._offset == 0:
            events.extend((at, name, data) for name, data in seg.events)
            self._note_said(seg)
        n = min(room, seg.length - self._offset)
        if seg.samples is not None and n > 0:
            out[at:at + n] = seg.samples[self._offset:self._offset + n]
        self._offset += n
        if self._offset >= seg.length:
            self._current = None
        return n

    def _note_said(self, seg: Segment) -> None:
        for name, data in seg.events:
            if name == "said":
                self._last_said = data["step"]

    def _apply_stop_fade(self, out: np.ndarray, events: list) -> None:
        if not self._stopping:
            return
        n = min(len(out), self._stopping)
        start, end = self._stopping / self._stop_total, (self._stopping - n) / self._stop_total
        out[:n] *= np.linspace(start, end, n, endpoint=False, dtype=np.float32)
        out[n:] = 0.0
        self._stopping -= n
        if self._stopping == 0:
            self.finished = self.stopped = True
            events.append((n, "stopped", {}))
            self._closed.set()

    # the producer thread
    def _produce(self) -> None:
        while not self._closed.is_set():
            with self._lock:
                index, generation, pace = self._next_step, self._generation, self._pace
                self._next_step += 1
            if index >= len(self._script):
                if not self._put(end_of(generation)) or not self._await_restart(generation):
                    return
                continue
            for seg in self._render(index, self._script[index], pace):
                seg.generation = generation
                if not self._put(seg):
                    return

    def _await_restart(self, generation: int) -> bool:
        """After the last step: a repeat may still send the producer back; True when it does."""
        while not self._closed.wait(0.05):
            if self._generation != generation:
                return True
        return False

    def _put(self, seg: Segment) -> bool:
        while not self._closed.is_set():
            if seg.generation != self._generation:
                return True
            try:
                self._queue.put(seg, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _render(self, index: int, step: Step, pace: float):
        d = self._delivery
        gain, slower, dim = self._fade(index)
        if dim:
            yield Segment(0, events=[("dim", {"level": round(gain, 3)})])
        if isinstance(step, Say):
            yield from self._say(step.variants[0], index, round(d.length_scale * pace * slower, 3), gain)
        elif isinstance(step, Pause):
            yield Segment(int(step.seconds * d.pause_ratio * pace * slower * self.rate))
        elif isinstance(step, Cue):
            tone = earcon(step.name, self.rate, d.earcon_volume) * gain
            yield Segment(len(tone), tone, [("cue", {"name": step.name})])
        elif isinstance(step, Light):
            yield Segment(0, events=[("light", {"pattern": step.pattern})])
        elif isinstance(step, Breathe):
            yield from self._breathe(step, index, round(d.length_scale * slower, 3), gain)

    def _say(self, text: str, index: int, scale: float, gain: float = 1.0):
        for i, audio in enumerate(self._renderer.stream(text, scale, self._closed.is_set)):
            events = [("said", {"text": text, "step": index})] if i == 0 else []
            yield Segment(len(audio), audio * gain if gain != 1.0 else audio, events)

    def _breathe(self, step: Breathe, index: int, scale: float, gain: float):
        """Breaths at the delivery's pace, the light breathing with them; the first `cued` are spoken."""
        seconds = self._delivery.breath
        yield Segment(0, events=[("light", {"pattern": "breathe"})])
        for breath in range(step.breaths):
            for text, length in zip(BREATH_CUES, seconds):
                frames = int(length * self.rate)
                if breath < step.cued:
                    for seg in self._say(text, index, scale, gain):
                        frames -= seg.length
                        yield seg
                yield Segment(max(0, frames))

    def _fade(self, index: int) -> tuple[float, float, bool]:
        """Gain and slowing at step `index`, and whether the light dims here (a new stage begins)."""
        form = self._form
        if form is None:
            return 1.0, 1.0, False
        count = len(self._script)
        stage = form.stage(index, count)
        gain = 10 ** (form.fade_db * stage / 20)
        new_stage = index > 0 and stage != form.stage(index - 1, count)
        return gain, form.slowing(index, count), new_stage

    def _restart_from(self, index: int) -> None:
        self._generation += 1
        self._next_step = index
        self._current = None
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return
