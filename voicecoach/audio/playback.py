"""The speaker: one long-lived output stream that pulls audio from the current player.

`Speaker` is pure logic (which player, how loud, fades) and is what the simulator
drives directly; `OutputStream` puts a real sounddevice stream in front of it.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import numpy as np

from .stream import PortAudioStream

log = logging.getLogger(__name__)
PREFERRED_RATES = (48000, 44100, 22050, 16000)
AUDIBLE = 0.003
ECHO_TAIL_S = 0.3  # a room still rings a little after the speaker stops
DUCK_GAIN = 0.1    # while a person talks over it, the speaker is this much softer (-20 dB) ...
DUCK_HOLD_S = 0.8  # ... until they have been quiet this long
RISE_S = 0.3       # and then it comes back up over this long (any rise in loudness takes this long)


class Speaker:
    """Mixes the current player at the set volume; volume changes glide, so nothing clicks."""

    def __init__(self, rate: int, volume: float):
        self.rate = rate
        self._volume = float(volume)
        self._gain = float(volume)
        self._player = None
        self._fading: list = []  # players cut off by a newer one, mixed in until their fade ends
        self._retired: list = []  # players done with, whose thread may still finish a sentence
        self.played = 0  # samples handed to the device
        self.last_sound = -1.0  # output time (s) of the last audible block
        self.reference = None  # an EchoReference: what was played, at the time it reaches the speaker
        self._ducked_until = -1.0  # output time (s) until which a person talking over it keeps it softer
        self._lock = threading.Lock()

    @property
    def volume(self) -> float:
        return self._volume

    def set_volume(self, volume: float) -> None:
        self._volume = float(min(1.0, max(0.05, volume)))

    def duck(self) -> None:
        """A person is talking over the speaker: softer at once, until they have been quiet DUCK_HOLD_S."""
        self._ducked_until = self.played / self.rate + DUCK_HOLD_S

    @property
    def ducked(self) -> bool:
        return self.played / self.rate < self._ducked_until

    @property
    def share(self) -> float:
        """How loud it plays now, as a share of its set volume (under 1 while talked over, or rising)."""
        return self._gain / self._volume

    def play(self, player) -> None:
        """Start a player; one still playing is cut with a short fade, mixed under the new one."""
        with self._lock:
            old, self._player = self._player, player
            if old is not None and not old.finished:
                old.stop(fade_ms=30)
                self._fading.append(old)
            elif old is not None:
                self._retire(old)
        player.start()

    def _retire(self, player) -> None:
        """Cancel without waiting (this may be the audio callback); closed for good in `close()`."""
        player.cancel()
        self._retired = [p for p in self._retired if p.alive] + [player]

    def reap(self) -> None:
        """Wait for the threads of players already done with (never from the audio callback)."""
        with self._lock:
            retired, self._retired = self._retired, []
        for player in retired:
            player.close()

    @property
    def busy(self) -> bool:
        """Audible now, or within the echo tail."""
        return self.played / self.rate - self.last_sound <= ECHO_TAIL_S

    def close(self) -> None:
        """Close every player, current, fading and retired; the speaker is then silent."""
        with self._lock:
            players = [self._player, *self._fading]
            self._fading, self._player = [], None
        for player in players:
            if player is not None:
                player.close()
        self.reap()

    @property
    def player(self):
        return self._player

    def read(self, frames: int, wait: bool = False, at: float | None = None) -> tuple[np.ndarray, list]:
        """The next `frames` samples, at the volume; `at` is when they reach the speaker (for the echo
        canceller's reference: what is read and never played, after a fault, is not written there)."""
        block, events = self._next(frames, wait)
        self.played += frames
        if at is not None and self.reference is not None:
            self.reference.write(block, self.rate, at)
        return block, events

    def _next(self, frames: int, wait: bool) -> tuple[np.ndarray, list]:
        player = self._player
        if player is None:
            return np.zeros(frames, np.float32), []
        block, events = player.read(frames, wait)
        if self._fading:
            self._mix_fading(block, wait)
        self._apply_gain(block)
        np.clip(block, -1.0, 1.0, out=block)
        if np.max(np.abs(block)) > AUDIBLE:
            self.last_sound = (self.played + frames) / self.rate
        return block, events

    def _mix_fading(self, block: np.ndarray, wait: bool) -> None:
        with self._lock:
            fading = list(self._fading)
        for old in fading:
            tail, _ = old.read(len(block), wait)
            block += tail
            if old.finished:
                with self._lock:
                    self._fading.remove(old)
                    self._retire(old)

    def _apply_gain(self, block: np.ndarray) -> None:
        target = self._volume * (DUCK_GAIN if self.ducked else 1.0)
        if abs(target - self._gain) < 1e-4:
            block *= target
            return
        if target > self._gain:  # louder slowly (back from a duck): from a whisper to full in RISE_S
            target = min(target, self._gain + self._volume * len(block) / (self.rate * RISE_S))
        ramp = np.linspace(self._gain, target, len(block), dtype=np.float32)
        block *= ramp
        self._gain = target


def choose_rate(device, query: Callable) -> int:
    """The first rate the device takes, preferring its own default."""
    info = query(device, "output")
    candidates = [int(info["default_samplerate"]), *PREFERRED_RATES]
    import sounddevice as sd

    for rate in candidates:
        try:
            sd.check_output_settings(device=device, samplerate=rate, channels=1, dtype="int16")
            return rate
        except Exception:  # PortAudio says no with a generic error
            continue
    raise RuntimeError(f"output device {info['name']!r} takes none of the rates {candidates}")


class OutputStream(PortAudioStream):
    """A real PortAudio output stream feeding from a Speaker; its callback only copies."""

    name = "speaker"

    def __init__(self, speaker: Speaker, device=None, on_events: Callable[[list], None] | None = None,
                 blocksize: int = 0, latency="low"):
        import sounddevice as sd

        self.speaker = speaker
        self.on_events = on_events or (lambda events: None)
        self.underflows = 0
        self.blocks = 0
        self._stream = sd.OutputStream(samplerate=speaker.rate, channels=1, dtype="int16", device=device,
                                       blocksize=blocksize, latency=latency, callback=self._callback)

    def _callback(self, outdata, frames, time_info, status) -> None:
        if status.output_underflow:
            self.underflows += 1
        block, events = self.speaker.read(frames, at=self._play_time(time_info))
        outdata[:, 0] = (block * 32767.0).astype(np.int16)
        self.blocks += 1
        if events:
            self.on_events(events)

    def _play_time(self, time_info) -> float:
        """When this block reaches the speaker: PortAudio's own estimate (on the clock the microphone's
        capture times use), or now plus the stream's latency where the host API gives none."""
        return time_info.outputBufferDacTime or time.monotonic() + self.latency

    @property
    def latency(self) -> float:
        return float(self._stream.latency)
