"""The listening front end: what the microphone hears is cleaned before anything listens to it.

Noise suppression and automatic gain from a maintained library built for it. Three were measured
(docs/PERFORMANCE.md, "The listening front end"): none raised PocketSphinx's accuracy in a fan or under
talk (Speex's lowered it a lot), so the default, "webrtc-vad", leaves the sound as it is and takes only the
voice-activity estimate of WebRTC's AGC2 (`pywebrtc-audio`), which the endpointer uses; the same library
brings echo cancellation for talking over the device. "webrtc" also cleans and levels the sound.
Every kind works on 20 ms int16 blocks at 16 kHz and returns blocks of the same size.
"""
from __future__ import annotations

import numpy as np

KINDS = ("webrtc-vad", "webrtc", "webrtc-ns-gain", "speex", "none")
TEN_MS = 160


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
    makers = {"webrtc-vad": WebRtcVoiceFrontEnd, "webrtc": WebRtcFrontEnd, "webrtc-ns-gain": WebRtcNoiseGainFrontEnd, "speex": SpeexFrontEnd,
              "none": FrontEnd}
    if kind not in makers:
        raise ValueError(f"unknown front end '{kind}'; choose one of {', '.join(KINDS)}")
    try:
        return makers[kind]()
    except ImportError as exc:
        raise ValueError(f"front end '{kind}' needs {exc.name}: pip install -e '.[measure]'") from None
