"""The practice file format: TOML with steps (say, pause, cue, light), validated on load.

A practice has `steps`; a practice with choices (soothing touch, obstacle answers)
names its `slot` and has `[options.NAME]` tables, each with its own `steps`, wrapped
by optional `intro` and `outro` steps. `say` holds variants, one chosen per run; a `say` with
`when = ["name", "!other"]` is spoken only when each named value is set (and each `!` one is not),
so a line about a number that does not exist is never said.
"""
from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

CUES = ("chime", "bell", "wake", "done", "stop")
LIGHTS = ("breathe", "steady", "listening", "off")
MAX_PAUSE = 60.0
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


Step = Say | Pause | Cue | Light


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
        """Every variant of every line, for pre-rendering; with `values`, only lines said with them, filled in."""
        groups = [self.steps, self.intro, self.outro, *(steps for _, steps in self.options)]
        says = [step for group in groups for step in group if isinstance(step, Say)]
        if values is None:
            return [text for step in says for text in step.variants]
        return [text.format_map(values) for step in says if step.wanted(values) for text in step.variants]


def _choose(step: Step, rng: random.Random, values: dict) -> Step:
    if not isinstance(step, Say):
        return step
    return Say((rng.choice(step.variants).format_map(values),))


def parse_step(where: str, raw: object) -> Step:
    if isinstance(raw, dict) and "say" in raw and set(raw) <= {"say", "when"}:
        return _parse_say(where, raw["say"], raw.get("when", ()))
    if not isinstance(raw, dict) or len(raw) != 1:
        raise PracticeError(f"{where}: a step is one of {{say = [...]}}, {{pause = N}}, {{cue = \"...\"}}, "
                            f"{{light = \"...\"}}; only say may add when = [...]")
    kind, value = next(iter(raw.items()))
    if kind == "pause":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_PAUSE:
            raise PracticeError(f"{where}: pause must be a number of seconds above 0 and at most {MAX_PAUSE:g}")
        return Pause(float(value))
    if kind == "cue":
        return Cue(_one_of(where, "cue", value, CUES))
    if kind == "light":
        return Light(_one_of(where, "light", value, LIGHTS))
    raise PracticeError(f"{where}: unknown step '{kind}'; use say, pause, cue or light")


def _parse_say(where: str, value: object, when: object = ()) -> Say:
    variants = [value] if isinstance(value, str) else value
    if not isinstance(variants, list) or not variants or not all(isinstance(v, str) and v.strip() for v in variants):
        raise PracticeError(f"{where}: say must be a line of text or a non-empty list of lines")
    for text in variants:
        if _sentences(text) > 2:
            raise PracticeError(f"{where}: '{text[:40]}…' has more than two sentences before a pause")
    return Say(tuple(v.strip() for v in variants), _parse_when(where, when))


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


def parse_practice(where: str, data: dict) -> Practice:
    for key in ("name", "title", "intent"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise PracticeError(f"{where}: '{key}' is missing or empty")
    known = {"name", "title", "intent", "steps", "slot", "options", "intro", "outro"}
    extra = set(data) - known
    if extra:
        raise PracticeError(f"{where}: unknown key(s) {', '.join(sorted(extra))}; allowed: {', '.join(sorted(known))}")
    base = dict(name=data["name"], title=data["title"], intent=data["intent"])
    if "options" not in data:
        return Practice(**base, steps=parse_steps(f"{where}: steps", data.get("steps")))
    return Practice(**base, slot=str(data.get("slot", "")), options=_parse_options(where, data["options"]),
                    intro=_optional_steps(where, data, "intro"), outro=_optional_steps(where, data, "outro"))


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
