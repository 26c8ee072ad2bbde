"""The crisis detector: first on every transcript, in every mode, ahead of everything else.

Recall first. Everyday idioms that only sound like danger ("this traffic is killing me") are cut
out of the text before the lexicon looks, so a real statement said beside one is still heard.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .bank import Bank, Example, read_examples
from .sounds import SoundsLike
from .text import normalize


@dataclass(frozen=True)
class Lexicon:
    always: tuple[re.Pattern, ...]
    idioms: tuple[re.Pattern, ...]
    patterns: tuple[re.Pattern, ...]
    concepts: tuple[re.Pattern, ...]
    wishes: tuple[re.Pattern, ...]


@cache
def lexicon() -> Lexicon:
    raw = tomllib.loads(resources.files("voicecoach.understand").joinpath("crisis.toml").read_text("utf-8"))
    return Lexicon(*(tuple(re.compile(p) for p in raw[part]) for part in ("always", "idioms", "patterns", "concepts",
                                                                           "wishes")))


def without_idioms(norm: str, idioms) -> str:
    for idiom in idioms:
        norm = idiom.sub(" , ", norm)
    return " ".join(norm.split())


def crisis_match(text: str, words: Lexicon | None = None) -> str:
    """The words that make `text` a crisis statement, or "" when it is not one."""
    words = words or lexicon()
    norm = normalize(text)
    plain = without_idioms(norm, words.idioms)
    said = [(pattern, norm) for pattern in words.always] + [(pattern, plain) for pattern in words.patterns]
    found = next((found.group(0) for pattern, where in said if (found := pattern.search(where))), "")
    return found or _concept_with_wish(plain, words)


def _concept_with_wish(plain: str, words: Lexicon) -> str:
    """An indirect statement: dying or self-harm, and a wish, intent or judgement, in one utterance."""
    concept = next((found for pattern in words.concepts if (found := pattern.search(plain))), None)
    if concept is None:
        return ""
    wish = next((found for pattern in words.wishes if (found := pattern.search(plain))), None)
    return f"{wish.group(0)} … {concept.group(0)}" if wish else ""


class CrisisDetector:
    """The lexicon first; then, when the sentence model is there, closeness in meaning to the crisis
    examples rather than to the safe ones (idioms, near misses, and ordinary requests)."""

    NEAR = 0.75     # this close to a crisis example is a crisis, unless it is all but a known safe sentence
    LIKELY = 0.6    # this close, and closer to a crisis example than to any safe one by MARGIN
    MARGIN = 0.06   # chosen by leave-one-out over the examples (docs/PERFORMANCE.md)
    SAME = 0.92     # a safe example this close is the same sentence, said a little differently

    def __init__(self, encoder=None):
        self.encoder = encoder
        self.bank = None
        examples = read_examples("crisis_examples.tsv")
        self.sounds = SoundsLike([e.text for e in examples if e.label == "crisis"])  # the statements, as heard
        if encoder is not None:
            requests = [Example("safe", None, e.text) for e in read_examples("examples.tsv")]  # ordinary asking
            self.bank = Bank(examples + requests, encoder)

    def detect(self, norm: str, vector=None) -> float:
        """A score above 0 when `norm` (normalized text) is a crisis statement."""
        if crisis_match(norm):
            return 1.0
        if self.bank is None:
            return 0.0
        vector = self.encoder(norm) if vector is None else vector
        nearest = self.bank.nearest(vector)
        crisis = nearest.get("crisis", (0.0, None))[0]
        safe = nearest.get("safe", (0.0, None))[0]
        if crisis >= self.LIKELY and (crisis >= safe + self.MARGIN or (crisis >= self.NEAR and safe < self.SAME)):
            return round(crisis, 3)
        return 0.0
