"""`voicecoach run`: microphone, speaker, button and light around one coach thread."""
from __future__ import annotations

import logging
import signal
import sys
import threading
import time

from .audio.capture import Inbox, Microphone
from .audio.playback import OutputStream, choose_rate
from .events import ButtonPressed, ButtonReleased, Shutdown
from .hardware.button import open_button
from .hardware.light import NoLight, open_light

log = logging.getLogger(__name__)
FADE_S = 0.08


class Runtime:
    def __init__(self, config, fake: bool = False):
        import sounddevice as sd

        from .assemble import build_session

        self.config = config
        self.inbox = Inbox()
        self.stop_requested = threading.Event()
        out_device = config.audio.output_device or None
        rate = choose_rate(out_device, sd.query_devices)
        light = NoLight() if fake else open_light(config.light.pin, config.light.brightness)
        self.session = build_session(config, rate, light, self._log_report)
        self.output = OutputStream(self.session.speaker, device=out_device,
                                   on_events=lambda events: self.inbox.put_event(("played", events)))
        self.mic = Microphone(self.inbox, device=config.audio.input_device or None)
        self.button = None if fake else open_button(config.button.pin, self.inbox.put_event, config.button.hold_time)

    def _log_report(self, event: str, data: dict) -> None:
        private = {k: v for k, v in data.items() if k != "text"}
        log.info("%s %s", event, private)
        if "text" in data:
            log.debug("%s text=%r", event, data["text"])

    def serve(self) -> None:
        self.output.start()
        self.mic.start()
        log.info("listening")
        while not self.stop_requested.is_set():
            item = self.inbox.get(timeout=0.1)
            if item is not None:
                self._dispatch(*item)
        self._shutdown()

    def _dispatch(self, kind: str, item) -> None:
        if kind == "block":
            self.session.hear(item)
        elif isinstance(item, tuple) and item[0] == "played":
            self.session.played(item[1])
        else:
            self.session.post(item)

    def _shutdown(self) -> None:
        self.session.post(Shutdown())
        time.sleep(FADE_S)  # let the fade reach the speaker
        for part in (self.mic, self.output, self.session.speaker, self.button, self.session.light):
            if part is not None:
                part.close()


def keyboard_button(inbox: Inbox) -> None:
    """`run --fake`: each Enter is a tap of the button."""
    for _ in sys.stdin:
        inbox.put_event(ButtonPressed())
        inbox.put_event(ButtonReleased())


def run(config, fake: bool = False, config_path: str | None = None) -> int:
    runtime = Runtime(config, fake)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: runtime.stop_requested.set())
    if fake:
        threading.Thread(target=keyboard_button, args=(runtime.inbox,), daemon=True).start()
        print("voicecoach is listening; press Enter to tap the button, Ctrl-C to quit.", file=sys.stderr)
    runtime.serve()
    return 0
