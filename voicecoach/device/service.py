"""Talking to systemd: `READY=1` once, then `WATCHDOG=1` only while audio really flows.

sd_notify is one datagram on the AF_UNIX socket named in $NOTIFY_SOCKET (a leading
'@' is the abstract namespace); outside systemd there is no socket and nothing is sent.
"""
from __future__ import annotations

import logging
import os
import socket
import time

log = logging.getLogger(__name__)


def notify(message: str, address: str | None = None) -> bool:
    address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
        return True
    except OSError as exc:
        log.warning("cannot notify systemd (%s)", exc)
        return False


class Watchdog:
    """Pets systemd's watchdog at half its period, but only when told that audio is flowing."""

    def __init__(self, clock=time.monotonic, environ=os.environ):
        usec = int(environ.get("WATCHDOG_USEC", "0") or 0)
        self.interval = usec / 2e6 if usec > 0 else None
        self.clock = clock
        self.sent = 0
        self._last = float("-inf")

    @property
    def enabled(self) -> bool:
        return self.interval is not None

    def ready(self, status: str) -> None:
        notify(f"READY=1\nSTATUS={status}")

    def status(self, text: str) -> None:
        notify(f"STATUS={text}")

    def tick(self, audio_flowing: bool) -> None:
        now = self.clock()
        if self.enabled and audio_flowing and now - self._last >= self.interval:
            if notify("WATCHDOG=1"):
                self.sent += 1
            self._last = now

    def stopping(self) -> None:
        notify("STOPPING=1")
