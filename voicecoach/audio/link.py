"""Keeping audio alive: a stream that errors, stops or stalls is closed, the devices re-scanned,
and the streams reopened with backoff. Nothing here blocks the coach for long.

PortAudio reports no errors from its own threads, so faults are seen from outside:
a stream that is no longer active, or one whose frame count has not moved for `stall_s`.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

log = logging.getLogger(__name__)
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)  # then every 8 s


def rescan_devices() -> None:
    """PortAudio's device list is fixed when it starts: restart it (every stream must be closed)."""
    import sounddevice as sd

    sd._terminate()
    sd._initialize()


class AudioLink:
    """One audio stream (the speaker's or the microphone's), watched. `check()` is called often from
    the coach's loop; it never waits for a device."""

    def __init__(self, name: str, open_stream: Callable[[], object], rescan: Callable[[], None] = rescan_devices,
                 on_change: Callable[[bool, str], None] | None = None, clock=time.monotonic,
                 stall_s: float = 2.0, backoff: tuple[float, ...] = BACKOFF):
        self.name = name
        self.open_stream = open_stream
        self.rescan = rescan
        self.on_change = on_change or (lambda up, why: None)
        self.clock = clock
        self.stall_s = stall_s
        self.backoff = backoff
        self.stream = None
        self.up = False
        self.faults = 0
        self.reopened = 0
        self.problem = ""
        self._failed_tries = 0
        self._needs_rescan = False
        self._next_try = 0.0
        self._seen = (0, 0.0)  # frame count, and when it last moved

    def check(self) -> bool:
        """True while frames flow. Detects a fault, or reopens when it is time to try again."""
        now = self.clock()
        if self.up:
            problem = self._problem(now)
            if problem:
                self._fault(problem, now)
        if not self.up and now >= self._next_try:
            self._try_open(now)
        return self.up

    def _problem(self, now: float) -> str:
        if not self.stream.active:
            return f"the {self.name} stream stopped"
        seen, since = self._seen
        if self.stream.blocks != seen:
            self._seen = (self.stream.blocks, now)
        elif now - since > self.stall_s:
            return f"no {self.name} frames for {now - since:.1f} s"
        return ""

    def _fault(self, problem: str, now: float) -> None:
        self.faults += 1
        log.warning("%s fault %d: %s; closing, re-scanning devices and reopening", self.name, self.faults, problem)
        self.drop(now)
        self._needs_rescan = True
        self._set_down(problem)

    def _try_open(self, now: float) -> None:
        recovering = self._needs_rescan
        try:
            if self._needs_rescan:
                self.rescan()
                self._needs_rescan = False
            self.stream = self.open_stream()
            self.stream.start()
        except Exception as exc:  # PortAudio raises its own error types for missing or busy devices
            self.drop(now)
            delay = self.backoff[min(self._failed_tries, len(self.backoff) - 1)]
            self._failed_tries += 1
            self._needs_rescan = True
            self._next_try = now + delay
            repeated = not self._set_down(f"cannot open the {self.name} ({exc})")
            log.log(logging.DEBUG if repeated else logging.WARNING, "%s; trying again in %.1f s (try %d)",
                    self.problem, delay, self._failed_tries)
            return
        if recovering:
            self.reopened += 1
            log.warning("the %s is back after %d attempt(s)", self.name, self._failed_tries + 1)
        self._failed_tries = 0
        self._seen = (self.stream.blocks, now)
        self.up = True
        self.problem = ""
        self.on_change(True, "")

    def _set_down(self, problem: str) -> bool:
        """Mark the link down; True when this is a new problem (reported), False for the same again."""
        changed = self.problem != problem
        self.up = False
        self.problem = problem
        if changed:
            self.on_change(False, problem)
        return changed

    def drop(self, now: float | None = None) -> None:
        """Close the stream (for a re-scan of the devices, or a fault); the next check reopens it."""
        if self.stream is not None:
            try:
                self.stream.close()
            except Exception as exc:  # a stream of a vanished device may fail to close; it is dropped anyway
                log.debug("closing the %s stream: %s", self.name, exc)
        self.stream = None
        self.up = False
        self._next_try = self.clock() if now is None else now

    def close(self) -> None:
        self.drop()
