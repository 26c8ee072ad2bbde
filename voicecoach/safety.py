"""Where to point someone who is not safe: the crisis line and emergency number to speak."""
from __future__ import annotations

from .config import SafetyConfig

# Spoken forms, digit by digit, so every voice reads them plainly.
DEFAULTS = {
    "US": ("the Suicide and Crisis Lifeline at 9 8 8", "9 1 1"),
    "CA": ("the Suicide Crisis Helpline at 9 8 8", "9 1 1"),
    "GB": ("Samaritans at 1 1 6, 1 2 3", "9 9 9"),
    "IE": ("Samaritans at 1 1 6, 1 2 3", "1 1 2"),
    "AU": ("Lifeline at 13, 11, 14", "triple zero"),
    "NZ": ("the helpline at 1 7 3 7", "1 1 1"),
}


def crisis_values(safety: SafetyConfig) -> dict[str, str]:
    line, emergency = DEFAULTS.get(safety.country, DEFAULTS["US"])
    return {"crisis_line": safety.crisis_line or line, "emergency_number": safety.emergency_number or emergency}
