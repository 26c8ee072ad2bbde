"""Choose the phrase detector's first-pass thresholds on data (our own voices only).

For each idle phrase and each threshold on a grid, the detector (after the front end) hears the phrase
in every tuning voice and room condition, and a stretch of read text that is not for the device. It prints
the first pass's recall and hits per hour of talk, and the same after the second check. The chosen
thresholds go into voicecoach/listen/detect.py (THRESHOLDS). flite and festival voices are never used here.

    python tools/tune_detection.py [--minutes 10] [--phrases "hey coach" "i need a break"]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voicecoach.listen.detect import PhraseDetector  # noqa: E402
from voicecoach.listen.frontend import front_end  # noqa: E402
from voicecoach.listen.spotter import CHECK_AFTER_S, check_seconds  # noqa: E402
from voicecoach.measure.in_room import _read  # noqa: E402
from voicecoach.measure.room import CONDITIONS, TALKER, Room, fan_noise, reading  # noqa: E402
from voicecoach.measure.voices import TUNING, Speakers, available  # noqa: E402

GRID = (-30, -40, -50, -60, -70)


def cleaned(audio: np.ndarray, kind: str) -> list[np.ndarray]:
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    front = front_end(kind)
    return [front.process(pcm[i:i + 320]) for i in range(0, len(pcm) - 319, 320)]


def run(detector: PhraseDetector, blocks: list, phrase: str) -> tuple[int, int]:
    """First-pass hits, and those the second check keeps."""
    first = kept = 0
    for n, block in enumerate(blocks):
        for hit in detector.feed(block):
            first += 1
            lag = detector.samples / 16000 - (n + 1) * 0.02
            end = int((hit.end - lag + CHECK_AFTER_S) / 0.02)
            begin = max(0, int((hit.end - check_seconds(phrase) - lag) / 0.02))
            kept += detector.check(blocks[begin:end]).strip() == phrase
    return first, kept


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--phrases", nargs="+", default=["hey coach", "i need a break"])
    parser.add_argument("--front-end", default="webrtc")
    args = parser.parse_args()
    speakers = Speakers()
    room = Room(speakers.say(TALKER, reading(1200, 20000)))
    voices = available(TUNING)
    talk = _read(speakers, "espeak:en-us", reading(int(args.minutes * 160 / 2), 40000))
    talk = np.concatenate([talk, _read(speakers, "piper:1.0", reading(int(args.minutes * 160 / 2), 60000))])
    talk += fan_noise(len(talk) / 16000, np.random.default_rng(3)) * 0.01
    negatives = cleaned(talk, args.front_end)
    hours = len(talk) / 16000 / 3600
    for phrase in args.phrases:
        positives = [cleaned(room.place(speakers.say(v, phrase), c, trial=i)[0], args.front_end)
                     for i, (v, c) in enumerate((v, c) for v in voices for c in CONDITIONS)]
        for exponent in GRID:
            detector = PhraseDetector([phrase], {phrase: 10.0 ** exponent})
            found = [run(detector, blocks, phrase) for blocks in positives]
            first, kept = run(detector, negatives, phrase)
            print(f"{phrase!r:18s} 1e{exponent}: recall first {np.mean([f > 0 for f, _ in found]):.0%} "
                  f"checked {np.mean([k > 0 for _, k in found]):.0%}; on talk first {first / hours:.0f}/h "
                  f"checked {kept / hours:.1f}/h", flush=True)


if __name__ == "__main__":
    main()
