"""Lines of text to audio at the speaker's rate: from the cache when rendered before, else from Piper."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Iterator

import numpy as np

from ..audio.resample import PieceResampler, fade, resample, trim_silence
from .cache import PhraseCache, as_stored, phrase_key
from .tts import Voice

SENTENCE_GAP_S = 0.25
MEMO_SIZE = 24  # recent lines at the output rate; older ones are a file read away


class Renderer:
    """Renders a line once per voice and pace, keeps it on disk, and streams new lines by sentence."""

    def __init__(self, voice: Voice, cache: PhraseCache, out_rate: int):
        self.voice = voice
        self.cache = cache
        self.out_rate = out_rate
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, text: str, length_scale: float) -> str:
        return phrase_key(self.voice.voice_id, length_scale, text)

    def stream(self, text: str, length_scale: float, cancelled=None) -> Iterator[np.ndarray]:
        """Audio of the line at the output rate: whole if cached, else one piece per sentence, the same
        samples either way. A line cut short by `cancelled()` is not cached."""
        key = self.key(text, length_scale)
        ready = self._recall(key)
        if ready is not None:
            yield ready
            return
        pieces = []
        resampler = PieceResampler(self.voice.sample_rate, self.out_rate)
        for sentence in self._synthesize(text, length_scale, cancelled):
            pieces.append(sentence)
            yield resampler.piece(sentence)
        if cancelled and cancelled():
            return
        tail = resampler.piece(np.zeros(0, np.float32), last=True)
        if len(tail):
            yield tail
        whole = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
        self.cache.put(key, whole, self.voice.sample_rate)

    def line(self, text: str, length_scale: float) -> np.ndarray:
        return np.concatenate(list(self.stream(text, length_scale)))

    def prepare(self, text: str, length_scale: float) -> bool:
        """Render into the cache if absent; True when it had to be rendered."""
        key = self.key(text, length_scale)
        if self.cache.get(key) is not None:
            return False
        for _ in self.stream(text, length_scale):
            pass
        return True

    def _recall(self, key: str) -> np.ndarray | None:
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        found = self.cache.get(key)
        if found is None:
            return None
        samples = resample(found[0], found[1], self.out_rate)
        with self._lock:
            self._memo[key] = samples
            while len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return samples

    def _synthesize(self, text: str, length_scale: float, cancelled=None) -> Iterator[np.ndarray]:
        rate = self.voice.sample_rate
        gap = np.zeros(int(SENTENCE_GAP_S * rate), np.float32)
        for i, audio in enumerate(self.voice.sentences(text, length_scale, cancelled)):
            audio = as_stored(fade(trim_silence(audio, rate), rate))
            yield audio if i == 0 else np.concatenate([gap, audio])
