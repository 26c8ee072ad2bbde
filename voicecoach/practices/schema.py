"""The practice file format: TOML with steps (say, pause, cue, light, breathe), validated on load.

A practice has `steps`; a practice with choices (soothing touch, obstacle answers)
names its `slot` and has `[options.NAME]` tables, each with its own `steps`, wrapped
by optional `intro` and `outro` steps. `say` holds variants, one chosen per run; a `say` with
`when = ["name", "!other"]` is spoken only when each named value is set (and each `!` one is not),
so a line about a number that does not exist is never said. `breathe = N` is N breaths at the
configured pace ([practice] breath_in, breath_out), the first `cued` of them spoken, the light
breathing at the same pace.

What is at the top level is the practice's short form. `[long]` and `[bedside]` tables hold longer
forms, each with its own steps (or intro, options, outro); a form may fade (`fade_db`: how much quieter
its last step is than its first; `slow_to`: how much slower), and the light dims with it.
"""
from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

CUES = ("chime", "bell", "wake", "done", "stop")
LENGTHS = ("short", "long", "bedside")
BREATH_CUES = ("Breathe in, slowly.", "And let it go.")  # said on a cued breath, in and out
LIGHTS = ("breathe", "steady", "listening", "off")
MAX_PAUSE = 60.0
MAX_BREATHS = 30
FADES = {"fade_db": (-20.0, 0.0), "slow_to": (1.0, 1.5)}  # what a longer form may set, and its range
CONDITION = re.compile(r"^!?[a-z_]+$")


class PracticeError(ValueError):
    """A practice file that cannot be used; the message names the file and step."""


@dataclass(frozen=True)
class Say:
    variants: tuple[str, ...]
    when: tuple[str, ...] = ()

    def wanted(self, values: dict) -> bool:
        """Every condition holds: "name" is a non-empty value, "!name" an empty or absent one."""
        return all(bool(values.get(c.lstrip("!"))) != c.startswith("!") for c in self.when)


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Cue:
    name: str


@dataclass(frozen=True)
class Light:
    pattern: str


@dataclass(frozen=True)
class Breathe:
    breaths: int
    cued: int = 1


Step = Say | Pause | Cue | Light | Breathe


@dataclass(frozen=True)
class Practice:
    name: str
    title: str
    intent: str
    steps: tuple[Step, ...] = ()
    slot: str = ""
    options: tuple[tuple[str, tuple[Step, ...]], ...] = ()
    intro: tuple[Step, ...] = ()
    outro: tuple[Step, ...] = ()
    length: str = "short"
    fade_db: float = 0.0  # the last step this much quieter than the first (0: no fade)
    slow_to: float = 1.0  # and this much slower
    longer: tuple["Practice", ...] = ()  # the long and bedside forms

    @property
    def lengths(self) -> tuple[str, ...]:
        return ("short", *(form.length for form in self.longer))

    def form(self, length: str) -> "Practice":
        """This practice at `length`; a length it does not have gives the nearest shorter one."""
        forms = {form.length: form for form in self.longer}
        for wanted in LENGTHS[:LENGTHS.index(length) + 1][::-1] if length in LENGTHS else ("short",):
            if wanted in forms:
                return forms[wanted]
        return self

    @property
    def option_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.options)

    def script(self, option: str = "any", rng: random.Random | None = None,
               values: dict | None = None) -> list[Step]:
        """The steps of one run, one variant chosen per line; `any` picks an option at random.

        `values` fills placeholders such as {crisis_line}."""
        rng = rng or random.Random()
        steps = list(self.steps)
        if self.options:
            table = dict(self.options)
            if option not in table:
                option = rng.choice(self.option_names)
            steps = [*self.intro, *table[option], *self.outro]
        values = values or {}
        return [_choose(step, rng, values) for step in steps if not isinstance(step, Say) or step.wanted(values)]

    def all_lines(self, values: dict | None = None) -> list[str]:
        """Every variant of every line of every form, for pre-rendering; with `values`, only lines said with
        them, filled in."""
        return [text for text, _ in self.paced_lines(values)]

    def paced_lines(self, values: dict | None = None) -> list[tuple[str, float]]:
        """(line, how much slower than the delivery it is said) for every line of every form."""
        lines = []
        for form in (self, *self.longer):
            for steps in form._runs():
                for index, step in enumerate(steps):
                    slower = form.slowing(index, len(steps))
                    if isinstance(step, Say) and (values is None or step.wanted(values)):
                        lines += [(text if values is None else text.format_map(values), slower)
                                  for text in step.variants]
                    elif isinstance(step, Breathe) and step.cued:
                        lines += [(text, slower) for text in BREATH_CUES]
        return lines

    def _runs(self) -> list[tuple[Step, ...]]:
        """Each way through the steps: one per option."""
        if not self.options:
            return [self.steps]
        return [(*self.intro, *steps, *self.outro) for _, steps in self.options]

    def stage(self, index: int, count: int) -> float:
        """How far into a fading form step `index` of `count` is, in three stages: 0, 0.5, 1."""
        return min(2, 3 * index // max(count, 1)) / 2

    def slowing(self, index: int, count: int) -> float:
        return round(1 + (self.slow_to - 1) * self.stage(index, count), 3)


def _choose(step: Step, rng: random.Random, values: dict) -> Step:
    if not isinstance(step, Say):
        return step
    return Say((rng.choice(step.variants).format_map(values),))


def parse_step(where: str, raw: object) -> Step:
    if isinstance(raw, dict) and "say" in raw and set(raw) <= {"say", "when"}:
        return _parse_say(where, raw["say"], raw.get("when", ()))
    if isinstance(raw, dict) and "breathe" in raw and set(raw) <= {"breathe", "cued"}:
        return _parse_breathe(where, raw["breathe"], raw.get("cued", 1))
    if not isinstance(raw, dict) or len(raw) != 1:
        raise PracticeError(f"{where}: a step is one of {{say = [...]}}, {{pause = N}}, {{cue = \"...\"}}, "
                            f"{{light = \"...\"}}, {{breathe = N}}; only say may add when = [...], and "
                            f"breathe cued = N")
    kind, value = next(iter(raw.items()))
    if kind == "pause":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_PAUSE:
            raise PracticeError(f"{where}: pause must be a number of seconds above 0 and at most {MAX_PAUSE:g}")
        return Pause(float(value))
    if kind == "cue":
        return Cue(_one_of(where, "cue", value, CUES))
    if kind == "light":
        return Light(_one_of(where, "light", value, LIGHTS))
    raise PracticeError(f"{where}: unknown step '{kind}'; use say, pause, cue, light or breathe")


def _parse_say(where: str, value: object, when: object = ()) -> Say:
    variants = [value] if isinstance(value, str) else value
    if not isinstance(variants, list) or not variants or not all(isinstance(v, str) and v.strip() for v in variants):
        raise PracticeError(f"{where}: say must be a line of text or a non-empty list of lines")
    for text in variants:
        if _sentences(text) > 2:
            raise PracticeError(f"{where}: '{text[:40]}…' has more than two sentences before a pause")
    return Say(tuple(v.strip() for v in variants), _parse_when(where, when))


def _parse_breathe(where: str, breaths: object, cued: object) -> Breathe:
    whole = [v for v in (breaths, cued) if isinstance(v, int) and not isinstance(v, bool)]
    if len(whole) != 2 or not 1 <= breaths <= MAX_BREATHS or not 0 <= cued <= breaths:
        raise PracticeError(f"{where}: breathe must be a whole number of breaths from 1 to {MAX_BREATHS}, "
                            f"and cued from 0 to that number")
    return Breathe(breaths, cued)


def _parse_when(where: str, when: object) -> tuple[str, ...]:
    names = [when] if isinstance(when, str) else when
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) and CONDITION.match(n) for n in names):
        raise PracticeError(f"{where}: when must be a name or a list of names, each perhaps with a leading '!'")
    return tuple(names)


def _sentences(text: str) -> int:
    return sum(text.count(mark) for mark in ".!?") or 1


def _one_of(where: str, kind: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise PracticeError(f"{where}: {kind} '{value}' is unknown; use one of {', '.join(allowed)}")
    return value


def parse_steps(where: str, raw: object) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        raise PracticeError(f"{where}: steps must be a non-empty list")
    return tuple(parse_step(f"{where} step {i + 1}", item) for i, item in enumerate(raw))


BODY = {"steps", "options", "intro", "outro"}


def parse_practice(where: str, data: dict) -> Practice:
    for key in ("name", "title", "intent"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise PracticeError(f"{where}: '{key}' is missing or empty")
    _known(where, data, {"name", "title", "intent", "slot", *BODY, *LENGTHS[1:]})
    base = dict(name=data["name"], title=data["title"], intent=data["intent"], slot=str(data.get("slot", "")))
    longer = tuple(_parse_form(f"{where}: [{length}]", data[length], base, length)
                   for length in LENGTHS[1:] if length in data)
    return _parse_body(where, data, base, longer=longer)


def _known(where: str, data: dict, known: set) -> None:
    extra = set(data) - known
    if extra:
        raise PracticeError(f"{where}: unknown key(s) {', '.join(sorted(extra))}; allowed: {', '.join(sorted(known))}")


def _parse_form(where: str, data: object, base: dict, length: str) -> Practice:
    if not isinstance(data, dict):
        raise PracticeError(f"{where}: a longer form is a table with steps (or intro, options, outro)")
    _known(where, data, {*BODY, *FADES})
    fades = {}
    for key, (lo, hi) in FADES.items():
        value = data.get(key, 0.0 if key == "fade_db" else 1.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise PracticeError(f"{where}: {key} must be a number from {lo:g} to {hi:g}")
        fades[key] = float(value)
    return _parse_body(where, data, base, length=length, **fades)


def _parse_body(where: str, data: dict, base: dict, **form) -> Practice:
    if "options" not in data:
        return Practice(**base, steps=parse_steps(f"{where}: steps", data.get("steps")), **form)
    return Practice(**base, options=_parse_options(where, data["options"]), intro=_optional_steps(where, data, "intro"),
                    outro=_optional_steps(where, data, "outro"), **form)


def _parse_options(where: str, raw: object):
    if not isinstance(raw, dict) or not raw:
        raise PracticeError(f"{where}: options must be tables like [options.NAME] with steps")
    return tuple((name, parse_steps(f"{where}: options.{name}.steps", table.get("steps")))
                 for name, table in raw.items())


def _optional_steps(where: str, data: dict, key: str) -> tuple[Step, ...]:
    return parse_steps(f"{where}: {key}", data[key]) if key in data else ()


def load_practice(path: Path) -> Practice:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PracticeError(f"{path}: cannot read it ({exc})") from None
    return parse_practice(str(path), data)


def builtin_dir() -> Path:
    return Path(str(resources.files("voicecoach.practices").joinpath("data")))


def load_library(folder: Path | None = None) -> dict[str, Practice]:
    """Every practice in the folder, by name."""
    folder = folder or builtin_dir()
    practices = [load_practice(p) for p in sorted(Path(folder).glob("*.toml"))]
    return {p.name: p for p in practices}
