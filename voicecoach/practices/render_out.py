"""Playing a player to the end: into a file (exactly what the speaker would play) or a real device."""
from __future__ import annotations

import threading

import numpy as np

from ..audio.playback import OutputStream, Speaker, choose_rate

BLOCK = 1024


def render_to_array(player, on_event=None) -> np.ndarray:
    """Everything the speaker would play for this player, pauses included, at its delivery's volume."""
    speaker = Speaker(player.rate, player.delivery.volume)
    speaker.play(player)
    blocks = []
    while not player.finished:
        block, events = speaker.read(BLOCK, wait=True)
        blocks.append(block)
        for _, name, data in events if on_event else ():
            on_event(name, data)
    player.close()
    return np.concatenate(blocks) if blocks else np.zeros(0, np.float32)


def play_on_device(make_player, device=None, on_event=None) -> None:
    """Open a real output stream, play to the end, close it."""
    import sounddevice as sd

    rate = choose_rate(device, sd.query_devices)
    player = make_player(rate)
    done = threading.Event()

    def events(batch):
        for _, name, data in batch:
            if on_event:
                on_event(name, data)
            if name in ("finished", "stopped"):
                done.set()

    speaker = Speaker(rate, player.delivery.volume)
    stream = OutputStream(speaker, device=device or None, on_events=events)
    speaker.play(player)
    stream.start()
    try:
        done.wait()
    finally:
        stream.close()
        player.close()
