"""`voicecoach eval room`: the whole listening pipeline in rooms, on voices we tune with and voices held out.

Three kinds of trial per voice and room condition, each through the real spotter (front end, detector,
endpointer, engines) and the real router:
- wake:    "hey coach" in idle must wake the device;
- direct:  "I need a break" in idle must be heard without a wake;
- crisis:  a crisis phrase said in idle, with no wake, must be answered at once;
- request: after a wake, a spoken request must reach the right practice.
Then long negatives: read text that is not for the device, in several voices, with and without a fan;
every phrase heard in idle there is a false wake. And a TV drama whose characters say the crisis phrases
(measure/drama.py), in a quiet and in a reverberant room: every crisis line spoken for it is a false one.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from ..listen.endpoint import BLOCK, RATE
from ..session import ALLOWED, CrisisInIdle, understood
from .drama import CRISIS_LINES, cast, scene
from .requests import SPOKEN
from .room import CONDITIONS, TALKER, Room, by_name, fan_noise, reading
from .voices import HELD_OUT, TUNING, Speakers, available

log = logging.getLogger(__name__)

WAKE = "hey coach"
DIRECT = "i need a break"
CRISIS = ("i want to die", "i want to kill myself", "i am going to kill myself", "i want to hurt myself",
          "i feel suicidal")  # said in turn, one per voice and room
REQUESTS = SPOKEN[::2]  # ten of the spoken requests, crisis statements among them
WORDS_PER_MINUTE = 160
KINDS = ("wake", "direct", "crisis", "request")
DRAMA_ROOMS = ("quiet", "reverb")
QUIET_BEFORE_S = 8.0  # a wake or direct phrase is said after a while of the room alone, as at a bedside
VOICE_DB = -20.0  # every voice speaks this loud (active RMS, dBFS; our own voices' middle), and so the room's
#                   fan and talk keep one level through a condition's trials, as they do at a bedside


@dataclass
class RoomReport:
    rows: dict = field(default_factory=dict)  # (condition, group, kind) -> [right, total]
    negatives: list = field(default_factory=list)  # (voice, condition, minutes, what was heard and done)
    dramas: list = field(default_factory=list)  # (voices, condition, crisis lines, what was heard and done)
    seconds_fed: float = 0.0
    cpu_s: float = 0.0

    def add(self, condition: str, group: str, kind: str, right: bool) -> None:
        row = self.rows.setdefault((condition, group, kind), [0, 0])
        row[0] += bool(right)
        row[1] += 1

    def accuracy(self, condition: str, group: str, kind: str) -> float | None:
        right, total = self.rows.get((condition, group, kind), (0, 0))
        return right / total if total else None

    def false_wakes_per_hour(self, group_voices) -> tuple[float, float, int]:
        """What the device would have answered in read text (a crisis phrase the session holds is not)."""
        rows = [n for n in self.negatives if n[0] in group_voices]
        minutes = sum(n[2] for n in rows)
        count = sum(o["answered"] for n in rows for o in n[3])
        return (count / (minutes / 60) if minutes else 0.0), minutes, count

    def drama_answers(self, group_voices) -> tuple[int, int, int, int]:
        """Scenes played, crisis lines said in them, and how often the device answered them by night and
        by day."""
        rows = [d for d in self.dramas if set(d[0]) <= set(group_voices)]
        return (len(rows), sum(d[2] for d in rows), sum(o["night"] for d in rows for o in d[3]),
                sum(o["day"] for d in rows for o in d[3]))


class Feeder:
    """Feeds audio to a spotter block by block, counting the processor time it takes."""

    def __init__(self, spotter, report: RoomReport):
        self.spotter = spotter
        self.report = report

    def feed(self, audio: np.ndarray) -> list:
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
        heard = []
        started = time.thread_time()
        for i in range(0, len(pcm) - BLOCK + 1, BLOCK):
            heard.extend(self.spotter.feed(pcm[i:i + BLOCK]))
        self.report.cpu_s += time.thread_time() - started
        self.report.seconds_fed += len(pcm) / RATE
        return heard


def bedside_room(speakers: Speakers) -> Room:
    """The evaluation's room: its other talk, and every voice at VOICE_DB (tools choosing bars use it too)."""
    return Room(speakers.say(TALKER, reading(1200, 20000)), voice_db=VOICE_DB)


def evaluate_room(spotter, router, allowed, voices: list[str], conditions=CONDITIONS, negative_minutes: float = 0,
                  speakers: Speakers | None = None, kinds=KINDS) -> RoomReport:
    speakers = speakers or Speakers()
    report = RoomReport()
    feeder = Feeder(spotter, report)
    room = bedside_room(speakers)
    said: dict = {}
    for trial, (condition, voice) in enumerate((c, v) for c in conditions for v in voices):
        group = "held-out" if voice in HELD_OUT else "tuning"

        def speech(text):
            key = (voice, text)
            if key not in said:
                said[key] = speakers.say(voice, text)
            return said[key]

        for kind, text in (("wake", WAKE), ("direct", DIRECT), ("crisis", CRISIS[trial % len(CRISIS)])):
            if kind not in kinds:
                continue
            audio, _ = room.place(speech(text), condition, lead=QUIET_BEFORE_S, trial=trial * 100 + len(text))
            spotter.set_mode("idle")
            heard = feeder.feed(audio)
            right = any(_answered(h, router, CrisisInIdle())["crisis"] for h in heard) if kind == "crisis" else \
                any(h.text == text for h in heard)
            report.add(condition.name, group, kind, right)
        for n, (text, expected) in enumerate(REQUESTS if "request" in kinds else ()):
            audio, _ = room.place(speech(text), condition, lead=0.3, trial=trial * 100 + 50 + n)
            report.add(condition.name, group, "request", _request(spotter, router, feeder, audio, allowed) == expected)
    if negative_minutes:
        _negatives(spotter, router, feeder, report, voices, negative_minutes, speakers)
        _dramas(spotter, router, feeder, report, voices, speakers, room)
    return report


def _request(spotter, router, feeder, audio: np.ndarray, allowed) -> str:
    spotter.set_mode("request")
    heard = [h for h in feeder.feed(audio) if h.mode == "request"]
    if not heard:
        heard = spotter.end_request()
    if not heard or not any(heard[0].transcripts):
        return "none"
    return router.understand(heard[0].transcripts, allowed, heard[0].runners_up, request=True)[0].name


def _negatives(spotter, router, feeder, report: RoomReport, voices, minutes: float, speakers: Speakers) -> None:
    """Read text in each voice, half of it over a fan 20 dB down; whatever idle hears there and the device
    would answer is a false wake."""
    words = int(minutes * WORDS_PER_MINUTE / len(voices))
    rng = np.random.default_rng(7)
    crisis = CrisisInIdle()
    for i, voice in enumerate(voices):
        speech = _read(speakers, voice, reading(words, offset=i * words))
        half = len(speech) // 2
        speech[half:] += fan_noise((len(speech) - half) / RATE, rng) * 0.02
        spotter.set_mode("idle")
        minutes, heard = len(speech) / RATE / 60, [_false_wake(h, router, crisis) for h in feeder.feed(speech)]
        report.negatives.append((voice, "read text", minutes, heard))
        log.info("read text in %s: %.1f min, heard %s", voice, minutes, [(o["text"], o["answered"]) for o in heard])


def _dramas(spotter, router, feeder, report: RoomReport, voices, speakers: Speakers, room: Room) -> None:
    """The TV drama, its two characters played by pairs of the voices (of one group), at the person's own
    level (a TV as loud as someone by the bed): what the device would answer, by night and by day."""
    rng = np.random.default_rng(3)
    pairs = cast([v for v in voices if v not in HELD_OUT]) + cast([v for v in voices if v in HELD_OUT])
    for n, pair in enumerate(pairs):
        played = scene(speakers, pair, rng)
        for condition in by_name(list(DRAMA_ROOMS)):
            audio, _ = room.place(played, condition, lead=2.0, trial=5000 + n)
            spotter.set_mode("idle")
            night, day = CrisisInIdle(), CrisisInIdle()
            outcomes = [{"text": h.text, "found": h.reason, "night": _answered(h, router, night, True)["crisis"],
                         "day": _answered(h, router, day)["crisis"]} for h in feeder.feed(audio)]
            report.dramas.append((pair, condition.name, CRISIS_LINES, outcomes))


def _answered(heard, router, crisis: CrisisInIdle, night: bool = False) -> dict:
    """Whether the device would answer what idle heard, and whether with its crisis lines."""
    intent, verdict = understood(router, heard, crisis, night)
    answered = heard.wake or verdict == "answered"
    return {"answered": answered, "crisis": answered and not heard.wake and intent.name == "crisis_support"}


def _false_wake(heard, router, crisis: CrisisInIdle) -> dict:
    """A phrase heard in read text, how it was found and heard, and whether the device would answer it."""
    return {"text": heard.text, "found": heard.reason, "transcripts": list(heard.transcripts),
            "answered": _answered(heard, router, crisis)["answered"]}


def _read(speakers: Speakers, voice: str, text: str) -> np.ndarray:
    """Long text read a paragraph at a time (the synthesizers take sentences, not books)."""
    words = text.split()
    parts = [speakers.say(voice, " ".join(words[i:i + 60])) for i in range(0, len(words), 60)]
    return np.concatenate(parts).astype(np.float32)


def room_table(report: RoomReport, groups: dict) -> str:
    head = f"{'condition':14s}" + "".join(f" {g[:8] + ' ' + k:>17s}" for g in groups for k in KINDS)
    rows = [head]
    for condition in dict.fromkeys(c for c, _, _ in report.rows):
        cells = []
        for g in groups:
            for k in KINDS:
                acc = report.accuracy(condition, g, k)
                cells.append(f" {'-' if acc is None else f'{acc:.0%}':>17s}")
        rows.append(f"{condition:14s}" + "".join(cells))
    for g, vs in groups.items():
        rate, minutes, count = report.false_wakes_per_hour(vs)
        if minutes:
            heard = [f"{o['text']}{'' if o['answered'] else ' (not answered)'}"
                     for n in report.negatives if n[0] in vs for o in n[3]]
            rows.append(f"false wakes, {g}: {count} in {minutes:.0f} min of read text = {rate:.2f} per hour"
                        + (f" (heard: {', '.join(heard)})" if heard else ""))
        scenes, lines, night, day = report.drama_answers(vs)
        if scenes:
            rows.append(f"a TV drama, {g}: its {lines} crisis lines in {scenes} scenes answered {night} times "
                        f"by night, {day} by day")
    if report.seconds_fed:
        rows.append(f"listening CPU: {report.cpu_s / report.seconds_fed:.1%} of one core "
                    f"over {report.seconds_fed / 60:.0f} min of audio")
    return "\n".join(rows)


def eval_room(config, voices: str = "all", conditions: list[str] | None = None, negative_minutes: float = 0,
              per_group: int | None = None, kinds=KINDS) -> tuple[RoomReport, dict]:
    from ..session import build_spotter
    from ..understand.router import Router
    from .room import by_name

    router = Router()
    spotter = build_spotter(config, router)
    sets = {"tuning": TUNING, "held-out": HELD_OUT}
    groups = {g: available(vs)[:per_group] for g, vs in sets.items() if voices in (g, "all")}
    chosen = [v for vs in groups.values() for v in vs]
    report = evaluate_room(spotter, router, ALLOWED["request"], chosen, by_name(conditions), negative_minutes,
                           kinds=kinds)
    return report, groups
