"""`voicecoach simulate`: the whole loop from a WAV file, on one timeline.

The input is fed in 20 ms blocks; after each block the speaker is read for
the same 20 ms, so OUT.wav lines up with IN.wav sample for sample. `--echo GAIN`
mixes what the speaker plays back into the microphone, through a room (measure/room.py's SpeakerEcho:
delay, reverberation, band limits, distortion, clock drift) or, with `--echo-path exact`, as an exact
copy one block late; what was played goes to the echo canceller as its reference, as on a device.
`--day` or `--night` fixes the delivery whatever the clock says. `--press`
taps the button at an input time; `--realtime` paces the input and never
waits for audio, so OUT.wav shows the latency a person would hear.

Without `--realtime` a run is repeatable: the same input and options give the same events, byte for
byte. Rendering may run ahead on its own thread, but what is audible when is decided on the input's
timeline; the voice speaks without Piper's random variation; the practices' wording uses seed 0
unless `--seed` says otherwise. SIGINT or SIGTERM ends a run, writing what was played so far.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from .audio.wav import read_wav, write_wav
from .events import ButtonPressed, ButtonReleased
from .hardware.light import NoLight
from .listen.endpoint import BLOCK, RATE

TAIL_LIMIT_S = 600.0


@dataclass
class SimulationOptions:
    presses: list[float] = field(default_factory=list)
    echo: float = 0.0
    echo_path: str = "room"  # or "exact": the played block itself, one block later
    realtime: bool = False
    tail: bool = True  # keep going after the input until the speaker is done
    night: bool | None = None  # night or day delivery whatever the clock says; None: by the clock
    stop: threading.Event = field(default_factory=threading.Event)  # set (by a signal) to end the run


def run_simulation(config, wav_path: str, out_path: str | None, report, options: SimulationOptions,
                   engine=None, voice=None, seed=None) -> np.ndarray:
    samples, _ = read_wav(wav_path, RATE)
    seed = 0 if seed is None else seed
    if voice is None:
        from .config import voices_dir
        from .speech.tts import load_voice

        voice = load_voice(config.voice.name, voices_dir(), config.voice.threads, steady=True)
    clock = {"t": 0.0}
    timed = lambda event, data: report(event, {"t": round(clock["t"], 3), **data})
    session = build_for_simulation(config, timed, engine, voice, seed, options.night)
    try:
        out = _loop(session, _int16(samples), options, clock)
    finally:
        session.speaker.close()
    if out_path:
        write_wav(out_path, out, RATE)
    return out


def build_for_simulation(config, report, engine=None, voice=None, seed=None, night=None):
    from .session import build_session

    return build_session(config, RATE, NoLight(), report, engine=engine, voice=voice, seed=seed, night=night)


def _int16(samples: np.ndarray) -> np.ndarray:
    return (np.clip(samples, -1, 1) * 32767).astype(np.int16)


def _loop(session, mic: np.ndarray, options: SimulationOptions, clock: dict) -> np.ndarray:
    presses = sorted(options.presses)
    out_blocks: list[np.ndarray] = []
    played = np.zeros(BLOCK, np.float32)
    echo = _speaker_echo(options)
    started = time.monotonic()
    n_in = len(mic) // BLOCK + (1 if len(mic) % BLOCK else 0)
    limit = n_in + int(TAIL_LIMIT_S * RATE / BLOCK)
    i = 0
    try:
        while i < limit and (i < n_in or (options.tail and _busy(session))) and not options.stop.is_set():
            played = _step(session, mic, i, options, clock, started, presses, played, echo)
            out_blocks.append(played)
            i += 1
    except KeyboardInterrupt:  # Ctrl-C where no handler sets options.stop: keep what was played
        pass
    return np.concatenate(out_blocks) if out_blocks else np.zeros(0, np.float32)


def _speaker_echo(options: SimulationOptions):
    if not options.echo:
        return None
    if options.echo_path == "exact":
        return ExactEcho(options.echo)
    from .measure.room import SpeakerEcho

    return SpeakerEcho(options.echo)


class ExactEcho:
    """The old test echo: an exact, delay-free copy of what was played (no room produces it)."""

    def __init__(self, gain: float):
        self.gain = gain

    def feed(self, played: np.ndarray) -> np.ndarray:
        return played * self.gain


def _step(session, mic: np.ndarray, i: int, options: SimulationOptions, clock: dict, started: float,
          presses: list[float], played: np.ndarray, echo) -> np.ndarray:
    """One 20 ms block: the button, the microphone (with the echo of what was just played), then what the
    speaker plays next. The block just played is the echo canceller's reference."""
    clock["t"] = i * BLOCK / RATE
    _press_due(session, presses, clock["t"])
    if options.realtime:
        _pace(started, clock["t"])
    block = _block(mic, i)
    if echo is not None:
        block = np.clip(block + echo.feed(played) * 32767, -32768, 32767).astype(np.int16)
    session.hear(block, played)
    out, events = session.speaker.read(BLOCK, wait=not options.realtime)
    session.played(events)
    return out


def _block(mic: np.ndarray, i: int) -> np.ndarray:
    block = mic[i * BLOCK:(i + 1) * BLOCK]
    if len(block) < BLOCK:
        block = np.concatenate([block, np.zeros(BLOCK - len(block), np.int16)])
    return block


def _press_due(session, presses: list[float], t: float) -> None:
    """Tap the button for every press now due (taken off the list)."""
    while presses and presses[0] <= t:
        presses.pop(0)
        session.post(ButtonPressed())
        session.post(ButtonReleased())


def _busy(session) -> bool:
    player = session.speaker.player
    return session.coach.state != "idle" or (player is not None and not player.finished)


def _pace(started: float, t: float) -> None:
    delay = started + t - time.monotonic()
    if delay > 0:
        time.sleep(delay)
