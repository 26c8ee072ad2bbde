"""The small typed events that flow into the coach, and the actions that flow out."""
from __future__ import annotations

from dataclasses import dataclass, field

from .understand.router import Intent


# events
@dataclass(frozen=True)
class WakeHeard:
    phrase: str


@dataclass(frozen=True)
class IntentHeard:
    intent: Intent
    mode: str


@dataclass(frozen=True)
class RequestEnded:
    """A request window closed with nothing usable (timeout, or released with silence)."""

    reason: str


@dataclass(frozen=True)
class ButtonPressed:
    pass


@dataclass(frozen=True)
class ButtonHeld:
    pass


@dataclass(frozen=True)
class ButtonReleased:
    pass


@dataclass(frozen=True)
class PlaybackEnded:
    name: str
    stopped: bool


@dataclass(frozen=True)
class Notice:
    """Something a caregiver should hear about (a practice file of that name), spoken only when idle."""

    name: str


@dataclass(frozen=True)
class CrisisHeld:
    """A crisis phrase heard inside other talk and not answered (session.py, CrisisInIdle): the light
    offers, silently, for a while; the button then answers with the crisis lines."""


@dataclass(frozen=True)
class OfferEnded:
    """The while of that silent offer is over."""


@dataclass(frozen=True)
class Shutdown:
    pass


# actions
@dataclass(frozen=True)
class Play:
    name: str
    option: str = "any"
    length: str = "short"  # short, long or bedside (practices/schema.py)


@dataclass(frozen=True)
class StopPlayback:
    fade_ms: float = 60.0


@dataclass(frozen=True)
class Control:
    name: str  # pause, resume, repeat, slower, faster, louder, quieter


@dataclass(frozen=True)
class Listen:
    mode: str  # idle, guiding, request


@dataclass(frozen=True)
class EndRequest:
    pass


@dataclass(frozen=True)
class Chime:
    name: str


@dataclass(frozen=True)
class ShowLight:
    pattern: str


@dataclass(frozen=True)
class Report:
    event: str
    data: dict = field(default_factory=dict)
