"""`voicecoach run`: microphone, speaker, button and light around one coach thread.

The loop also tends the device: it reopens audio streams that fail or stall, pets
systemd's watchdog only while audio flows, and reloads the settings on SIGHUP.
"""
from __future__ import annotations

import hashlib
import logging
import signal
import sys
import threading
import time

from .assemble import apply_config, build_session
from .audio.capture import Inbox, Microphone
from .audio.link import AudioLink, rescan_devices
from .audio.playback import OutputStream, choose_rate
from .events import ButtonPressed, ButtonReleased, Notice, Shutdown
from .hardware.button import open_button
from .hardware.light import NoLight, StatusLight, open_light
from .memory import release_free_memory
from .service import Watchdog
from .settings import Loaded, Settings, waiting_for_restart

log = logging.getLogger(__name__)
FADE_S = 0.08
TEND_EVERY_S = 0.2
STATUS_EVERY_S = 30.0
FALLBACK_RATE = 48000
NOTICE_SEEN = "notice-spoken.sha256"


def output_rate(device) -> int:
    import sounddevice as sd

    try:
        return choose_rate(device, sd.query_devices)
    except Exception as exc:  # no output device yet: open at a common rate and keep trying
        log.warning("no usable output device yet (%s); assuming %d Hz", exc, FALLBACK_RATE)
        return FALLBACK_RATE


class Runtime:
    def __init__(self, settings: Settings, loaded: Loaded, fake: bool = False):
        config = loaded.config
        self.settings = settings
        self.config = config  # devices and pins stay as they were at start
        self.inbox = Inbox()
        self.stop_requested = threading.Event()
        self.reload_requested = threading.Event()
        light = NoLight() if fake else open_light(config.light.pin, config.light.brightness)
        self.light = StatusLight(light)
        self.session = build_session(config, output_rate(config.audio.output_device or None), self.light,
                                     self._log_report)
        self.links = [AudioLink("speaker", self._open_speaker, self._rescan, self._audio_changed),
                      AudioLink("microphone", self._open_microphone, self._rescan, self._audio_changed)]
        self.watchdog = Watchdog()
        self.button = None if fake else open_button(config.button.pin, self.inbox.put_event, config.button.hold_time)
        self._next_tend = 0.0
        self._next_status = 0.0
        self._last_tend = time.monotonic()
        self._tidied = True
        self._problems(loaded.problems)

    # audio
    def _open_speaker(self):
        on_events = lambda events: self.inbox.put_event(("played", events))  # noqa: E731
        return OutputStream(self.session.speaker, device=self.config.audio.output_device or None,
                            on_events=on_events)

    def _open_microphone(self):
        return Microphone(self.inbox, device=self.config.audio.input_device or None)

    def _rescan(self) -> None:
        for link in self.links:
            link.drop()  # re-scanning stops every stream anyway
        rescan_devices()

    def _audio_changed(self, up: bool, problem: str) -> None:
        down = [f"{link.name}: {link.problem}" for link in self.links if not link.up and link.problem]
        self.light.set_fault("audio", "; ".join(down))
        self.watchdog.status("listening" if not down else "audio fault: " + "; ".join(down))

    @property
    def faults(self) -> int:
        return sum(link.faults for link in self.links)

    def status_text(self) -> str:
        """For `systemctl status` and `doctor`: faults survived, and the glitches of the open streams."""
        speaker, mic = (link.stream for link in self.links)
        return (f"listening; {self.faults} audio faults recovered; "
                f"{getattr(speaker, 'underflows', 0)} output underflows, {getattr(mic, 'overflows', 0)} input "
                f"overflows since the streams opened; {self.inbox.dropped} microphone blocks dropped")

    # settings
    def _problems(self, problems: list[str]) -> None:
        """Reported by the log, the light, systemd's status, and spoken once per distinct problem."""
        self.light.set_fault("settings", "; ".join(problems))
        if not problems:
            return
        self.watchdog.status("settings problem: " + "; ".join(problems))
        digest = hashlib.sha256("\n".join(problems).encode()).hexdigest()
        seen = self.settings.state / NOTICE_SEEN
        try:
            if seen.is_file() and seen.read_text() == digest:
                return
            seen.parent.mkdir(parents=True, exist_ok=True)
            seen.write_text(digest)
        except OSError as exc:
            log.warning("cannot remember the spoken notice (%s)", exc)
        self.inbox.put_event(Notice("settings_problem"))

    def reload(self) -> None:
        """SIGHUP: read the settings again; broken ones leave the running settings untouched."""
        old = self.session.coaching.config
        loaded = self.settings.load()
        self._problems(loaded.problems)
        if loaded.problems:
            return
        apply_config(self.session, loaded.config)
        later = waiting_for_restart(self.config, loaded.config)
        log.info("settings reloaded from %s%s", loaded.config.source, " (unchanged)" if old == loaded.config else "")
        if later:
            log.warning("%s: these take effect after a restart", ", ".join(later))

    # the loop
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
            self.reload()
        flowing = all([link.check() for link in self.links])
        self.watchdog.tick(flowing)
        if not self.links[0].up:
            self._play_into_nowhere(now)
        self._last_tend = now
        self._tidy_when_idle()
        if flowing and now >= self._next_status:
            self._next_status = now + STATUS_EVERY_S
            self.watchdog.status(self.status_text())

    def _tidy_when_idle(self) -> None:
        """Once per session, back in idle: return the heap pages synthesis freed to the system."""
        idle = self.session.coach.state == "idle"
        if idle and not self._tidied:
            release_free_memory()
        self._tidied = idle

    def _play_into_nowhere(self, now: float) -> None:
        """While the speaker is gone its audio is read at real-time pace and dropped, so a press still
        starts and stops practices and the coach never waits on a device (the light shows the fault)."""
        speaker = self.session.speaker
        frames = int(min(now - self._last_tend, 1.0) * speaker.rate)
        if frames > 0:
            _, events = speaker.read(frames)
            if events:
                self.session.played(events)

    def _dispatch(self, kind: str, item) -> None:
        if kind == "block":
            self.session.hear(item)
        elif isinstance(item, tuple) and item[0] == "played":
            self.session.played(item[1])
        else:
            self.session.post(item)

    def _shutdown(self) -> None:
        self.watchdog.stopping()
        self.session.post(Shutdown())
        time.sleep(FADE_S)  # let the fade reach the speaker
        for part in (*self.links, self.session.speaker, self.button, self.light):
            if part is not None:
                part.close()
        log.info("stopped after %d audio fault(s)", self.faults)


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
