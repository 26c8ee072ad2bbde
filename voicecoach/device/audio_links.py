"""The device's two audio links (speaker, microphone): opened, watched, reopened when they fail or stall
(audio/link.py does each), their state shown on the light and in systemd's status."""
from __future__ import annotations

import logging

from ..audio.capture import Inbox, Microphone
from ..audio.link import AudioLink, rescan_devices
from ..audio.playback import OutputStream, choose_rate

log = logging.getLogger(__name__)
FALLBACK_RATE = 48000


def output_rate(device) -> int:
    import sounddevice as sd

    try:
        return choose_rate(device, sd.query_devices)
    except Exception as exc:  # no output device yet: open at a common rate and keep trying
        log.warning("no usable output device yet (%s); assuming %d Hz", exc, FALLBACK_RATE)
        return FALLBACK_RATE


class DeviceAudio:
    def __init__(self, audio_config, speaker, inbox: Inbox, light, watchdog, reference=None):
        self.config = audio_config
        self.reference = reference  # what the speaker played, for the microphone's echo cancellation
        speaker.reference = reference
        self.speaker = speaker
        self.inbox = inbox
        self.light = light
        self.watchdog = watchdog
        self.links = [AudioLink("speaker", self._open_speaker, self._rescan, self._changed),
                      AudioLink("microphone", self._open_microphone, self._rescan, self._changed)]

    def _open_speaker(self):
        on_events = lambda events: self.inbox.put_event(("played", events))  # noqa: E731
        return OutputStream(self.speaker, device=self.config.output_device or None, on_events=on_events)

    def _open_microphone(self):
        return Microphone(self.inbox, device=self.config.input_device or None, reference=self.reference)

    def _rescan(self) -> None:
        for link in self.links:
            link.drop()  # re-scanning stops every stream anyway
        rescan_devices()

    def _changed(self, up: bool, problem: str) -> None:
        down = [f"{link.name}: {link.problem}" for link in self.links if not link.up and link.problem]
        self.light.set_fault("audio", "; ".join(down))
        self.watchdog.status("listening" if not down else "audio fault: " + "; ".join(down))

    def check(self) -> bool:
        """Reopen what failed or stalled; True while both streams flow."""
        return all([link.check() for link in self.links])

    @property
    def speaker_up(self) -> bool:
        return self.links[0].up

    @property
    def faults(self) -> int:
        return sum(link.faults for link in self.links)

    def status_text(self) -> str:
        """For `systemctl status` and `doctor`: faults survived, and the glitches of the open streams."""
        speaker, mic = (link.stream for link in self.links)
        return (f"listening; {self.faults} audio faults recovered; "
                f"{getattr(speaker, 'underflows', 0)} output underflows, {getattr(mic, 'overflows', 0)} input "
                f"overflows since the streams opened; {self.inbox.dropped} microphone blocks dropped")

    def close(self) -> None:
        for link in self.links:
            link.close()
