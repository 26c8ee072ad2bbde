"""The status light: a PWM LED that breathes slowly during practices and dims at night."""
from __future__ import annotations

import itertools
import logging
import math

log = logging.getLogger(__name__)
PATTERNS = ("breathe", "steady", "listening", "offer", "off", "fault")
OFFER = (1.0, 2.0, 4.0)  # seconds rising, falling, dark: one soft pulse every 7 s
OFFER_SHARE = 0.5
BREATH = (4.0, 6.0)  # seconds in, out: the same pace as the spoken breath cues ([practice] breath_in, breath_out)
STEP = 0.05


def breath_curve(top: float, breath: tuple[float, float] = BREATH, step: float = STEP):
    """An endless rise (breathing in) and fall (breathing out) between 0 and `top`, one value per `step`
    seconds: the rise lasts breath[0] seconds, the fall breath[1]."""
    rise, fall = (max(1, int(seconds / step)) for seconds in breath)
    shape = [(1 - math.cos(math.pi * i / rise)) / 2 for i in range(rise)]
    shape += [(1 + math.cos(math.pi * i / fall)) / 2 for i in range(fall)]
    for value in itertools.cycle(shape):
        yield round(top * value, 4)


def offer_curve(top: float, offer: tuple[float, float, float] = OFFER, step: float = STEP):
    """The breath's rise and fall to `top`, then dark a while: endless, one value per `step` seconds."""
    rise, fall, dark = (max(1, int(seconds / step)) for seconds in offer)
    pulse = list(itertools.islice(breath_curve(top, offer[:2], step), rise + fall)) + [0.0] * dark
    yield from itertools.cycle(pulse)


class Light:
    def __init__(self, pin: int, brightness: float = 0.6, pin_factory=None, breath: tuple[float, float] = BREATH):
        from gpiozero import PWMLED

        self.device = PWMLED(pin, pin_factory=pin_factory)
        self.brightness = brightness
        self.breath = breath
        self.pattern = "off"

    def show(self, pattern: str, brightness: float | None = None) -> None:
        if brightness is not None:
            self.brightness = brightness
        self.pattern = pattern
        led, top = self.device, self.brightness
        led.source = None
        if pattern == "off" or top <= 0:
            led.off()
        elif pattern == "steady":
            led.value = top
        elif pattern == "breathe":
            led.source_delay = STEP
            led.source = breath_curve(top, self.breath)
        elif pattern == "listening":
            led.blink(on_time=0.15, off_time=0.15, fade_in_time=0.15, fade_out_time=0.15)
        elif pattern == "offer":  # a slow pulse at half the brightness: here if wanted, asking nothing
            led.source_delay = STEP
            led.source = offer_curve(top * OFFER_SHARE)
        elif pattern == "fault":
            led.blink(on_time=0.1, off_time=1.9)

    def close(self) -> None:
        self.device.close()


class NoLight:
    def __init__(self):
        self.pattern = "off"

    def show(self, pattern: str, brightness: float | None = None) -> None:
        self.pattern = pattern

    def close(self) -> None:
        pass


def open_light(pin: int, brightness: float, pin_factory=None, breath: tuple[float, float] = BREATH):
    try:
        return Light(pin, brightness, pin_factory, breath)
    except Exception as exc:  # no GPIO on this machine
        log.warning("no light: GPIO is not available here (%s)", exc)
        return NoLight()


class StatusLight:
    """The light as the coach sets it, with standing faults shown over it: an audio fault always
    (nothing can be heard, so the light is the only sign), a settings fault while it would be off."""

    URGENT = ("audio",)

    def __init__(self, light):
        self.light = light
        self.faults: dict[str, str] = {}
        self._wanted: tuple[str, float | None] = ("off", None)
        self._shown: tuple[str, float | None] | None = None

    @property
    def pattern(self) -> str:
        return self.light.pattern

    def show(self, pattern: str, brightness: float | None = None) -> None:
        self._wanted = (pattern, brightness)
        self._refresh()

    def set_fault(self, kind: str, problem: str) -> None:
        """A non-empty problem raises the fault of this kind; an empty one clears it."""
        if problem:
            self.faults[kind] = problem
        else:
            self.faults.pop(kind, None)
        self._refresh()

    def _refresh(self) -> None:
        pattern, brightness = self._wanted
        urgent = any(kind in self.URGENT for kind in self.faults)
        if self.faults and (urgent or pattern == "off"):
            pattern = "fault"
        if (pattern, brightness) != self._shown:
            self._shown = (pattern, brightness)
            self.light.show(pattern, brightness)

    def close(self) -> None:
        self.light.close()
