"""Night mode: when it applies, and how delivery changes with it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .config import Config, NightConfig


@dataclass(frozen=True)
class Delivery:
    """How the speaker sounds right now: loudness, pace, pauses, chimes, light."""

    volume: float
    length_scale: float
    pause_ratio: float
    earcon_volume: float
    brightness: float
    night: bool
    breath: tuple[float, float] = (4.0, 6.0)  # seconds in, out: spoken breath cues and the light share it


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def is_night(night: NightConfig, now: dt.time) -> bool:
    if night.always:
        return True
    start, end, t = _minutes(night.start), _minutes(night.end), now.hour * 60 + now.minute
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def delivery_for(config: Config, night: bool) -> Delivery:
    day = Delivery(
        volume=config.audio.volume,
        length_scale=config.voice.length_scale,
        pause_ratio=1.0,
        earcon_volume=config.audio.earcon_volume,
        brightness=config.light.brightness,
        night=False,
        breath=(config.practice.breath_in, config.practice.breath_out),
    )
    if not night:
        return day
    n = config.night
    return Delivery(
        volume=day.volume * n.volume_ratio,
        length_scale=round(day.length_scale * n.slowdown, 3),
        pause_ratio=n.pause_ratio,
        earcon_volume=day.earcon_volume * 0.5,
        brightness=min(day.brightness, config.light.night_brightness),
        night=True,
        breath=day.breath,
    )


def current_delivery(config: Config, now: dt.datetime | None = None) -> Delivery:
    now = now or dt.datetime.now()
    return delivery_for(config, is_night(config.night, now.time()))
