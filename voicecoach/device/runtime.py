"""`voicecoach run`: microphone, speaker, button and light around one coach thread.

The loop hands blocks and events to the session, and a few times a second tends the device: its audio
links (device/audio_links.py), systemd's watchdog (petted only while audio flows), a settings reload on
SIGHUP (device/notices.py), and memory once a session is over (device/memory.py).
"""
from __future__ import annotations

import logging
import signal
import sys
import threading
import time

from ..audio.capture import Inbox
from ..events import ButtonPressed, ButtonReleased, Shutdown
from ..hardware.button import open_button
from ..hardware.light import NoLight, StatusLight, open_light
from ..listen.echo import EchoReference
from ..session import build_session
from .audio_links import DeviceAudio, output_rate
from .memory import IdleTidy
from .notices import SettingsKeeper
from .service import Watchdog
from .settings import Loaded, Settings

log = logging.getLogger(__name__)
FADE_S = 0.08
TEND_EVERY_S = 0.2
STATUS_EVERY_S = 30.0


class Runtime:
    def __init__(self, settings: Settings, loaded: Loaded, fake: bool = False):
        config = loaded.config
        self.inbox = Inbox()
        self.stop_requested = threading.Event()
        self.reload_requested = threading.Event()
        breath = (config.practice.breath_in, config.practice.breath_out)
        light = NoLight() if fake else open_light(config.light.pin, config.light.brightness, breath=breath)
        self.light = StatusLight(light)
        self.session = build_session(config, output_rate(config.audio.output_device or None), self.light,
                                     self._log_report)
        self.watchdog = Watchdog()
        self.audio = DeviceAudio(config.audio, self.session.speaker, self.inbox, self.light, self.watchdog,
                                 EchoReference())
        self.keeper = SettingsKeeper(settings, config, self.light, self.watchdog, self.inbox.put_event)
        self.tidy = IdleTidy()
        self.button = None if fake else open_button(config.button.pin, self.inbox.put_event, config.button.hold_time)
        self._next_tend = 0.0
        self._next_status = 0.0
        self._last_tend = time.monotonic()
        self.keeper.tell(loaded.problems)

    def _log_report(self, event: str, data: dict) -> None:
        private = {k: v for k, v in data.items() if k != "text"}
        log.info("%s %s", event, private)
        if "text" in data:
            log.debug("%s text=%r", event, data["text"])

    def serve(self) -> None:
        self._tend()
        self.watchdog.ready("listening")
        log.info("listening")
        while not self.stop_requested.is_set():
            item = self.inbox.get(timeout=TEND_EVERY_S)
            if item is not None:
                self._dispatch(*item)
            self._tend()
        self._shutdown()

    def _tend(self) -> None:
        now = time.monotonic()
        if now < self._next_tend:
            return
        self._next_tend = now + TEND_EVERY_S
        if self.reload_requested.is_set():
            self.reload_requested.clear()
            self.keeper.reload(self.session)
        flowing = self.audio.check()
        self.watchdog.tick(flowing)
        if not self.audio.speaker_up:
            self._play_into_nowhere(now)
        self._last_tend = now
        self.tidy.tend(self.session.coach.state == "idle")
        if flowing and now >= self._next_status:
            self._next_status = now + STATUS_EVERY_S
            self.watchdog.status(self.audio.status_text())

    def _play_into_nowhere(self, now: float) -> None:
        """While the speaker is gone its audio is read at real-time pace and dropped, so a press still
        starts and stops practices and the coach never waits on a device (the light shows the fault)."""
        speaker = self.session.speaker
        frames = int(min(now - self._last_tend, 1.0) * speaker.rate)
        if frames > 0:
            _, events = speaker.read(frames)
            if events:
                self.session.played(events)

    def _dispatch(self, kind: str, item, reference=None) -> None:
        if kind == "block":
            self.session.hear(item, reference)
        elif isinstance(item, tuple) and item[0] == "played":
            self.session.played(item[1])
        else:
            self.session.post(item)

    def _shutdown(self) -> None:
        self.watchdog.stopping()
        self.session.post(Shutdown())
        time.sleep(FADE_S)  # let the fade reach the speaker
        self.audio.close()
        for part in (self.session.speaker, self.button, self.light):
            if part is not None:
                part.close()
        log.info("stopped after %d audio fault(s)", self.audio.faults)


def keyboard_button(inbox: Inbox) -> None:
    """`run --fake`: each Enter is a tap of the button."""
    for _ in sys.stdin:
        inbox.put_event(ButtonPressed())
        inbox.put_event(ButtonReleased())


def run(settings: Settings, loaded: Loaded, fake: bool = False) -> int:
    runtime = Runtime(settings, loaded, fake)

    def stop(*_):
        runtime.stop_requested.set()
        runtime.inbox.put_event(Shutdown())  # wakes the loop: the fade starts now

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    signal.signal(signal.SIGHUP, lambda *_: runtime.reload_requested.set())
    if fake:
        threading.Thread(target=keyboard_button, args=(runtime.inbox,), daemon=True).start()
        print("voicecoach is listening; press Enter to tap the button, Ctrl-C to quit.", file=sys.stderr)
    runtime.serve()
    return 0
