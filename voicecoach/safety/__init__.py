"""Where to point someone who is not safe: the crisis lines the device speaks.

The built-in lines are data (`lines.toml`), one entry per country, each with where and when it was
checked. A caregiver's `[safety]` settings may replace any line; a line set to "" is not spoken.
The practice `crisis_support` says only the lines that exist: "or text" only where a text service does.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..config import SafetyConfig

DEFAULT = "default"  # the country's own line
NUMBER = re.compile(r"^\+?[0-9][0-9 \-]*$")


@dataclass(frozen=True)
class Line:
    """A number to reach: who answers, the number as written, and how the voice says it."""

    name: str
    number: str
    spoken: str

    def said(self) -> str:
        return f"{self.name}, on {self.spoken}" if self.name else self.spoken


@dataclass(frozen=True)
class CrisisLines:
    call: Line | None
    text: Line | None
    emergency: Line | None

    @property
    def one_number(self) -> bool:
        """The same number takes both calls and texts."""
        return bool(self.call and self.text and _digits(self.call.number) == _digits(self.text.number))

    def values(self) -> dict[str, str]:
        """Placeholders for the crisis practice; an absent line is "" (its lines are then left out)."""
        call, text, emergency = self.call, self.text, self.emergency
        return {
            "call_line": call.said() if call else "",
            "text_line": text.said() if text else "",
            "call_or_text_line": call.said() if self.one_number else "",
            "emergency_number": emergency.spoken if emergency else "",
            "numbers_again": self._numbers_again(),
        }

    def _numbers_again(self) -> str:
        """The numbers once more, without names: "call 1 1 6, 1 2 3, text 8 5 2 5 8, or in an emergency, 9 9 9"."""
        parts = []
        if self.one_number:
            parts.append(f"call or text {self.call.spoken}")
        else:
            parts += [f"{verb} {line.spoken}" for verb, line in (("call", self.call), ("text", self.text)) if line]
        if self.emergency:
            parts.append(f"in an emergency, {self.emergency.spoken}")
        if len(parts) > 1:
            parts[-1] = "or " + parts[-1]
        return ", ".join(parts)

    def describe(self) -> str:
        """For a caregiver: each line as written, and how the device says it."""
        rows = [f"{what}: {line.name + ' ' if line.name else ''}{line.number} (said \"{line.spoken}\")"
                for what, line in (("call", self.call), ("text", self.text), ("emergency", self.emergency))
                if line]
        return "; ".join(rows) if rows else "no crisis line and no emergency number"


def _digits(number: str) -> str:
    return re.sub(r"\D", "", number)


def spoken_number(number: str) -> str:
    """How the voice says a number a caregiver wrote: digit by digit, a pause between groups
    ("0800 123 456" -> "0 8 0 0, 1 2 3, 4 5 6"). Anything that is not a number is said as written."""
    number = number.strip()
    if not NUMBER.match(number):
        return number
    groups = [g for g in re.split(r"[ \-]+", number.lstrip("+")) if g]
    spoken = ", ".join(" ".join(group) for group in groups)
    return f"plus {spoken}" if number.startswith("+") else spoken


@cache
def built_in() -> dict[str, CrisisLines]:
    """The checked lines of every supported country, from lines.toml."""
    text = resources.files("voicecoach.safety").joinpath("lines.toml").read_text("utf-8")
    return {country: CrisisLines(*(_line(entry.get(kind)) for kind in ("call", "text", "emergency")))
            for country, entry in tomllib.loads(text).items()}


def _line(entry: dict | None) -> Line | None:
    return Line(entry.get("name", ""), entry["number"], entry["spoken"]) if entry else None


def crisis_lines(safety: SafetyConfig) -> CrisisLines:
    """The lines this device speaks: the country's, with each one the caregiver set put in its place."""
    country = built_in().get(safety.country, built_in()["US"])
    return CrisisLines(
        call=_chosen(_with_legacy(safety.call_line, safety.crisis_line), safety.call_name, country.call),
        text=_chosen(safety.text_line, safety.text_name, country.text),
        emergency=_chosen(_with_legacy(safety.emergency_line, safety.emergency_number), "", country.emergency),
    )


def _with_legacy(setting: str, legacy: str) -> str:
    """The older keys (crisis_line, emergency_number) used "" for the country's line; a number there
    still counts when the newer key is left at its default."""
    return legacy if setting == DEFAULT and legacy.strip() else setting


def _chosen(setting: str, name: str, country_line: Line | None) -> Line | None:
    if setting == DEFAULT:
        return country_line
    if not setting.strip():
        return None
    return Line(name.strip(), setting.strip(), spoken_number(setting))


def crisis_values(safety: SafetyConfig) -> dict[str, str]:
    return crisis_lines(safety).values()
