"""The button: press, hold and release become coach events. Callbacks only enqueue."""
from __future__ import annotations

import logging
from typing import Callable

from ..events import ButtonHeld, ButtonPressed, ButtonReleased

log = logging.getLogger(__name__)


class Button:
    """A gpiozero Button on a BCM pin, pulled up, debounced. Press starts at once; holding is push-to-talk."""

    def __init__(self, pin: int, post: Callable[[object], None], hold_time: float = 0.6, pin_factory=None):
        from gpiozero import Button as GpioButton

        self.post = post
        self.device = GpioButton(pin, pull_up=True, bounce_time=0.03, hold_time=hold_time, pin_factory=pin_factory)
        self.device.when_pressed = lambda: post(ButtonPressed())
        self.device.when_held = lambda: post(ButtonHeld())
        self.device.when_released = lambda: post(ButtonReleased())

    def close(self) -> None:
        self.device.close()


class NoButton:
    """Stands in when there is no GPIO: everything else runs."""

    def close(self) -> None:
        pass


def open_button(pin: int, post, hold_time: float = 0.6, pin_factory=None):
    try:
        return Button(pin, post, hold_time, pin_factory)
    except Exception as exc:  # no GPIO on this machine: gpiozero raises several types
        log.warning("no button: GPIO is not available here (%s); voice still works", exc)
        return NoButton()
