"""Commands for the device itself: run (microphone, speaker, button, light) and devices."""
from __future__ import annotations

from .errors import UserFacingError


def register(sub) -> None:
    p = sub.add_parser("run", help="listen and guide, with microphone, speaker, button and light")
    p.add_argument("--fake", action="store_true", help="Enter on the keyboard is the button")
    p.set_defaults(func=cmd_run, reads_own_config=True)

    p = sub.add_parser("devices", help="list audio devices, marking the chosen ones")
    p.set_defaults(func=cmd_devices)


def cmd_run(args, config_path) -> int:
    """Runs on the last good settings when the config is broken; exits 2 only if there never were any."""
    from ..device.runtime import run
    from ..device.settings import Settings

    settings = Settings(config_path)
    return run(settings, settings.load(), fake=args.fake)


def cmd_devices(args, config) -> int:
    from ..audio.devices import describe_devices

    try:
        print(describe_devices(config))
    except OSError as exc:
        raise UserFacingError(f"audio is not available: {exc}") from None
    return 0

