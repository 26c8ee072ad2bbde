"""`voicecoach bench`: the pipeline's latency, CPU and memory, against a naive baseline in the same run.

Ours: the session as `run` builds it (spotter, coach, pre-rendered phrases, one long-lived output).
The output "device" is a thread that pulls 256-frame blocks at 48 kHz in real time, as PortAudio's
callback would, and notes when the first audible sample is handed over.
Baseline: what a hobbyist writes: the piper command line started per response, recognition with
the full vocabulary (no grammar, no voice gate), and a new output stream per response.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from ..audio.playback import AUDIBLE
from ..events import ButtonPressed, WakeHeard
from ..listen.endpoint import BLOCK, RATE

DEVICE_RATE = 48000
DEVICE_BLOCK = 256


class PacedDevice:
    """Pulls the speaker in real time on its own thread and timestamps the first audible sample after `arm()`."""

    def __init__(self, speaker, on_events):
        self.speaker = speaker
        self.on_events = on_events
        self._armed = threading.Event()
        self.heard_at: float | None = None
        self._heard = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "PacedDevice":
        self._thread.start()
        return self

    def arm(self) -> None:
        self.heard_at = None
        self._heard.clear()
        self._armed.set()

    def wait(self, timeout: float = 5.0) -> float | None:
        return self.heard_at if self._heard.wait(timeout) else None

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        period = DEVICE_BLOCK / DEVICE_RATE
        next_at = time.perf_counter()
        while not self._stop.is_set():
            block, events = self.speaker.read(DEVICE_BLOCK)
            now = time.perf_counter()
            if events:
                self.on_events(events)
            if self._armed.is_set():
                loud = np.flatnonzero(np.abs(block) > AUDIBLE)
                if len(loud):
                    self.heard_at = now + loud[0] / DEVICE_RATE
                    self._armed.clear()
                    self._heard.set()
            next_at += period
            time.sleep(max(0.0, next_at - time.perf_counter()))


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p95": None, "n": 0}
    return {"p50": round(float(np.percentile(values, 50)), 1), "p95": round(float(np.percentile(values, 95)), 1),
            "n": len(values)}


def rss_mb(part: str = "VmRSS") -> float:
    """Resident memory (MB): all of it, or one part ("RssAnon": what the process allocated, not pages of the
    model files it maps)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{part}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Bench:
    def __init__(self, config, quick: bool = False):
        from ..session import build_session
        from ..hardware.light import NoLight
        from ..testing import Reports

        self.config = config
        self.quick = quick
        self.trials = 8 if quick else 20
        self.reports = Reports()
        self.session = build_session(config, DEVICE_RATE, NoLight(), self.reports, seed=1)
        self.coaching = self.session.coaching
        self._prepare()
        self._lock = threading.Lock()
        self.device = PacedDevice(self.session.speaker, self._played).start()
        self.request = self._spoken("I need a break.")
        self.after_wake = self._spoken("Can we do the hug one?")

    def _played(self, events) -> None:
        with self._lock:
            self.session.played(events)

    def _prepare(self) -> None:
        """Pre-render in a child process, as `voicecoach prepare` does at install time on a device,
        so this process holds only what a running device holds."""
        config = [] if self.config.source.startswith("(") else ["--config", self.config.source]
        subprocess.run([sys.executable, "-m", "voicecoach", *config, "prepare"], check=True, capture_output=True)

    def _spoken(self, text: str) -> np.ndarray:
        from ..testing import speech_for_mic

        audio = speech_for_mic(self.coaching.renderer.voice, text, level=0.6)
        return (np.concatenate([np.zeros(RATE // 2), audio, np.zeros(RATE)]) * 32767).astype(np.int16)

    def _reset(self) -> None:
        from ..coach import Coach

        with self._lock:
            self.session.speaker.close()
            self.session.coach = Coach()
            self.session.spotter.set_mode("idle")
        time.sleep(0.05)

    # ours
    def button_to_audio(self) -> list[float]:
        results = []
        for _ in range(self.trials):
            self._reset()
            self.device.arm()
            t0 = time.perf_counter()
            with self._lock:
                self.session.post(ButtonPressed())
            heard = self.device.wait()
            if heard is not None:
                results.append((heard - t0) * 1000)
        return results

    def speech_end_to_audio(self) -> list[float]:
        return self._reply_ms(self.request, after_wake=False)

    def request_end_to_audio(self) -> list[float]:
        """After "hey coach" (its chime played out): the end of a spoken request to the practice's first sound.
        The request is transcribed with open vocabulary and the grammar alongside, then routed."""
        return self._reply_ms(self.after_wake, after_wake=True)

    def _reply_ms(self, audio: np.ndarray, after_wake: bool) -> list[float]:
        """From the end of the spoken audio (its last loud block) to the device's first audible sample."""
        last_speech_block = np.flatnonzero(np.abs(audio) > 300)[-1] // BLOCK
        results = []
        for _ in range(max(5, self.trials // 2) if self.quick else self.trials):
            self._reset()
            if after_wake:
                with self._lock:
                    self.session.post(WakeHeard("hey coach"))
                self._wait_quiet()
            self.device.arm()
            spoke_at = self._feed_realtime(audio, last_speech_block)
            heard = self.device.wait(3.0)
            if heard is not None:
                results.append((heard - spoke_at) * 1000)
        return results

    def _wait_quiet(self, limit: float = 3.0) -> None:
        """Until the wake chime has played out."""
        until = time.perf_counter() + limit
        while time.perf_counter() < until:
            player = self.session.speaker.player
            if player is None or player.finished:
                return
            time.sleep(0.01)

    def _feed_realtime(self, audio: np.ndarray, mark_block: int) -> float:
        """Feeds the audio in real time until the device is heard; returns when the marked block (the last
        of the speech) was, or would have been, heard: a reply may come before the speech's faint tail ends."""
        start = time.perf_counter()
        for i in range(len(audio) // BLOCK):
            time.sleep(max(0.0, start + (i + 1) * BLOCK / RATE - time.perf_counter()))
            with self._lock:
                self.session.hear(audio[i * BLOCK:(i + 1) * BLOCK])
            if self.device.heard_at is not None:
                break
        return start + (mark_block + 1) * BLOCK / RATE

    def tts(self) -> dict:
        from ..speech.render import Renderer
        from ..speech.cache import PhraseCache

        text = "Tonight, let your breath be slow and easy, like waves on a quiet shore. You are safe here."
        with tempfile.TemporaryDirectory() as tmp:
            renderer = Renderer(self.coaching.renderer.voice, PhraseCache(Path(tmp)), DEVICE_RATE)
            t0 = time.perf_counter()
            stream = renderer.stream(text, 1.0)
            first = next(stream)
            first_ms = (time.perf_counter() - t0) * 1000
            rest = list(stream)
            total = time.perf_counter() - t0
        seconds = (len(first) + sum(len(r) for r in rest)) / DEVICE_RATE
        return {"tts_first_audio_ms": round(first_ms, 1), "tts_rtf": round(total / seconds, 3), "text": text}

    def idle_cpu(self, seconds: float) -> float:
        audio = idle_audio(seconds)
        self._reset()
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(len(audio) // BLOCK):
            time.sleep(max(0.0, t0 + (i + 1) * BLOCK / RATE - time.perf_counter()))
            with self._lock:
                self.session.hear(audio[i * BLOCK:(i + 1) * BLOCK])
        return round(100 * (time.process_time() - c0) / (time.perf_counter() - t0), 1)

    def echo_cost(self, seconds: float) -> dict:
        """Echo cancellation on its own: the device's voice through a room under idle talk. Its share of a
        core, and the time it adds to each microphone block before listening (the delay it adds to the
        button's and the reply's paths, p50/p95). idle_cpu_percent includes it already."""
        from ..listen.echo import EchoCanceller
        from .room import SpeakerEcho

        talk = idle_audio(seconds)
        played, person = talk.astype(np.float32) / 32767, talk[::-1]
        canceller, room, spent = EchoCanceller(), SpeakerEcho(0.5), []
        for i in range(len(played) // BLOCK):
            ref = played[i * BLOCK:(i + 1) * BLOCK]
            mic = np.clip(person[i * BLOCK:(i + 1) * BLOCK] + room.feed(ref) * 32767, -32768, 32767).astype(np.int16)
            t0 = time.thread_time()
            canceller.cancel(mic, ref)
            spent.append((time.thread_time() - t0) * 1000)
        return {"echo_cancel_percent": round(100 * canceller.share, 1),
                "echo_cancel_block_ms": percentiles(spent)}

    def controls_cost(self, seconds: float) -> dict:
        """The controls' network while the device guides (listen/controlword.py): its share of a core on talk
        and quiet, processor time over the audio's time. It runs only while guiding, not in idle."""
        from ..listen.controlword import ControlWordDetector
        from ..listen.engines import EngineError

        try:
            detector = ControlWordDetector()
        except EngineError:
            return {"control_network_percent": None}
        talk = idle_audio(seconds)
        t0 = time.thread_time()
        for i in range(len(talk) // BLOCK):
            detector.feed(talk[i * BLOCK:(i + 1) * BLOCK])
        return {"control_network_percent": round(100 * (time.thread_time() - t0) / seconds, 1)}

    def close(self) -> None:
        self.device.close()
        self.session.speaker.close()


def idle_audio(seconds: float) -> np.ndarray:
    """Talk and quiet, alternating: espeak-ng reading ordinary sentences, then silence, over low noise."""
    lines = ["The weather tomorrow looks mild, with a light wind from the west.",
             "Remember to pick up bread and milk on the way home from work.",
             "The library opens at nine and closes early on Saturdays.",
             "Our train was twenty minutes late, so we missed the first part of the film."]
    parts, total, i = [], 0, 0
    while total < seconds * RATE:
        talk = _espeak(lines[i % len(lines)])
        parts += [talk, np.zeros(int(len(talk) * 1.2), np.int16)]
        total += len(talk) * 2.2
        i += 1
    audio = np.concatenate(parts)[: int(seconds * RATE)].astype(np.float32)
    audio += np.random.default_rng(0).normal(0, 40, len(audio))
    return audio.astype(np.int16)


def _espeak(text: str) -> np.ndarray:
    from ..audio.resample import resample
    from ..audio.wav import decode_wav

    wav = subprocess.run(["espeak-ng", "-v", "en-us", "--stdout"], input=text.encode(), capture_output=True,
                         check=True).stdout
    samples, rate = decode_wav("espeak", wav)
    return (resample(samples, rate, RATE) * 20000).astype(np.int16)
