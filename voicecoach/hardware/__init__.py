"""Hardware: the one button and the status light, through gpiozero."""
import logging

log = logging.getLogger(__name__)


def gpio_available(pin_factory=None) -> tuple[bool, str]:
    """Whether gpiozero can drive pins here, and which factory (or why not)."""
    try:
        from gpiozero import Device

        factory = pin_factory or Device.pin_factory or Device._default_pin_factory()
        return True, type(factory).__name__
    except Exception as exc:  # gpiozero raises BadPinFactory and assorted import errors
        return False, str(exc) or type(exc).__name__
