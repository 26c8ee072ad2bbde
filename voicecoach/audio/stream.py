"""What the microphone's and the speaker's PortAudio streams share."""
from __future__ import annotations


class PortAudioStream:
    """Start, whether PortAudio still runs it, and close (abort first: a stalled device never drains)."""

    _stream = None

    def start(self):
        self._stream.start()
        return self

    @property
    def active(self) -> bool:
        return bool(self._stream.active)

    def close(self) -> None:
        self._stream.abort()
        self._stream.close()
