"""The listening front end: what the microphone hears is cleaned before anything listens to it.

Noise suppression and automatic gain from a maintained library built for it. Three were measured
(docs/PERFORMANCE.md, "The front end, chosen by measurement"): WebRTC's cleaning (`pywebrtc-audio`) raised
PocketSphinx's accuracy a lot in a fan and lowered it under talk and in a quiet room; Speex's lowered it
everywhere. So the default, "webrtc-auto", cleans only while the room holds steady noise with little talk,
and otherwise leaves the sound as it is ("webrtc-vad" always does). Both take the voice-activity estimate
of WebRTC's AGC2, which the endpointer uses; the same library brings echo cancellation for talking over
the device. "webrtc" always cleans and levels.
Every kind works on 20 ms int16 blocks at 16 kHz and returns blocks of the same size.
"""
from __future__ import annotations

from collections import deque

import numpy as np

from .endpoint import block_level

KINDS = ("webrtc-auto", "webrtc-vad", "webrtc", "webrtc-ns-gain", "speex", "none")
TEN_MS = 160
ROOM_BLOCKS = 1000  # the last 20 s of the room decide whether to clean
CHOOSE_EVERY = 25   # blocks between two decisions (0.5 s)
NOISY_DB = -45.0    # a floor (the 10th percentile of block levels) above this is a noise to clean, not hiss
STEADY_DB = 3.0     # ...and steady (a fan) when the 30th percentile is within this of it; talk has gaps
TALK_SHARE = 0.15   # talk in more of the background than this: a TV over the fan ...
MODULATED_DB = 1.4  # ... if the background's median stands this far over its floor too (a steady noise's own
#                     20 ms levels: 1.0-1.2 dB; a TV as loud as the fan: 1.5-1.6)
BACKGROUND_DB = 6.0  # blocks this close to the floor are the room's own sound, not a person's voice
WARM_BLOCKS = 150   # the cleaning runs this long (3 s) before it is used: it has learnt the noise and the level
PAUSE_BLOCKS = 25   # the choice changes only after this long (0.5 s) with no speech: never inside a word


class FrontEnd:
    """A front end that passes sound through; `speech` is always 1.0 (the energy gate decides)."""

    kind = "none"
    speech = 1.0  # the probability that the last block held speech

    def process(self, block: np.ndarray) -> np.ndarray:
        return block


class WebRtcFrontEnd(FrontEnd):
    """WebRTC APM (pywebrtc-audio): high-pass filter and noise suppression, then adaptive gain (AGC2).

    The gain stage runs on its own so that `speech` comes from AGC2's recurrent-network voice detector,
    which ignores a fan; the noise suppressor's own estimate calls silence and steady noise speech."""

    kind = "webrtc"

    def __init__(self, ns_level: int = 2):
        from pywebrtc_audio import AudioProcessor, GainController

        self._clean = AudioProcessor(sample_rate=16000, noise_suppression=True, high_pass_filter=True,
                                     ns_level=ns_level)
        self._gain = GainController(sample_rate=16000, max_gain_db=30.0)

    def process(self, block: np.ndarray) -> np.ndarray:
        out = self._gain.process(self._clean.process(np.ascontiguousarray(block, dtype=np.int16)))
        self.speech = float(self._gain.speech_probability)
        return out


class WebRtcVoiceFrontEnd(FrontEnd):
    """Only AGC2's voice detector: the sound goes on as it came. Measured best for PocketSphinx, whose
    accuracy the cleaning did not raise (docs/PERFORMANCE.md); the detector still keeps a fan from
    holding an utterance open."""

    kind = "webrtc-vad"

    def __init__(self):
        from pywebrtc_audio import GainController

        self._gain = GainController(sample_rate=16000)

    def process(self, block: np.ndarray) -> np.ndarray:
        block = np.ascontiguousarray(block, dtype=np.int16)
        self._gain.process(block.copy())
        self.speech = float(self._gain.speech_probability)
        return block


class SteadyNoiseFrontEnd(FrontEnd):
    """The sound as it came (with AGC2's voice detector) in a quiet room or under talk; cleaned and levelled
    (`WebRtcFrontEnd`) while the room holds steady noise and little talk (cleaning was measured to cost
    with a TV over a fan). The choice looks at the last 20 s: a fan is loud and its loudness barely moves,
    talk falls quiet between words, and the voice detector hears talk in the background itself (the blocks
    near the floor), where the level moves as talk's does (`_talk_behind`); a person's own request stands
    above the floor and is too short to move it. The cleaning runs whenever the floor is loud, and is chosen
    only once it has run a few seconds (it has learnt the noise and the level) and never under a word; a
    microphone's own hiss and a quiet room are left alone and cost nothing."""

    kind = "webrtc-auto"

    def __init__(self):
        self._as_is, self._clean = WebRtcVoiceFrontEnd(), WebRtcFrontEnd()
        self._levels: deque = deque(maxlen=ROOM_BLOCKS)
        self._speech: deque = deque(maxlen=ROOM_BLOCKS)  # AGC2's voice detector said speech
        self._blocks = 0
        self._warm = 0  # blocks the cleaning has run since the floor became loud
        self.noisy = self.cleaning = False

    def process(self, block: np.ndarray) -> np.ndarray:
        as_is = self._as_is.process(block)
        self._levels.append(block_level(block))
        self._speech.append(self._as_is.speech >= 0.5)
        self._blocks += 1
        if self._blocks % CHOOSE_EVERY == 0:
            self._choose()
        self._warm = self._warm + 1 if self.noisy else 0
        cleaned = self._clean.process(block) if self.noisy else as_is
        self.speech = (self._clean if self.cleaning else self._as_is).speech
        return cleaned if self.cleaning else as_is

    def _choose(self) -> None:
        if len(self._levels) < ROOM_BLOCKS // 2:
            return
        levels, speech = np.array(self._levels), np.array(self._speech)
        floor, above = np.percentile(levels, [10, 30])
        self.noisy = bool(floor > NOISY_DB)
        if self.noisy and speech[-PAUSE_BLOCKS:].any():
            return  # someone may be speaking: the sound does not change under a word
        steady = above - floor < STEADY_DB and not _talk_behind(levels, speech, floor)
        self.cleaning = self.noisy and self._warm >= WARM_BLOCKS and bool(steady)


def _talk_behind(levels: np.ndarray, speech: np.ndarray, floor: float) -> bool:
    """Is there talk in the room's background (the blocks near its floor: a person's own words stand above
    it)? AGC2's voice detector hears some in a loud fan too (a quarter of the blocks of one at -25 dBFS), so
    the background's level must also move as talk's does, not as a steady noise's."""
    background = levels < floor + BACKGROUND_DB
    if not background.any():
        return False
    return speech[background].mean() > TALK_SHARE and np.median(levels[background]) - floor > MODULATED_DB


class _TenMsFrontEnd(FrontEnd):
    """Libraries that take 10 ms of bytes at a time."""

    def process(self, block: np.ndarray) -> np.ndarray:
        pcm = np.ascontiguousarray(block, dtype=np.int16)
        halves = [self._ten_ms(pcm[i:i + TEN_MS].tobytes()) for i in range(0, len(pcm), TEN_MS)]
        return np.frombuffer(b"".join(halves), dtype=np.int16)


class WebRtcNoiseGainFrontEnd(_TenMsFrontEnd):
    """webrtc-noise-gain (Home Assistant): the older WebRTC noise suppression and gain."""

    kind = "webrtc-ns-gain"

    def __init__(self):
        from webrtc_noise_gain import AudioProcessor

        self._apm = AudioProcessor(8, 2)  # gain in dBFS, suppression level 0-4

    def _ten_ms(self, pcm: bytes) -> bytes:
        result = self._apm.Process10ms(pcm)
        return result.audio


class SpeexFrontEnd(_TenMsFrontEnd):
    """pyspeex-noise (Rhasspy): Speex's preprocessor, noise suppression and gain."""

    kind = "speex"

    def __init__(self):
        from pyspeex_noise import AudioProcessor

        self._apm = AudioProcessor(4000, -30)

    def _ten_ms(self, pcm: bytes) -> bytes:
        return self._apm.process_10ms(pcm)


def front_end(kind: str) -> FrontEnd:
    """The front end of this kind; the compared libraries other than WebRTC's come with `.[measure]`."""
    makers = {"webrtc-auto": SteadyNoiseFrontEnd, "webrtc-vad": WebRtcVoiceFrontEnd, "webrtc": WebRtcFrontEnd,
              "webrtc-ns-gain": WebRtcNoiseGainFrontEnd, "speex": SpeexFrontEnd, "none": FrontEnd}
    if kind not in makers:
        raise ValueError(f"unknown front end '{kind}'; choose one of {', '.join(KINDS)}")
    try:
        return makers[kind]()
    except ImportError as exc:
        raise ValueError(f"front end '{kind}' needs {exc.name}: pip install -e '.[measure]'") from None
