"""`voicecoach soak`: many whole sessions through the real engines, faster than real time, watching
memory, threads and open files for growth.

Each session is what a person does: "hey coach", a request, a little of the practice, "stop", and
the goodbye to its end. The spoken parts are made once by the Piper voice; the same session code as
`run` and `simulate` hears them in 20 ms blocks and plays the replies into nowhere.
"""
from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field

import numpy as np

from ..listen.endpoint import RATE
from ..device.memory import release_free_memory
from .bench import rss_mb
from ..simulate import SimulationOptions, _loop
from ..testing import Reports, speech_for_mic

REQUESTS = ("i need a break", "hand on heart", "can we do the hug one")
SAMPLE_EVERY = 50


@dataclass
class SoakResult:
    sessions: int
    completed: int
    seconds: float
    simulated_hours: float
    warmup: int
    rss_mb: list[float] = field(default_factory=list)
    anon_mb: list[float] = field(default_factory=list)  # of it, what the process allocated (not mapped files)
    threads: list[int] = field(default_factory=list)
    fds: list[int] = field(default_factory=list)

    @property
    def rss_growth_mb(self) -> float:
        return self.growth(self.rss_mb)

    def growth(self, samples: list[float]) -> float:
        """Median of the last five samples less the median of the first five after warm-up: a leak shows,
        the swing of synthesis buffers between samples does not."""
        after = samples[self.warmup // SAMPLE_EVERY:]
        return float(np.median(after[-5:]) - np.median(after[:5]))

    @property
    def rss_slope_mb_per_1000(self) -> float:
        after = self.rss_mb[self.warmup // SAMPLE_EVERY:]
        x = np.arange(len(after)) * SAMPLE_EVERY / 1000
        return float(np.polyfit(x, after, 1)[0]) if len(after) > 1 else 0.0

    def as_json(self) -> dict:
        w = self.warmup // SAMPLE_EVERY
        return {"sessions": self.sessions, "completed": self.completed, "seconds": round(self.seconds, 1),
                "simulated_hours": round(self.simulated_hours, 2), "warmup_sessions": self.warmup,
                "rss_mb_after_warmup": round(self.rss_mb[w], 1), "rss_mb_end": round(self.rss_mb[-1], 1),
                "rss_growth_mb": round(self.rss_growth_mb, 2), "anon_growth_mb": round(self.growth(self.anon_mb), 2),
                "rss_slope_mb_per_1000_sessions": round(self.rss_slope_mb_per_1000, 3),
                "threads_max": {"warmup": max(self.threads[:w + 1]), "after": max(self.threads[w:])},
                "open_fds_max": {"warmup": max(self.fds[:w + 1]), "after": max(self.fds[w:])}}


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def session_audio(voice) -> list[np.ndarray]:
    """One input clip per kind of session: wake, request, some practice, stop."""
    def gap(seconds: float) -> np.ndarray:
        return np.zeros(int(seconds * RATE), np.float32)

    wake, stop = speech_for_mic(voice, "Hey coach."), speech_for_mic(voice, "Stop.")
    return [np.concatenate([gap(0.6), wake, gap(0.5), speech_for_mic(voice, request + "."), gap(2.0), stop,
                            gap(0.8)])
            for request in REQUESTS]


def _completed(reports: Reports, session) -> bool:
    """Woken by the phrase, a practice started, stopped by voice, goodbye said, back to idle."""
    started = [d["practice"] for d in reports.named("practice_started")]
    stopped = [d["practice"] for d in reports.named("practice_stopped")]
    return ([d["source"] for d in reports.named("wake")] == ["hotword"] and len(started) == 2
            and started[1] == "goodbye" and stopped == started[:1] and session.coach.state == "idle")


def run_soak(config, sessions: int, warmup: int = 200, voice=None, engine=None, seed: int = 1) -> SoakResult:
    from ..simulate import build_for_simulation, _int16
    from ..speech.tts import PiperVoice, default_voice_files

    voice = voice or PiperVoice(default_voice_files(), threads=config.voice.threads, steady=True)
    clips = [_int16(c) for c in session_audio(voice)]
    reports = Reports()
    session = build_for_simulation(config, reports, engine=engine, voice=voice, seed=seed)
    result = SoakResult(sessions, 0, 0.0, 0.0, warmup)
    clock, options, simulated = {"t": 0.0}, SimulationOptions(), 0
    started = time.monotonic()
    try:
        for i in range(sessions):
            reports.items.clear()
            simulated += len(_loop(session, clips[i % len(clips)], options, clock))
            result.completed += _completed(reports, session)
            if i % SAMPLE_EVERY == 0 or i == sessions - 1:
                session.speaker.reap()  # count threads between sessions, not a sentence finishing
                gc.collect()
                release_free_memory()  # what is held, not what the allocator keeps spare
                result.rss_mb.append(rss_mb())
                result.anon_mb.append(rss_mb("RssAnon"))
                result.threads.append(threads())
                result.fds.append(open_fds())
    finally:
        session.speaker.close()
    result.seconds = time.monotonic() - started
    result.simulated_hours = simulated / RATE / 3600
    return result
