"""Talking over the device: controls said while it speaks, and its own voice never obeyed.

Two measurements, on the session `simulate` and `run` use, with its echo coming back through a room
(room.py's SpeakerEcho: delay, reverberation, band limits, distortion, clock drift) over a microphone's
own faint hiss:
- controls: a practice starts; a few lines in, a person says a control over the middle of a line, in our
  own voices (Piper and espeak-ng), with the echo from none to +10 dB above the voice at the microphone.
  Right when the control is obeyed (stop stops, pause pauses, the others change what plays).
- self-trigger: whole practices with the echo at +10 dB and nobody speaking. Any wake, intent or control
  is the device obeying itself.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from ..events import ButtonPressed, ButtonReleased, IntentHeard
from ..listen.endpoint import BLOCK, RATE
from .room import SpeakerEcho, active_rms
from .voices import TUNING, Speakers, available

SAID = {"stop": "stop", "pause": "pause", "slower": "slower", "faster": "faster", "louder": "louder",
        "quieter": "quieter", "repeat": "repeat that"}
OBEYED = {"stop": "practice_stopped", "pause": "paused"}  # the rest report "control"
ECHO_DB = (None, 0.0, 3.0, 6.0, 10.0)  # the echo's level above the voice at the microphone; None: no echo
VOICE_DB = -30.0   # a person speaking from the bed, at the microphone (active level, dBFS)
HISS_DB = -70.0    # the microphone's own noise
LINES_BEFORE = 3   # the control comes over this line of the practice (the echo canceller has heard a few)
INTO_LINE_S = 0.8  # ...this far into it
AFTER_S = 3.0      # time allowed for the control to be obeyed after it is said
SELF_PRACTICES = ("i need a break", "give me a self hug", "hand on heart", "cup my face",
                  "what would i say to a friend")


@dataclass
class TalkOverReport:
    rows: dict = field(default_factory=dict)  # (echo, duplex) -> [right, trials]
    overlap: list = field(default_factory=list)  # share of each control said while the device was audible
    misses: list = field(default_factory=list)
    self_practices: int = 0
    self_minutes: float = 0.0
    self_triggers: list = field(default_factory=list)
    cpu_share: float = 0.0  # echo cancellation's time, as a share of the audio's

    def add(self, echo, duplex: str, right: bool) -> None:
        row = self.rows.setdefault((echo, duplex), [0, 0])
        row[0] += right
        row[1] += 1


class Trial:
    """One session, driven block by block like `simulate`, with a person and an echo in the microphone. It
    speaks with the night's delivery (softer, slower) whatever the clock says, so a trial comes out the same
    at any hour (by the clock, a control trial after 07:00 was spoken over a day voice and came out otherwise)."""

    def __init__(self, config, engine, voice, echo_gain: float, seed: int):
        from ..simulate import build_for_simulation

        self.events: list[dict] = []
        self.t = 0.0
        self.session = build_for_simulation(config, self._report, engine, voice, seed, night=True)
        self.echo = SpeakerEcho(echo_gain, seed=seed) if echo_gain else None
        self.rng = np.random.default_rng(seed)
        self.played = np.zeros(BLOCK, np.float32)
        self.person = np.zeros(0, np.float32)  # what the person is still to say, from the next block
        self.audible: list[bool] = []  # per block of the person's speech: was the device audible
        self.softest = 1.0  # the speaker's softest while the person spoke (a share of its volume)

    def _report(self, event: str, data: dict) -> None:
        self.events.append({"event": event, "t": round(self.t, 3), **data})

    def say(self, speech: np.ndarray) -> None:
        self.person = speech

    def step(self) -> None:
        mic = self.rng.standard_normal(BLOCK).astype(np.float32) * 10 ** (HISS_DB / 20)
        if self.echo is not None:
            mic += self.echo.feed(self.played)
        if len(self.person):
            piece, self.person = self.person[:BLOCK], self.person[BLOCK:]
            mic[:len(piece)] += piece
            self.audible.append(bool(np.max(np.abs(self.played)) > 0.01))
            self.softest = min(self.softest, self.session.speaker.share)
        self.session.hear((np.clip(mic, -1, 1) * 32767).astype(np.int16), self.played)
        self.played, events = self.session.speaker.read(BLOCK, wait=True)
        self.session.played(events)
        self.t += BLOCK / RATE

    def run_for(self, seconds: float) -> None:
        for _ in range(int(seconds * RATE / BLOCK)):
            self.step()

    def run_until(self, done, limit_s: float) -> bool:
        end = self.t + limit_s
        while self.t < end:
            if done():
                return True
            self.step()
        return done()

    def count(self, name: str) -> int:
        return sum(e["event"] == name for e in self.events)

    def close(self) -> None:
        self.session.speaker.close()


def measure_talk_over(config, voices: list[str], echoes=ECHO_DB, duplexes=("full", "half"),
                      self_practices: int = 0, progress=None) -> TalkOverReport:
    from ..config import voices_dir
    from ..listen.engines import choose_engine
    from ..speech.tts import load_voice

    report = TalkOverReport()
    engine = choose_engine(config)
    device_voice = load_voice(config.voice.name, voices_dir(), config.voice.threads, steady=True)
    level = _device_echo_level(config, engine, device_voice)
    speakers = Speakers()
    cancelled = [0.0, 0.0]
    for duplex in duplexes:
        cfg = _with(config, duplex)
        for echo_db in echoes:
            gain = 0.0 if echo_db is None else 10 ** ((VOICE_DB + echo_db - level) / 20)
            for v, who in enumerate(voices):
                for c, control in enumerate(SAID):
                    speech = _at_level(speakers.say(who, SAID[control]), VOICE_DB)
                    right, trial = _control_trial(cfg, engine, device_voice, gain, speech, control, seed=v * 31 + c)
                    report.add(echo_db, duplex, right)
                    report.overlap.append(float(np.mean(trial.audible)) if trial.audible else 0.0)
                    _account(cancelled, trial)
                    if not right:
                        report.misses.append((duplex, echo_db, who, control, _heard(trial)))
                    if progress:
                        progress(duplex, echo_db, who, control, right)
    if self_practices:
        _self_trigger(report, _with(config, "full"), engine, device_voice, level, self_practices, cancelled)
    report.cpu_share = cancelled[0] / max(cancelled[1], 1e-9)
    return report


def _with(config, duplex: str):
    asr = dataclasses.replace(config.asr, duplex=duplex)
    button = dataclasses.replace(config.button, at_night="break")  # the Break at any hour
    return dataclasses.replace(config, asr=asr, button=button)


def _at_level(speech: np.ndarray, db: float) -> np.ndarray:
    return (speech * (10 ** (db / 20) / max(active_rms(speech), 1e-9))).astype(np.float32)


def _device_echo_level(config, engine, voice) -> float:
    """The active level of the device's voice at the microphone through a room at gain 1 (dBFS)."""
    trial = Trial(_with(config, "full"), engine, voice, 1.0, seed=99)
    heard = []
    original = trial.echo.feed
    trial.echo.feed = lambda played: heard.append(original(played)) or heard[-1]
    trial.session.post(ButtonPressed())
    trial.session.post(ButtonReleased())
    trial.run_for(20.0)
    trial.close()
    return 20 * np.log10(max(active_rms(np.concatenate(heard)), 1e-9))


def _control_trial(config, engine, voice, gain: float, speech: np.ndarray, control: str, seed: int):
    trial = Trial(config, engine, voice, gain, seed)
    try:
        trial.session.post(ButtonPressed())
        trial.session.post(ButtonReleased())
        trial.run_until(lambda: trial.count("said") >= LINES_BEFORE, 60.0)
        trial.run_for(INTO_LINE_S)
        said_at = trial.t
        trial.say(speech)
        trial.run_for(len(speech) / RATE + AFTER_S)
        return _obeyed(trial.events, control, said_at), trial
    finally:
        trial.close()


def _obeyed(events: list[dict], control: str, after: float) -> bool:
    wanted = OBEYED.get(control, "control")
    return any(e["event"] == wanted and e["t"] >= after and e.get("name", control) == control for e in events)


def _heard(trial: Trial) -> str:
    return ", ".join(f"{e['event']}:{e.get('intent', e.get('name', ''))}" for e in trial.events
                     if e["event"] in ("intent", "control", "paused", "practice_stopped")) or "nothing"


def _account(cancelled: list, trial: Trial) -> None:
    echo = trial.session.echo
    if echo is not None:
        cancelled[0] += echo.seconds
        cancelled[1] += echo.blocks * BLOCK / RATE


def _self_trigger(report: TalkOverReport, config, engine, voice, level: float, practices: int,
                  cancelled: list) -> None:
    """Whole practices with the echo at +10 dB over a person's voice, and nobody speaking."""
    from ..understand.router import Router

    gain = 10 ** ((VOICE_DB + 10.0 - level) / 20)
    router = Router()
    for n in range(practices):
        trial = Trial(config, engine, voice, gain, seed=1000 + n)
        try:
            request = SELF_PRACTICES[n % len(SELF_PRACTICES)]
            trial.session.post(IntentHeard(router.route(request), "idle"))
            trial.run_until(lambda: trial.count("practice_finished") >= 1, 1800.0)
            trial.run_for(2.0)
            unwanted = [e for e in trial.events if e["t"] > 0 and e["event"] in (
                "wake", "intent", "control", "paused", "practice_stopped", "transcript")]  # not the request itself
            report.self_triggers.extend((n, request, e) for e in unwanted)
            report.self_minutes += trial.t / 60
            report.self_practices += 1
            _account(cancelled, trial)
        finally:
            trial.close()


def talk_over_table(report: TalkOverReport) -> str:
    lines = ["controls said over the device's voice, heard and obeyed",
             f"{'echo above the voice':<24}" + "".join(f"{d + ' duplex':>14}" for d in ("full", "half"))]
    for echo in dict.fromkeys(e for e, _ in report.rows):
        name = "no echo" if echo is None else f"{echo:+.0f} dB"
        cells = []
        for duplex in ("full", "half"):
            right, trials = report.rows.get((echo, duplex), (0, 0))
            cells.append(f"{right}/{trials} {100 * right / trials:.0f} %" if trials else "-")
        lines.append(f"{name:<24}" + "".join(f"{c:>14}" for c in cells))
    if report.overlap:
        lines.append(f"each control overlapped the device's voice for {100 * np.mean(report.overlap):.0f} % "
                     "of its length on average")
    if report.self_practices:
        lines.append(f"self-trigger: {len(report.self_triggers)} wakes, intents or controls in "
                     f"{report.self_practices} whole practices ({report.self_minutes:.0f} min) with the echo "
                     "at +10 dB and nobody speaking")
    lines.append(f"echo cancellation: {100 * report.cpu_share:.1f} % of one core")
    return "\n".join(lines)


def eval_talk_over(config, per_group: int | None = None, self_practices: int = 0, echoes=ECHO_DB,
                   progress=None) -> TalkOverReport:
    """On our own voices only (Piper and espeak-ng): nothing here is flite's or festival's. Not Piper at the
    device's own pace: a person is not the device."""
    voices = [v for v in available(TUNING) if v != "piper:1.0"]
    chosen = voices[:per_group] if per_group else voices
    return measure_talk_over(config, chosen, echoes, self_practices=self_practices, progress=progress)
