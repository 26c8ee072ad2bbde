"""Button and light through gpiozero's own MockFactory."""
import threading

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin

from voicecoach.events import ButtonHeld, ButtonPressed, ButtonReleased
from voicecoach.hardware.button import Button, NoButton, open_button
from voicecoach.hardware.light import Light, breath_curve, offer_curve, open_light


@pytest.fixture
def factory():
    f = MockFactory()
    yield f
    f.reset()


@pytest.fixture
def pwm_factory():
    f = MockFactory(pin_class=MockPWMPin)
    yield f
    f.reset()


class Collector:
    def __init__(self):
        self.events = []
        self.changed = threading.Event()

    def __call__(self, event):
        self.events.append(event)
        self.changed.set()

    def wait_for(self, kind, timeout=3.0):
        while not any(isinstance(e, kind) for e in self.events):
            self.changed.clear()
            if not self.changed.wait(timeout):
                return False
        return True


def test_tap_is_press_then_release(factory):
    got = Collector()
    button = Button(17, got, hold_time=0.5, pin_factory=factory)
    pin = factory.pin(17)
    pin.drive_low()
    assert got.wait_for(ButtonPressed)
    pin.drive_high()
    assert got.wait_for(ButtonReleased)
    assert not any(isinstance(e, ButtonHeld) for e in got.events)
    button.close()


def test_hold_is_reported_for_push_to_talk(factory):
    got = Collector()
    button = Button(17, got, hold_time=0.3, pin_factory=factory)
    pin = factory.pin(17)
    pin.drive_low()
    assert got.wait_for(ButtonHeld)
    pin.drive_high()
    assert got.wait_for(ButtonReleased)
    assert [type(e) for e in got.events] == [ButtonPressed, ButtonHeld, ButtonReleased]
    button.close()


def test_configured_pin_is_used(factory):
    got = Collector()
    button = open_button(27, got, pin_factory=factory)
    factory.pin(27).drive_low()
    assert got.wait_for(ButtonPressed)
    button.close()


def test_no_gpio_degrades_to_a_log_line(caplog):
    class Broken:
        def __getattr__(self, name):
            raise RuntimeError("no GPIO here")

    assert isinstance(open_button(17, lambda e: None, pin_factory=Broken()), NoButton)
    assert "GPIO is not available" in caplog.text


def test_light_patterns_and_night_dimming(pwm_factory):
    light = Light(18, brightness=0.6, pin_factory=pwm_factory)
    pin = pwm_factory.pin(18)
    light.show("steady")
    assert pin.state == pytest.approx(0.6)
    light.show("steady", brightness=0.15)
    assert pin.state == pytest.approx(0.15)
    light.show("off")
    assert pin.state == 0
    light.close()


def levels_shown(pwm_factory, pattern: str, brightness: float = 0.2) -> set:
    """The pin's levels over two seconds of a pattern on a mock PWM pin."""
    light = open_light(18, brightness, pin_factory=pwm_factory)
    pin = pwm_factory.pin(18)
    light.show(pattern)
    seen = set()
    done = threading.Event()
    for _ in range(40):
        seen.add(round(pin.state, 3))
        done.wait(0.05)
    light.show("off")
    light.close()
    return seen


def test_breathing_light_rises_and_falls_within_its_ceiling(pwm_factory):
    seen = levels_shown(pwm_factory, "breathe")
    assert max(seen) <= 0.2 + 1e-9 and len(seen) > 5  # it moves, and never above the ceiling


def test_breath_curve_is_slow_and_bounded_and_rises_for_the_breath_in_and_falls_for_the_breath_out():
    values = [v for v, _ in zip(breath_curve(0.5), range(200))]  # 4 s in, 6 s out, 20 values a second
    assert min(values) == 0 and max(values) == pytest.approx(0.5) and values[80] == pytest.approx(0.5)
    assert values[:81] == sorted(values[:81]) and values[80:200] == sorted(values[80:200], reverse=True)
    slow = [v for v, _ in zip(breath_curve(1.0, (3.0, 7.0)), range(400))]
    assert slow.index(1.0) == 60 and slow[200] == 0 and slow[260] == 1.0  # a 10 s breath, peak at 3 s


def test_the_offer_is_a_soft_pulse_every_seven_seconds_then_dark():
    values = [v for v, _ in zip(offer_curve(0.3), range(280))]  # 1 s up, 2 s down, 4 s dark; twice
    assert max(values) == pytest.approx(0.3) and values.index(max(values)) == 20
    assert values[60:140] == [0.0] * 80 and values[140:280] == values[:140]


def test_the_offering_light_pulses_at_half_its_brightness_on_a_mock_pin(pwm_factory):
    seen = levels_shown(pwm_factory, "offer")
    assert 0.05 < max(seen) <= 0.1 + 1e-9 and len(seen) > 5
