"""Compare echo cancellers for talking over the device: controls said over a recorded practice line.

A line the device played (22 s of a WAV of its output, chosen so that it is speaking 19.6-20.4 s in) comes
back through a room (SpeakerEcho); one of our own voices says a control 19.6 s in, at -30 dBFS, with the
echo ECHO_DB above it; the cancelled sound goes to the guiding-mode spotter. Cancellers: aec3 (WebRTC,
what ships), speex (Speex's MDF through `pyaec`, linear only), cascade (speex, then aec3), none. The
numbers are in docs/PERFORMANCE.md.

    pip install pyaec       # Speex's canceller: only for this comparison
    voicecoach practice self_compassion_break --out played.wav   # any recording of the device's voice
    python tools/compare_echo_cancellers.py played.wav 0,6 aec3 [DRIFT_PPM]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voicecoach.audio.wav import read_wav  # noqa: E402
from voicecoach.config import load_config  # noqa: E402
from voicecoach.listen.echo import EchoCanceller  # noqa: E402
from voicecoach.measure import talk_over  # noqa: E402
from voicecoach.measure.room import SpeakerEcho, active_rms  # noqa: E402
from voicecoach.session import build_spotter  # noqa: E402
from voicecoach.understand.router import Router  # noqa: E402

VOICES = ("espeak:en-us", "piper:1.25", "espeak:en-gb+f3")
SAID_AT_S = 19.6


class Speex:
    def __init__(self):
        from pyaec import Aec

        self.aec = Aec(320, 4096, 16000, False)

    def cancel(self, mic, ref):
        far = (np.clip(ref, -1, 1) * 32767).astype(np.int16)
        return np.array(self.aec.cancel_echo(mic.tolist(), far.tolist()), np.int16)


class Cascade:
    def __init__(self):
        self.speex, self.aec3 = Speex(), EchoCanceller()

    def cancel(self, mic, ref):
        return self.aec3.cancel(self.speex.cancel(mic, ref), ref)


class Nothing:
    def cancel(self, mic, ref):
        return mic


CANCELLERS = {"aec3": EchoCanceller, "speex": Speex, "cascade": Cascade, "none": Nothing}


def heard(spotter, played, speech, echo_db, canceller, drift_ppm):
    gain = 10 ** ((talk_over.VOICE_DB + echo_db - 20 * np.log10(active_rms(played))) / 20)
    room, rng = SpeakerEcho(gain, drift_ppm=drift_ppm), np.random.default_rng(0)
    at = int(SAID_AT_S * 16000) // 320 * 320
    person = np.zeros(len(played), np.float32)
    person[at:at + len(speech)] = speech[:len(played) - at]
    spotter.set_mode("guiding")
    texts = []
    for i in range(0, len(played) - 319, 320):
        ref = played[i - 320:i] if i else np.zeros(320, np.float32)
        mic = person[i:i + 320] + rng.standard_normal(320).astype(np.float32) * 10 ** (-70 / 20) + room.feed(ref)
        texts += [h.text for h in spotter.feed(canceller.cancel((np.clip(mic, -1, 1) * 32767).astype(np.int16), ref))
                  if i >= at - 1600]
    return texts


def speaking_at_the_control(played: np.ndarray):
    """22 s of the recording in which the device speaks all through the 0.8 s from SAID_AT_S (None if none)."""
    tenths = [played[i:i + 1600] for i in range(0, len(played) - 1599, 1600)]
    voiced = [float(np.sqrt(np.mean(t ** 2))) > 0.01 for t in tenths]  # above -40 dBFS
    at = int(SAID_AT_S * 10)
    for start in range(0, len(tenths) - 220 + 1):
        if all(voiced[start + at:start + at + 8]):
            return played[start * 1600:start * 1600 + 22 * 16000]
    return None


def main(wav: str, echoes: str, kind: str, drift_ppm: float = 0.0) -> None:
    played = speaking_at_the_control(read_wav(wav, 16000)[0].astype(np.float32))
    if played is None:
        sys.exit(f"{wav}: nowhere does the device speak for 0.8 s on end, {SAID_AT_S} s into 22 s of it")
    router, speakers = Router(), talk_over.Speakers()
    spotter = build_spotter(load_config(None), router)
    for echo_db in (float(e) for e in echoes.split(",")):
        right = 0
        for who in VOICES:
            for control, text in talk_over.SAID.items():
                speech = talk_over._at_level(speakers.say(who, text), talk_over.VOICE_DB)
                texts = heard(spotter, played, speech, echo_db, CANCELLERS[kind](), drift_ppm)
                right += any(router.route(t).name == control for t in texts)
        print(f"{kind} drift {drift_ppm:g} ppm, echo {echo_db:+g} dB: {right}/{len(VOICES) * len(talk_over.SAID)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], *(float(a) for a in sys.argv[4:5]))
