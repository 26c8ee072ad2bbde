"""Does a phrase stand out from the sound before it?

A person who wakes the device says "hey coach" after a breath, over whatever the room is doing; the same
sounds found inside someone's reading or a TV's talk run on from words just as loud. So a wake phrase must
be this much louder than the loudest fifth of a second in the 0.6 s before it (a fan or a hiss there is
far below a voice; talk at the voice's own level is not).

A crisis statement said with no wake phrase is weighed the same way, against the loudest sound of the
seconds before it began: a person by the bed speaks well over a TV across the room, while a drama's line
is no louder than the lines around it (session.py, CrisisInIdle).
"""
from __future__ import annotations

import numpy as np

from .endpoint import BLOCK, RATE, block_level

STANDS_OUT_DB = 12.0  # chosen on our own voices: docs/PERFORMANCE.md ("A wake must stand out")
PHRASE_S = 1.2        # the phrase's loudest sounds are looked for from this far before its end ...
AFTER_S = 1.0         # ... to this far after it (a first pass's end is sometimes early)
BEFORE_S = (1.6, 1.0)  # the sound before the phrase: from 1.6 s to 1 s before its end (a phrase takes under 1 s)
STRETCH_S = 0.2       # the loudness of that sound: its loudest stretch this long
LOUDEST = 3           # the phrase's level: its third-loudest block (one click or thump is not a voice)
TALK_BEFORE_S = 6.0  # a crisis statement is weighed against the sound of this long before it began


def stands_out(blocks: list, end_ago: float) -> float:
    """How far (dB) the phrase ending `end_ago` seconds before the end of these 20 ms int16 blocks stands
    above the loudest stretch of the sound before it. Too little sound kept to tell: infinitely far."""
    levels = np.array([block_level(b) for b in blocks])
    per_s = RATE / BLOCK
    end = len(levels) - int(round(end_ago * per_s))
    phrase = levels[max(0, end - int(PHRASE_S * per_s)):max(0, end + int(AFTER_S * per_s))]
    before = levels[max(0, end - int(BEFORE_S[0] * per_s)):max(0, end - int(BEFORE_S[1] * per_s))]
    return over(phrase, before)


def over_sound_before(levels: list, start_ago: float, end_ago: float) -> float:
    """How far (dB) what was said from `start_ago` to `end_ago` seconds before the last of these block
    levels stands above the loudest stretch of the TALK_BEFORE_S before it (as much of it as was kept)."""
    per_s = RATE / BLOCK
    levels = np.asarray(levels, dtype=np.float64)
    start = len(levels) - int(round(start_ago * per_s))
    end = len(levels) - int(round(end_ago * per_s))
    before = levels[max(0, start - int(TALK_BEFORE_S * per_s)):max(0, start)]
    return over(levels[max(0, start):max(0, end)], before)


def over(phrase: np.ndarray, before: np.ndarray) -> float:
    """How far (dB) a phrase's third-loudest block stands above the loudest STRETCH_S of the sound before
    it (block levels, dBFS). Too little sound to tell: infinitely far."""
    width = int(STRETCH_S * RATE / BLOCK)
    if len(phrase) < LOUDEST or len(before) < width:
        return float("inf")
    power = 10 ** (before / 10)
    loudest = np.convolve(power, np.ones(width) / width, "valid").max()
    return float(np.sort(phrase)[-LOUDEST] - 10 * np.log10(max(loudest, 1e-14)))
