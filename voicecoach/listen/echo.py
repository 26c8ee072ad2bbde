"""Echo cancellation: the device's own voice taken out of what the microphone hears, so a person can talk over it.

The reference is what the output stream handed to the device, placed on a 16 kHz timeline by the time
PortAudio says each block reaches the speaker; the microphone's blocks are matched to it by the time they
were captured. Each sample sits at its own time, so the two stay aligned across underruns, a stream reopened
after a fault, volume glides (the reference is taken after the gain) and any output rate (it is resampled
here). WebRTC's AEC3 (`pywebrtc-audio`) then removes the echo; it finds the room's own delay by itself.

AEC3 must hear some of the speaker to be of use: where none of it reaches the microphone (a microphone far
from the speaker, a reference that does not match), it cannot find the echo path and silences everything
while the device speaks, the person's "stop" too. So its output is used only while the microphone's
loudness is seen to follow the speaker's (`Coupling`); until then the sound goes on as it came, and the
session hears only stop and words of crisis over its own voice (half duplex).
"""
from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from .endpoint import BLOCK, RATE, block_level

log = logging.getLogger(__name__)
KEEP_S = 4.0          # how much of the speaker's output the reference remembers
BUDGET = 0.5          # past this share of real time (averaged), cancellation cannot keep up
SETTLE_BLOCKS = 250   # blocks before judging whether it keeps up (5 s); the judgement averages about as long
COUPLING_WINDOW = 500  # blocks of loudness compared (10 s)
COUPLING_EVERY = 50    # blocks between two judgements (1 s)
COUPLING_LAGS = 8      # the echo may come this many blocks after what was played (160 ms)
PLAYING_DB = -55.0     # a reference block louder than this is the speaker talking
ENOUGH_PLAYING = 100   # blocks of the speaker talking needed for a judgement (2 s)
COUPLED = 0.4          # the correlation of loudness that says the speaker reaches the microphone
SILENT_DB = -70.0      # a reference block quieter than this is the speaker silent
ABOVE_ROOM_DB = 3.0    # ...and the microphone must be this much louder while it talks than while it is silent
TAIL_BLOCKS = 25       # the room rings on after the speaker stops: cleaned this long after (0.5 s)
PERSON_WINDOW = 50     # blocks looked back over for a voice the canceller did not take out (1 s)
LOUD_DB = -45.0        # ...judged only where the microphone heard something this loud (not the room's hiss)
PERSON_LEFT_DB = -20.0  # a person over the echo leaves the loudest output this close to the loudest input
SPEAKING_BLOCKS = 3    # a person is talking over the device now: this many blocks in a row (60 ms) ...
SPEAKING_LEFT_DB = -24.0  # ... each left this close to the loudest input (the device alone: never, in 24 min)


class EchoReference:
    """The speaker's output on a 16 kHz timeline: written by the output callback, read by the microphone's.

    Times are in seconds on one clock (PortAudio's stream time on the device, the input's timeline in
    `simulate`). Where nothing was played (an underrun, a stream being reopened) the reference is silence."""

    def __init__(self, seconds: float = KEEP_S):
        size = int(seconds * RATE)
        self._samples = np.zeros(size, np.float32)
        self._at = np.full(size, -1, np.int64)  # the absolute 16 kHz index each slot holds
        self._lock = threading.Lock()

    def write(self, block: np.ndarray, rate: int, t: float) -> None:
        """`block` (float, after the volume) at `rate` starts reaching the speaker at time `t`."""
        if not len(block):
            return
        first = math.ceil(t * RATE - 1e-6)
        last = math.ceil((t + len(block) / rate) * RATE - 1e-6)
        if last <= first:
            return
        index = np.arange(first, last, dtype=np.int64)
        where = (index / RATE - t) * rate  # each 16 kHz sample's place in the block
        values = np.interp(where, np.arange(len(block)), _smoothed(block, rate)).astype(np.float32)
        slots = index % len(self._samples)
        with self._lock:
            self._samples[slots] = values
            self._at[slots] = index

    def read(self, t: float, frames: int = BLOCK) -> np.ndarray:
        """What the speaker played over the `frames` samples from time `t` (float, silence where nothing)."""
        index = np.arange(frames, dtype=np.int64) + int(round(t * RATE))
        slots = index % len(self._samples)
        with self._lock:
            played = self._at[slots] == index
            return np.where(played, self._samples[slots], 0.0).astype(np.float32)


def _smoothed(block: np.ndarray, rate: int) -> np.ndarray:
    """A light low-pass before taking every n-th sample, so a 48 kHz output does not fold into the reference."""
    width = int(round(rate / RATE))
    if width <= 1:
        return np.asarray(block, np.float32)
    return np.convolve(block, np.full(width, 1.0 / width, np.float32), mode="same")


class Coupling:
    """Does the speaker's sound reach the microphone, loud enough for AEC3 to find it? Yes when, block by
    block, the microphone's loudness follows the speaker's (within the room's delay), and the microphone is
    plainly louder while the speaker talks than while it is silent. A person speaking now and then barely
    moves either; a microphone that hears none of the speaker shows neither."""

    def __init__(self):
        self._mic = np.full(COUPLING_WINDOW, -100.0)
        self._played = np.full(COUPLING_WINDOW, -100.0)
        self._room: deque = deque(maxlen=COUPLING_WINDOW // 2)  # the microphone while the speaker is silent
        self._count = 0
        self.verdict = "unknown"  # or "found", "none" (no echo to speak of), "unmatched" (an echo, not followed)
        self.correlation = 0.0
        self.above_room_db = 0.0

    def push(self, mic_db: float, played_db: float) -> None:
        i = self._count % COUPLING_WINDOW
        self._mic[i], self._played[i] = mic_db, played_db
        if played_db < SILENT_DB:
            self._room.append(mic_db)
        self._count += 1
        if self._count % COUPLING_EVERY == 0:
            self._judge()

    def _judge(self) -> None:
        order = np.arange(self._count, self._count + COUPLING_WINDOW) % COUPLING_WINDOW  # oldest first
        mic, played = self._mic[order], self._played[order]
        playing = played > PLAYING_DB
        if playing.sum() < ENOUGH_PLAYING or len(self._room) < COUPLING_EVERY // 2:
            return  # too little of the speaker, or of the room without it, to judge: the last judgement stands
        self.above_room_db = float(np.median(mic[playing]) - np.median(self._room))
        self.correlation = self._follows(mic, played)
        if self.above_room_db < ABOVE_ROOM_DB:
            self.verdict = "none"
        else:
            self.verdict = "found" if self.correlation >= COUPLED else "unmatched"

    @property
    def coupled(self) -> bool:
        return self.verdict == "found"

    @staticmethod
    def _follows(mic: np.ndarray, played: np.ndarray) -> float:
        """The best correlation of the two loudnesses, over the delays an echo may have."""
        best = 0.0
        for lag in range(COUPLING_LAGS):
            x, y = played[:COUPLING_WINDOW - lag], mic[lag:]
            playing = x > PLAYING_DB
            if np.std(y[playing]) > 0 and np.std(x[playing]) > 0:
                best = max(best, float(np.corrcoef(x[playing], y[playing])[0, 1]))
        return best


class EchoCanceller:
    """WebRTC's AEC3 on 20 ms int16 blocks, while the speaker plays and half a second after, unless none of
    it reaches the microphone (then, as in idle, it costs nothing). Its output is used when the speaker is
    seen to reach the microphone (`Coupling`); otherwise what is heard goes on as it came. It watches its own cost: averaged over a few seconds, past BUDGET of real time
    it stops, says so once, and `keeping_up` turns False. Unless `clean_while_speaking`, the session hears
    only stop and words of crisis over its own voice (half duplex)."""

    def __init__(self, budget: float = BUDGET, clock=time.thread_time):
        from pywebrtc_audio import EchoCanceller as Aec3

        self._aec = Aec3(sample_rate=RATE)
        self.budget = budget
        self.clock = clock
        self.keeping_up = True
        self.blocks = 0
        self.seconds = 0.0  # processor time spent cancelling (not wall time: a busy machine is not its cost)
        self._recent = 0.0  # share of real time, averaged over the last few seconds
        self.coupling = Coupling()
        self.cancelled = None
        self._quiet_blocks = TAIL_BLOCKS  # blocks since the speaker last played anything (idle: no work)
        self._levels: deque = deque(maxlen=PERSON_WINDOW)  # (in, out) dBFS where AEC3's output was used

    def cancel(self, mic: np.ndarray, reference: np.ndarray | None) -> np.ndarray:
        if not self.keeping_up:
            return mic
        far = np.zeros(len(mic), np.int16) if reference is None else _int16(reference)
        mic = np.ascontiguousarray(mic, dtype=np.int16)
        played_db, mic_db = block_level(far), block_level(mic)
        self._quiet_blocks = 0 if played_db > SILENT_DB else self._quiet_blocks + 1
        self.coupling.push(mic_db, played_db)
        if self._quiet_blocks >= TAIL_BLOCKS or self.coupling.verdict == "none":
            self._levels.append(None)
            return mic  # idle, or none of the speaker reaches the microphone: nothing to take out
        started = self.clock()
        clean = self._aec.process(mic, far)
        self._account(self.clock() - started)
        self.cancelled = clean  # AEC3's output, used or not
        self._levels.append((mic_db, block_level(clean)) if self.coupling.coupled else None)
        return clean if self.coupling.coupled else mic

    @property
    def person_heard(self) -> bool:
        """Did the last second hold a voice the canceller did not take out? Where its output was used, the
        device's own voice comes out 20 dB and more under the loudest the microphone heard (in 99.9 % of the
        seconds of 12 whole practices at +10 dB), a person talking over it within 18 dB at +6 dB and mostly
        at +10 dB (docs/PERFORMANCE.md). Where nothing was taken out (nor is: cancellation stopped, not keeping
        up, and what it last measured is old), what came in is what was heard: yes."""
        used = self._measured()
        if not used:
            return True
        loudest_in = max(heard for heard, _ in used)
        if loudest_in < LOUD_DB:
            return True
        return max(left for _, left in used) - loudest_in >= PERSON_LEFT_DB

    @property
    def person_speaking(self) -> bool:
        """Is a person talking over the device right now? The last SPEAKING_BLOCKS blocks, all where AEC3's
        output was used, each left within SPEAKING_LEFT_DB of the loudest the microphone heard in the last
        second (`person_heard`'s measure, block by block: it tells a voice about 160 ms into a word).
        Where nothing is taken out, no: there the device's voice is not what hides a person's (nor once
        cancellation has stopped, not keeping up: what it last measured is old)."""
        used, recent = self._measured(), list(self._levels)[-SPEAKING_BLOCKS:]
        if not used or len(recent) < SPEAKING_BLOCKS or None in recent:
            return False
        loudest_in = max(heard for heard, _ in used)
        return loudest_in >= LOUD_DB and all(left - loudest_in >= SPEAKING_LEFT_DB for _, left in recent)

    def _measured(self) -> list:
        """(in, out) levels of the last second's blocks where AEC3's output was used; none once cancellation
        has stopped, not keeping up (what it last measured is old)."""
        return [levels for levels in self._levels if levels is not None] if self.keeping_up else []

    @property
    def clean_while_speaking(self) -> bool:
        """What the device hears while it speaks holds none of its own voice: the echo is being taken out,
        or none reaches the microphone to speak of (not while that is still unknown, or an echo is heard
        that the reference does not match)."""
        return self.keeping_up and self.coupling.verdict in ("found", "none")

    def _account(self, spent: float) -> None:
        self.blocks += 1
        self.seconds += spent
        self._recent += (spent * RATE / BLOCK - self._recent) / SETTLE_BLOCKS
        if self.blocks >= SETTLE_BLOCKS and self._recent > self.budget:
            self.keeping_up = False
            log.warning("echo cancellation takes %.0f%% of real time and cannot keep up; over the speaker's "
                        "voice only stop and words of crisis are heard now", 100 * self._recent)

    @property
    def share(self) -> float:
        """Time spent cancelling, as a share of the audio's own time."""
        return self.seconds / max(self.blocks * BLOCK / RATE, 1e-9)


def _int16(samples: np.ndarray) -> np.ndarray:
    if samples.dtype == np.int16:
        return np.ascontiguousarray(samples)
    return (np.clip(samples, -1.0, 1.0) * 32767.0).astype(np.int16)


@dataclass(frozen=True)
class EchoFinding:
    """What `doctor --listen` learns while the device speaks its prompt."""
    return_loss_db: float | None   # how much quieter the device's voice is at the microphone than played
    cancelled_db: float | None     # how much of that echo WebRTC's AEC3 took out
    verdict: str                   # Coupling's: found, none, unmatched or unknown

    @property
    def ok(self) -> bool:
        return self.verdict in ("found", "none")

    def describe(self) -> str:
        if self.return_loss_db is None:
            return "the device's voice did not reach the echo check (no sound was played while it listened)"
        heard = f"the device's own voice reaches the microphone {self.return_loss_db:.0f} dB below what it plays"
        if self.verdict == "found":
            return f"{heard}; echo cancellation takes out {self.cancelled_db:.0f} dB more of it"
        if self.verdict == "none":
            return f"{heard}: too little to matter, nothing to take out"
        if self.verdict == "unmatched":
            return f"{heard}, but it does not follow what was played (is the output device the one that sounds?)"
        return f"{heard}; too short a prompt to judge the echo"


def measure_echo(pairs: list) -> EchoFinding:
    """Echo return loss and cancellation over (microphone block, reference) pairs heard while the device spoke;
    the cancellation over the later half, once AEC3 has learned the room."""
    canceller = EchoCanceller()
    levels = []  # played, heard, left after cancelling, for each block the speaker was talking
    for mic, played in pairs:
        if played is None:
            continue
        canceller.cancel(mic, played)
        played_db = block_level(_int16(played))
        if played_db > PLAYING_DB:
            levels.append((played_db, block_level(mic), block_level(canceller.cancelled)))
    if not levels:
        return EchoFinding(None, None, canceller.coupling.verdict)
    played, heard, left = (np.array(column) for column in zip(*levels))
    later = slice(len(levels) // 2, None)
    return EchoFinding(_mean_db(played) - _mean_db(heard), _mean_db(heard[later]) - _mean_db(left[later]),
                       canceller.coupling.verdict)


def _mean_db(levels: np.ndarray) -> float:
    return 10 * math.log10(float(np.mean(10 ** (np.asarray(levels) / 10))))
