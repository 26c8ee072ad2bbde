"""Choose the wake network's bars (listen/wakeword.py), on our own voices only.

The spotter runs as `run` builds it, but every time it would ask the network (a first pass found the wake
phrase and PocketSphinx's second check did not hear it; or a short utterance between silences that the idle
grammar did not take for a phrase) the score is written down, with the network's own score where it was the
first pass, and the answer is no, so the spotter behaves as without the network's word. "hey coach" is said by
every tuning voice in every room, after 8 s of the room (`--rounds` times, other seeds); then read text in the
same voices (a part of the texts the evaluation does not read), half of it over a fan. For each set of bars
(the check after a first pass, the check of a short utterance, the first pass's own score) it prints the wakes
heard (and those under talk) and the read-text scores that would have woken the device; then what a veto
by the network (`VETO_BAR` in listen/wakeword.py) would do to the wakes PocketSphinx heard without asking it;
and how far each wake phrase a first pass found stood out from the sound before it (listen/foreground.py),
with what each bar would keep. flite and festival voices are never used here.

    python tools/tune_wake_check.py [--minutes 30] [--rounds 1] [--first-pass sphinx|network]
"""
from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voicecoach.config import Config  # noqa: E402
from voicecoach.listen import spotter as spotting  # noqa: E402
from voicecoach.listen.foreground import stands_out  # noqa: E402
from voicecoach.measure.in_room import (QUIET_BEFORE_S, WAKE, WORDS_PER_MINUTE, Feeder, RoomReport, _read,  # noqa: E402
                                        bedside_room)
from voicecoach.measure.room import CONDITIONS, fan_noise, reading  # noqa: E402
from voicecoach.measure.voices import TUNING, Speakers, available  # noqa: E402
from voicecoach.session import build_spotter  # noqa: E402
from voicecoach.understand.router import Router  # noqa: E402

NEVER = 2.0  # a bar no score reaches: the spotter goes on as if the network said no
GRID = ((0.9, 0.95, 0.97, 0.98, 0.99), (0.95, 0.97, 0.98, 0.99, NEVER), (0.9, 0.95, 0.97, 0.98, 0.99, NEVER))
TEXT_OFFSET = 300000  # the evaluation reads from the start of the texts


class Scores:
    """Every score the network gave, by where it was asked and in which trial."""

    def __init__(self):
        self.trial = ""
        self.asking = "confirm"
        self.stream = 0.0  # the first pass's own score, when the wake network found the phrase
        self.found: list[tuple[str, str, float, float]] = []  # (trial, "confirm" or "alone", score, stream score)
        self.unasked: list[tuple[str, float]] = []  # (trial, score): wakes PocketSphinx heard alone, and the
        # network's score had it been asked (for a veto)
        self.standing: list[tuple[str, float, bool]] = []  # (trial, dB over the sound before, heard): every
        # wake phrase a first pass found, checked

    def watch(self, spotter) -> None:
        score, alone, confirmed = spotter.wake_check.score, spotter._wake_alone, spotter._wake_confirmed
        checked = spotter._checked

        def heard_by_pocketsphinx(phrase, start, end, *args, **kwargs):
            asked = len(self.found)
            heard = checked(phrase, start, end, *args, **kwargs)
            if any(h.wake for h in heard) and len(self.found) == asked:
                self.unasked.append((self.trial, score(list(spotter.recent), spotter.now - end + spotting.VETO_SLACK_S)))
            if phrase in spotter.wake_phrases:
                above = stands_out(list(spotter.recent), spotter.now - end)
                self.standing.append((self.trial, above, any(h.wake for h in heard)))
            return heard
        spotter._checked = heard_by_pocketsphinx
        spotter._wake_vetoed = lambda phrase, end: False  # written down above instead

        def scored(blocks, within_s):
            value = score(blocks, within_s)
            self.found.append((self.trial, self.asking, value, self.stream if self.asking == "confirm" else 0.0))
            return value

        def asked_to_confirm(phrase, end, network_score=0.0):
            self.stream = network_score
            return confirmed(phrase, end, network_score)

        def asked_alone(*args):
            self.asking = "alone"
            try:
                return alone(*args)
            finally:
                self.asking = "confirm"
        spotter.wake_check.score, spotter._wake_alone, spotter._wake_confirmed = scored, asked_alone, asked_to_confirm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30, help="minutes of read text, shared by the voices")
    parser.add_argument("--text-offset", type=int, default=TEXT_OFFSET,
                        help="where in the texts the reading starts (0: the evaluation's part)")
    parser.add_argument("--rounds", type=int, default=1, help="wake trials per voice and room (other seeds)")
    parser.add_argument("--first-pass", choices=["sphinx", "network"], default=Config().asr.wake_detector,
                        help="the wake's first pass ([asr] wake_detector)")
    args = parser.parse_args()
    spotting.CONFIRM_BAR = spotting.ALONE_BAR = spotting.STREAM_BAR = NEVER
    spotting.STANDS_OUT_DB = float("-inf")  # every wake's stand written down, none turned away
    config = Config()
    spotter = build_spotter(replace(config, asr=replace(config.asr, wake_detector=args.first_pass)), Router())
    scores = Scores()
    scores.watch(spotter)
    speakers, report = Speakers(), RoomReport()
    feeder = Feeder(spotter, report)
    room = bedside_room(speakers)
    voices = available(TUNING)
    heard: dict[str, bool] = {}
    trials = ((r, c, v) for r in range(args.rounds) for c in CONDITIONS for v in voices)
    for trial, (round_, condition, voice) in enumerate(trials):
        audio, _ = room.place(speakers.say(voice, WAKE), condition, lead=QUIET_BEFORE_S, trial=trial * 100 + len(WAKE))
        spotter.set_mode("idle")
        scores.trial = f"{condition.name} {voice} {round_}"
        heard[scores.trial] = any(h.text == WAKE for h in feeder.feed(audio))
    words = int(args.minutes * WORDS_PER_MINUTE / len(voices))
    rng = np.random.default_rng(7)
    for i, voice in enumerate(voices):
        speech = _read(speakers, voice, reading(words, offset=args.text_offset + i * words))
        half = len(speech) // 2
        speech[half:] += fan_noise((len(speech) - half) / 16000, rng) * 0.02
        spotter.set_mode("idle")
        scores.trial = f"text {voice}"
        feeder.feed(speech)
    print_grid(heard, scores.found, report.seconds_fed)
    print_vetoes(scores.unasked)
    print_standing(heard, scores.standing)


def print_grid(heard: dict[str, bool], found: list, seconds: float) -> None:
    text = [(where, s, stream) for trial, where, s, stream in found if trial.startswith("text")]
    print(f"{len(heard)} wake trials, {sum(heard.values())} heard by PocketSphinx alone; read text asked "
          f"{sum(w == 'confirm' for w, _, _ in text)} times after a first pass, "
          f"{sum(w == 'alone' for w, _, _ in text)} times for a short utterance ({seconds / 60:.0f} min of sound)")
    near = sorted(((round(s, 3), round(stream, 3), where, trial) for trial, where, s, stream in found
                   if trial.startswith("text") and max(s, stream) >= 0.9), reverse=True)
    print(f"read text scored 0.9 or more (score, first pass's own, asked where, reader): {near}")
    for confirm, alone, stream in itertools.product(*GRID):
        def yes(where, score, first):
            return score >= alone if where == "alone" else score >= confirm or first >= stream
        woke = [ok or any(t == trial and yes(*rest) for t, *rest in found) for trial, ok in heard.items()]
        talk = [w for trial, w in zip(heard, woke) if trial.startswith("talk")]
        print(f"confirm {confirm:.2f}  alone {alone:.2f}  stream {stream:.2f}:  wakes {sum(woke)}/{len(heard)} "
              f"(under talk {sum(talk)}/{len(talk)})  read text woken {sum(yes(*t) for t in text)}")


def print_vetoes(unasked: list) -> None:
    """What a veto by the network would do to the wakes PocketSphinx heard without asking it."""
    wakes = [s for trial, s in unasked if not trial.startswith("text")]
    text = [s for trial, s in unasked if trial.startswith("text")]
    print(f"PocketSphinx alone heard {len(wakes)} wakes in the trials and {len(text)} in read text; the network's "
          f"scores for them: trials {sorted(round(s, 3) for s in wakes)}, read text {sorted(round(s, 3) for s in text)}")
    for bar in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9):
        print(f"veto below {bar:.2f}: wakes kept {sum(s >= bar for s in wakes)}/{len(wakes)}, "
              f"read text's left {sum(s >= bar for s in text)}/{len(text)}")


def print_standing(heard: dict[str, bool], standing: list) -> None:
    """How far the wake phrases stood out from the sound before them (listen/foreground.py), and what each bar
    would keep: the wakes heard in the trials, and the first pass's finds in read text."""
    text = sorted(round(db, 1) for trial, db, _ in standing if trial.startswith("text"))
    print(f"wake phrases found in read text: {len(text)}; their stand (dB over the sound before): {text}")
    for bar in (6, 8, 10, 12, 14, 16):
        kept = [trial for trial, ok in heard.items() if ok and any(t == trial and h and db >= bar for t, db, h in standing)]
        print(f"stand {bar} dB: wakes kept {len(kept)}/{sum(heard.values())}, found in read text and standing "
              f"{sum(db >= bar for db in text)}/{len(text)}")


if __name__ == "__main__":
    main()
