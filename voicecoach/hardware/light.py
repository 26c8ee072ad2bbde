"""The status light: a PWM LED that breathes slowly during practices and dims at night."""
from __future__ import annotations

import itertools
import logging
import math

log = logging.getLogger(__name__)
PATTERNS = ("breathe", "steady", "listening", "off", "fault")
BREATH_SECONDS = 10.0  # in for four, out for six
STEP = 0.05


def breath_curve(top: float, seconds: float = BREATH_SECONDS, step: float = STEP):
    """An endless slow rise and fall between 0 and `top`, one value per `step` seconds."""
    n = max(2, int(seconds / step))
    for i in itertools.cycle(range(n)):
        yield round(top * (1 - math.cos(2 * math.pi * i / n)) / 2, 4)


class Light:
    def __init__(self, pin: int, brightness: float = 0.6, pin_factory=None):
        from gpiozero import PWMLED

        self.device = PWMLED(pin, pin_factory=pin_factory)
        self.brightness = brightness
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
            led.source = breath_curve(top)
        elif pattern == "listening":
            led.blink(on_time=0.15, off_time=0.15, fade_in_time=0.15, fade_out_time=0.15)
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


def open_light(pin: int, brightness: float, pin_factory=None):
    try:
        return Light(pin, brightness, pin_factory)
    except Exception as exc:  # no GPIO on this machine
        log.warning("no light: GPIO is not available here (%s)", exc)
        return NoLight()
