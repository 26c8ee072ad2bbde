"""Text to intent: crisis first, then a score for every intent the mode allows, and `none` below a threshold.

Evidence for an intent, each a score from 0 to 1, the best kept:
- its examples said exactly (1.0), or one of its patterns (0.9): regular expressions over normalized text;
- meaning: a linear classifier over sentence embeddings, fitted on examples.tsv at start-up, when the
  sentence model is installed (its probability, among the intents the mode allows and `none`, trusted
  only as far as the sentence is near the intent's examples);
- a near spelling of an example (rapidfuzz), for recognition slips such as "i need a brake".
A request that is negated ("I don't need a break", "no hug thanks"), or asked of someone else ("I told him
to take a break"), is no request.
"""
from __future__ import annotations

import logging
import re
import tomllib
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib import resources

from .bank import Bank, read_examples
from .classify import Softmax
from .crisis import CrisisDetector
from .embed import load_encoder
from .sounds import SoundsLike
from .text import normalize, stems, unaddressed

log = logging.getLogger(__name__)

ASKED_ONLY = {"length"}  # slots reported only when the words ask for them (else the practice's default)
NAMES = ("self_compassion_break", "soothing_touch", "friend_reframe", "compassionate_letter", "obstacle",
         "about", "help", "stop", "pause", "resume", "repeat", "slower", "faster", "louder", "quieter",
         "crisis_support", "none")
CONTROLS = ("stop", "pause", "resume", "repeat", "slower", "faster", "louder", "quieter")
REQUESTS = tuple(n for n in NAMES if n not in (*CONTROLS, "crisis_support", "none"))
THRESHOLD = 0.5  # below this, the best intent is not sure enough: `none`
REMEMBERED = 256  # sentences whose meaning is kept (people say "stop" and "i need a break" often)
NEAR_ENOUGH = 0.45  # the classifier is heard only for sentences this close (cosine) to one of the intent's examples
BEYOND_NONE = 0.02  # ... and closer than to any example of talk that is for no practice, by this much
CLOSE_SPAN = 0.05  # the classifier's probability is scaled down within this much of NEAR_ENOUGH
FUZZY_MIN = 0.9
SURE = 0.9  # a pattern's score (examples and near spellings score higher): sure enough to set aside a runner-up's
#             crisis. A classifier this sure passes too; only its less sure guesses do not.
SOUNDS_NEAR = 0.6  # after a wake, a reading whose phones are this much alike a crisis statement's is taken as one
SOUNDS_AGREED = 0.5  # a crisis statement only the grammar heard must sound this much like an open reading
NEGATED = re.compile(r"\b(do not|does not|did not|not|never|no longer) (really |even |actually |currently )?"
                     r"(need|want|like|feel like doing|touch|start)\b|^no\b|\bno (thanks|thank you|hug|break)\b")
FOR_SOMEONE_ELSE = re.compile(r"\b(told|tell|telling|asked|ask|asking|want|wanted|wants) (him|her|them|my \w+) to\b")
OTHER_PERSON = re.compile(r"^(he|she|they|his|her|their|my (husband|wife|partner|son|daughter|friend|mum|mom|mother|"
                          r"dad|father|brother|sister|boss|neighbour|neighbor|kids|children|family))\b")
FIRST_PERSON = re.compile(r"\b(i|me|my|myself|mine)\b")

__all__ = ["CONTROLS", "REQUESTS", "NAMES", "Intent", "Router", "normalize"]


@dataclass(frozen=True)
class Intent:
    name: str
    slots: dict = field(default_factory=dict)
    score: float = 0.0
    text: str = ""
    runner_up: tuple[str, float] | None = None
    small_talk: bool = False  # thanks, greetings, "never mind": for no practice, answered with nothing

    def as_json(self) -> dict:
        out = {"intent": self.name, "slots": dict(self.slots), "score": round(self.score, 3)}
        if self.small_talk:
            out["small_talk"] = True
        if self.runner_up:
            out["runner_up"] = {"intent": self.runner_up[0], "score": round(self.runner_up[1], 3)}
        return out


def sure_request(intent: Intent) -> bool:
    """A request (not a crisis statement, not `none`) routed with a score of SURE or more."""
    return intent.name not in ("crisis_support", "none") and intent.score >= SURE


@dataclass(frozen=True)
class IntentRules:
    name: str
    examples: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    slots: dict  # slot name -> {value: (patterns)}
    direct: tuple[str, ...]
    control: bool


def load_rules() -> list[IntentRules]:
    raw = tomllib.loads(resources.files("voicecoach.understand").joinpath("phrases.toml").read_text("utf-8"))
    return [_rules(name, table) for name, table in raw.items()]


def _rules(name: str, table: dict) -> IntentRules:
    if name not in NAMES:
        raise ValueError(f"phrases.toml: unknown intent '{name}'")
    slots = {slot: {value: tuple(re.compile(p) for p in pats) for value, pats in values.items()}
             for slot, values in table.get("slots", {}).items()}
    return IntentRules(name, tuple(normalize(e) for e in table.get("examples", [])),
                       tuple(re.compile(p) for p in table.get("patterns", [])), slots,
                       tuple(normalize(e) for e in table.get("direct", [])), bool(table.get("control")))


def about_someone_else(norm: str) -> bool:
    """Talk of another person's break or feelings ("she took a break", "I told him to take a break")."""
    other = OTHER_PERSON.match(norm)
    return bool(FOR_SOMEONE_ELSE.search(norm) or (other and not FIRST_PERSON.search(norm[other.end():])))


def as_routed(text: str) -> str:
    """The words the router weighs: normalized, and without a leading "hey coach" or the like."""
    return unaddressed(normalize(text))


def _closeness(cosine: float, floor: float) -> float:
    """0 below the floor; above it, rising to 1 over CLOSE_SPAN past NEAR_ENOUGH: a guess about a sentence
    barely near any example ("what is tight and", a mishearing) is not trusted as the classifier would."""
    return min(1.0, (cosine - NEAR_ENOUGH) / CLOSE_SPAN) if cosine >= floor else 0.0


class Router:
    def __init__(self, rules: list[IntentRules] | None = None, encoder="auto"):
        self.rules = {r.name: r for r in (rules or load_rules())}
        self.encoder = load_encoder() if encoder == "auto" else encoder
        examples = read_examples("examples.tsv")
        self.bank = Bank(examples, self.encoder) if self.encoder else None
        self.meaning = Softmax.fit(self.bank.vectors, list(self.bank.labels)) if self.bank else None
        self.crisis = CrisisDetector(self.encoder)
        self.spellings = [(normalize(e.text), e) for e in examples]
        self._meanings: OrderedDict = OrderedDict()

    def route(self, text: str, allowed: tuple[str, ...] | None = None) -> Intent:
        """The intent of `text`; with `allowed`, only those intents (crisis always) are considered."""
        norm = as_routed(text)
        if not norm:
            return Intent("none", text=text)
        vector = self._vector(norm)
        crisis = self.crisis.detect(norm, vector)
        if crisis:
            return Intent("crisis_support", {}, crisis, text)
        candidates = tuple(n for n in (allowed or NAMES) if n not in ("crisis_support", "none"))
        if NEGATED.search(norm) or about_someone_else(norm):
            candidates = tuple(n for n in candidates if n not in REQUESTS)
        ranked = self._ranked(norm, vector, candidates)
        (best, score), runner = ranked[0], (ranked[1] if len(ranked) > 1 else None)
        if score < THRESHOLD or best == "none":
            small_talk = self._rule_score(self.rules.get("none"), norm) > 0
            return Intent("none", {}, score, text, (best, score) if best != "none" else runner, small_talk)
        nearest = self.bank.nearest(vector, {best}).get(best, (0, None))[1] if vector is not None else None
        return Intent(best, self._slots(best, norm, nearest), score, text, runner)

    def _vector(self, norm: str):
        """The sentence's embedding, remembered for the sentences heard most recently."""
        if self.encoder is None:
            return None
        self._remember([norm])
        self._meanings.move_to_end(norm)
        return self._meanings[norm]

    def _remember(self, norms) -> None:
        """Encode, as one batch, those of these sentences whose meaning is not remembered."""
        new = [n for n in dict.fromkeys(norms) if n and n not in self._meanings]
        if self.encoder is None or not new:
            return
        for norm, vector in zip(new, self.encoder.encode(new)):
            self._meanings[norm] = vector
        while len(self._meanings) > REMEMBERED:
            self._meanings.popitem(last=False)

    def understand(self, texts, allowed: tuple[str, ...] | None = None, runners_up=(),
                   request: bool = False) -> list[Intent]:
        """Several transcripts of one utterance (open and grammar), and the open decode's less likely
        readings: each routed once; a crisis statement comes first, then the surest. The runners-up count
        only when the transcripts found no request with a score of SURE or more: "i need a bridge" is not a
        crisis when "i need a break" was heard, nor "can i have a bit" a Break when "can i have a hug" was (the
        classifier was surer of it than the hug's pattern, but a less likely reading must not outvote); a
        runner-up the router does not understand counts only when the transcripts understood nothing ("they
        hugging exercise please" is not a reason to answer "the hugging exercise please" with "I didn't catch
        that").
        After a wake (`request`), so does a reading that sounds near one of our crisis statements
        (SOUNDS_NEAR): PocketSphinx hears a voice it knows poorly as words that sound alike; and there the
        grammar's transcript (after the first) is believed less: see `_grammar_believed`."""
        self._remember(as_routed(t) for t in (*texts, *runners_up))
        heard = [self.route(text, allowed) for text in dict.fromkeys(texts)]
        others = [self.route(text, allowed) for text in dict.fromkeys(runners_up) if text not in texts]
        readings = (*texts[:1], *runners_up)  # the open decode's
        if request:
            heard = heard[:1] + [i for i in heard[1:] if self._grammar_believed(i, heard[0], readings)]
        if any(i.name != "none" for i in heard):  # a less likely reading not understood says nothing against it
            others = [i for i in others if i.name != "none"]
        if any(sure_request(i) for i in heard):
            others = []
        elif request and texts and not any(i.name == "crisis_support" for i in heard + others):
            others += self._sounding_like_crisis(readings)
        return sorted(heard + others, key=lambda i: (i.name != "crisis_support", -i.score))

    def _grammar_believed(self, intent: Intent, opened: Intent, readings) -> bool:
        """The grammar must choose one of our sentences whatever was said. Where the open transcript is surely
        a request, only the same request counts: "help me sleep" was heard beside "help me see this the way a
        friend would", and "i want to hurt myself" beside "i want to write myself a little note", both of which
        the open decode had word for word. Otherwise its crisis statement counts only if it sounds like one of
        the open decode's readings (SOUNDS_AGREED), as "i want to hurt myself" does "i want to you"."""
        if sure_request(opened):
            return intent.name == opened.name
        if intent.name == "crisis_support":
            return SoundsLike(readings, self.crisis.sounds.words).nearest(intent.text)[0] >= SOUNDS_AGREED
        return True

    def _sounding_like_crisis(self, readings) -> list[Intent]:
        near = [(self.crisis.sounds.nearest(r), r) for r in dict.fromkeys(readings) if r]
        (similarity, statement), reading = max(near, default=((0.0, ""), ""))
        if similarity < SOUNDS_NEAR:
            return []
        log.info("router: %r sounds like the crisis statement %r (%.2f)", reading, statement, similarity)
        return [Intent("crisis_support", {}, similarity, reading)]

    def _ranked(self, norm: str, vector, candidates: tuple[str, ...]) -> list[tuple[str, float]]:
        """Intents by score, best first. Patterns, examples and near spellings decide when any fires
        (the classifier only breaks ties among them); otherwise the classifier does, for sentences
        near enough to some example to be about what the device does."""
        meaning, raw = self._meaning(vector, candidates)
        spelled = self._by_spelling(norm, candidates)
        ruled = {n: max(self._rule_score(self.rules.get(n), norm), spelled.get(n, 0.0)) for n in (*candidates, "none")}
        ruled = {n: score for n, score in ruled.items() if score > 0}
        by_rule = sorted(ruled.items(), key=lambda item: (-item[1], -raw.get(item[0], 0.0)))
        by_meaning = sorted(((n, p) for n, p in meaning.items() if n not in ruled),
                            key=lambda item: (-item[1], -raw.get(item[0], 0.0)))
        return (by_rule + by_meaning) or [("none", 0.0)]

    def _meaning(self, vector, candidates: tuple[str, ...]) -> tuple[dict[str, float], dict[str, float]]:
        """The classifier's probabilities, kept only for intents with an example near the sentence; and
        all of them as they came (for ordering what was set aside)."""
        if vector is None or not candidates:
            return {}, {}
        labels = {*candidates, "none"}
        nearest = self.bank.nearest(vector, labels)
        raw = self.meaning.probabilities(vector, labels)
        floor = max(NEAR_ENOUGH, nearest.get("none", (0.0,))[0] + BEYOND_NONE)
        kept = {n: p if n == "none" else p * _closeness(nearest.get(n, (0.0,))[0], floor) for n, p in raw.items()}
        return kept, raw

    @staticmethod
    def _rule_score(rules: IntentRules | None, norm: str) -> float:
        if rules is None:
            return 0.0
        if norm in rules.examples:
            return 1.0
        return 0.9 if any(p.search(norm) for p in rules.patterns) else 0.0

    def _by_spelling(self, norm: str, candidates: tuple[str, ...]) -> dict[str, float]:
        from rapidfuzz import fuzz

        found: dict[str, float] = {}
        for spelled, example in self.spellings:
            if example.label in candidates and abs(len(spelled) - len(norm)) <= 4:
                ratio = fuzz.ratio(norm, spelled) / 100
                if ratio >= FUZZY_MIN and ratio > found.get(example.label, 0.0):
                    found[example.label] = ratio
        return found

    def _slots(self, name: str, norm: str, example) -> dict:
        rules = self.rules.get(name)
        if rules is None or not rules.slots:
            return {}
        stemmed = " ".join(stems(norm))
        found = {}
        for slot, values in rules.slots.items():
            value = next((v for v, pats in values.items() if any(p.search(norm) or p.search(stemmed) for p in pats)),
                         None)
            if value is None and example is not None and example.slot and example.slot[0] == slot:
                value = example.slot[1]
            if value or slot not in ASKED_ONLY:
                found[slot] = value or "any"
        return found

    def sentences(self) -> list[str]:
        """Everything we know people say to the device, normalized: for a request language model."""
        said = [e.text for name in ("examples.tsv", "crisis_examples.tsv") for e in read_examples(name)
                if e.label != "safe"]
        return list(dict.fromkeys(normalize(t) for t in said + self.phrases()))

    def phrases(self, direct: bool = False, control: bool = False) -> list[str]:
        """Sentences for a recognizer's grammar: every example, or those heard without a wake, or controls."""
        if direct:
            return [e for r in self.rules.values() for e in r.direct]
        return [e for r in self.rules.values() if not control or r.control for e in r.examples]
