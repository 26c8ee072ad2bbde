"""Compare listening front ends on our own voices: accuracy of a PocketSphinx phrase decode in rooms, and CPU.

Each front end cleans the same room recordings (voices x conditions x phrases); the cleaned audio is decoded
with a grammar of the idle phrases among common words. The numbers are in docs/PERFORMANCE.md.

    pip install -e '.[measure]'   # webrtc-noise-gain and pyspeex-noise, the other candidates
    python tools/compare_front_ends.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voicecoach.listen.detect import PhraseDetector  # noqa: E402
from voicecoach.listen.frontend import KINDS, front_end  # noqa: E402
from voicecoach.measure.room import TALKER, Room, by_name, reading  # noqa: E402
from voicecoach.measure.voices import Speakers  # noqa: E402

VOICES = ("piper:1.0", "espeak:en-us", "espeak:en-gb", "espeak:en-us+f3")
CONDITIONS = ("quiet", "fan-20", "fan-10", "talk-20", "talk-10", "reverb")
PHRASES = ("i need a break", "hey coach")
IDLE = ["hey coach", "i need a break", "self hug", "hand on heart", "i want to die", "i need a hug"]


def main() -> None:
    speakers = Speakers()
    room = Room(speakers.say(TALKER, reading(600, 20000)))
    takes = [(c, room.place(speakers.say(v, p), by_name([c])[0], lead=2.0, tail=0.3)[0], p)
             for v in VOICES for c in CONDITIONS for p in PHRASES]
    for kind in KINDS:
        try:
            front_end(kind)
        except ValueError as exc:
            print(f"{kind:15s} not installed ({exc})")
            continue
        checker = PhraseDetector(IDLE)
        right: dict[str, list[bool]] = {}
        spent = heard = 0.0
        for condition, audio, phrase in takes:
            pcm = (audio * 32767).astype(np.int16)
            front = front_end(kind)
            started = time.process_time()
            out = [front.process(pcm[i:i + 320]) for i in range(0, len(pcm) - 319, 320)]
            spent += time.process_time() - started
            heard += len(pcm) / 16000
            result = checker.check(out[int(1.7 * 50):])  # the phrase and a little room before it
            right.setdefault(condition, []).append(result.strip() == phrase)
        per = " ".join(f"{c} {np.mean(v):.0%}" for c, v in right.items())
        total = np.mean([x for v in right.values() for x in v])
        print(f"{kind:15s} right {total:.0%} ({per}); CPU {spent / heard:.2%} of one core")


if __name__ == "__main__":
    main()
