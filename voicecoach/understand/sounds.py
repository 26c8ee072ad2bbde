"""How a transcript sounds: its words as phones, and how near it sounds to one of our crisis statements.

PocketSphinx hears a voice it does not know well as other words that sound alike: "i want to be dead" as
"i want to be to", "i'm scared i'm going to kill myself" as "i am scared i am going to feel my sale". The
words are wrong, the sounds are nearly right. A request heard after a wake that sounds near a crisis
statement is answered as one (Router.understand says when).

Phones come from the English dictionary the pocketsphinx wheel ships, looked up in the file itself (it is
sorted by word), so the 126,000 words cost no memory; a word it lacks is spelled out letter by letter.
"""
from __future__ import annotations

import mmap
import os
from functools import cache

from rapidfuzz.distance import Levenshtein

from .text import normalize

MIN_PHONES = 4  # a shorter reading ("i", "the one") is too little to sound like anything


class Pronunciations:
    """PocketSphinx's English dictionary: one "word PH ON ES" line per word, sorted by word; a word's other
    pronunciations follow it as "word(2)", and only the first is used."""

    def __init__(self, path: str):
        with open(path, "rb") as f:
            self._text = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)

    def phones(self, word: str) -> tuple[str, ...] | None:
        key = word.encode("utf-8")
        lo, hi = 0, len(self._text)
        while lo < hi:  # the first line whose word is not before `key` starts at or after `lo`
            mid = (lo + hi) // 2
            start = self._line_start(mid)
            if self._word_at(start) < key:
                lo = self._text.find(b"\n", start) + 1 or len(self._text)
            else:
                hi = start
        found, _, phones = self._line(lo).partition(b" ")
        return tuple(phones.decode().split()) if found == key else None

    def _line_start(self, at: int) -> int:
        return self._text.rfind(b"\n", 0, at) + 1

    def _line(self, start: int) -> bytes:
        end = self._text.find(b"\n", start)
        return self._text[start:end if end >= 0 else len(self._text)]

    def _word_at(self, start: int) -> bytes:
        return self._line(start).partition(b" ")[0].split(b"(")[0]


@cache
def english() -> Pronunciations:
    import pocketsphinx
    return Pronunciations(os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict"))


def phones_of(text: str, words: Pronunciations) -> tuple[str, ...]:
    out: list[str] = []
    for word in normalize(text).split():
        out.extend(words.phones(word) or word.replace("'", ""))
    return tuple(out)


class SoundsLike:
    """How near a transcript sounds to the nearest of some sentences: the share of phones alike (one less
    the edit distance over the longer of the two)."""

    def __init__(self, sentences, words: Pronunciations | None = None):
        self.words = words or english()
        self.sentences = [(s, phones_of(s, self.words)) for s in dict.fromkeys(normalize(s) for s in sentences)]

    def nearest(self, text: str) -> tuple[float, str]:
        heard = phones_of(text, self.words)
        if len(heard) < MIN_PHONES:
            return 0.0, ""
        return max(((Levenshtein.normalized_similarity(heard, phones), sentence)
                    for sentence, phones in self.sentences), default=(0.0, ""))
