"""Text to intent: crisis first, then anchored patterns per intent, with slots.

Patterns are written over normalized text: lower case, punctuation dropped,
contractions expanded ("i'm" -> "i am", "can't" -> "can not"). An utterance
that matches no pattern is `none`: single words such as "break" inside other
talk ("the break room is upstairs") do not make a request.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

CONTRACTIONS = {
    "i'm": "i am", "im": "i am", "i've": "i have", "i'd": "i would", "i'll": "i will",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "can't": "can not", "cant": "can not",
    "cannot": "can not", "won't": "will not", "isn't": "is not", "it's": "it is", "that's": "that is",
    "what's": "what is", "let's": "let us", "you're": "you are", "we're": "we are", "wanna": "want to",
    "gonna": "going to", "gotta": "got to", "didn't": "did not", "wasn't": "was not", "ain't": "am not",
    "there's": "there is", "everything's": "everything is", "shouldn't": "should not", "couldn't": "could not",
}
NAMES = ("self_compassion_break", "soothing_touch", "friend_reframe", "compassionate_letter", "obstacle",
         "about", "help", "stop", "pause", "resume", "repeat", "slower", "faster", "louder", "quieter",
         "crisis_support", "none")
CONTROLS = ("stop", "pause", "resume", "repeat", "slower", "faster", "louder", "quieter")


@dataclass(frozen=True)
class Intent:
    name: str
    slots: dict = field(default_factory=dict)
    score: float = 0.0
    text: str = ""

    def as_json(self) -> dict:
        return {"intent": self.name, "slots": dict(self.slots), "score": round(self.score, 3)}


@dataclass(frozen=True)
class IntentRules:
    name: str
    examples: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    slots: dict  # slot name -> {value: (patterns)}
    direct: tuple[str, ...]
    control: bool


def normalize(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    words = [CONTRACTIONS.get(w, w) for w in text.split()]
    return " ".join(w.replace("'", "") for w in " ".join(words).split())


def load_rules() -> list[IntentRules]:
    raw = tomllib.loads(resources.files("voicecoach.intents").joinpath("phrases.toml").read_text("utf-8"))
    return [_rules(name, table) for name, table in raw.items()]


def _rules(name: str, table: dict) -> IntentRules:
    if name not in NAMES:
        raise ValueError(f"phrases.toml: unknown intent '{name}'")
    slots = {slot: {value: tuple(re.compile(p) for p in pats) for value, pats in values.items()}
             for slot, values in table.get("slots", {}).items()}
    return IntentRules(name, tuple(normalize(e) for e in table.get("examples", [])),
                       tuple(re.compile(p) for p in table.get("patterns", [])), slots,
                       tuple(normalize(e) for e in table.get("direct", [])), bool(table.get("control")))


class Router:
    def __init__(self, rules: list[IntentRules] | None = None):
        self.rules = rules or load_rules()

    def route(self, text: str, allowed: tuple[str, ...] | None = None) -> Intent:
        """The intent of `text`; with `allowed`, only those intents (crisis always) are considered."""
        norm = normalize(text)
        if not norm:
            return Intent("none", text=text)
        for rules in self.rules:
            if allowed is not None and rules.name not in allowed and rules.name != "crisis_support":
                continue
            score = _match(rules, norm)
            if score:
                return Intent(rules.name, _slots(rules, norm), score, text)
        return Intent("none", text=text)

    def phrases(self, direct: bool = False, control: bool = False) -> list[str]:
        """Sentences for a recognizer's grammar: every example, or those heard without a wake, or controls."""
        if direct:
            return [e for r in self.rules for e in r.direct]
        return [e for r in self.rules if not control or r.control for e in r.examples]


def _match(rules: IntentRules, norm: str) -> float:
    if norm in rules.examples:
        return 1.0
    return 0.9 if any(p.search(norm) for p in rules.patterns) else 0.0


def _slots(rules: IntentRules, norm: str) -> dict:
    found = {}
    for slot, values in rules.slots.items():
        found[slot] = next((v for v, pats in values.items() if any(p.search(norm) for p in pats)), "any")
    return found
