"""Finding phrases in continuous sound: no silence is needed before or after them.

A first pass runs all the time: PocketSphinx's keyphrase search, which weighs each phrase against a free
loop of phones (a likelihood-ratio test) frame by frame, so "hey coach" is found with a TV talking on.
It is tuned to miss little and so fires on other talk too; every hit then gets a second check: the audio
around it, decoded again with a grammar in which the phrases compete with a loop of common words (tight
beams: about 0.13 s of processor time per second of audio), must come out as the phrase.

Detection is PocketSphinx's whatever engine transcribes requests, so it behaves the same when Vosk is the
engine (it then has a decoder of its own; with PocketSphinx it shares the open transcriber's). Thresholds were chosen on our own voices in the room evaluation (voicecoach eval room).
"""
from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .engines import EngineError
from .engines.sphinx_engine import FILLER

FRAMES_PER_S = 100
# The first pass's bar per phrase (tools/tune_detection.py); other phrases get one by their length in words.
THRESHOLDS = {"hey coach": 1e-35, "i need a break": 1e-35}
BY_WORDS = {1: 1e-25, 2: 1e-35, 3: 1e-40, 4: 1e-45, 5: 1e-50, 6: 1e-55, 7: 1e-60}
RESTART_S = 30.0  # the search is restarted now and then so its frame counter stays small
_names = itertools.count()


@dataclass(frozen=True)
class Hit:
    phrase: str
    start: float  # seconds on the detector's clock
    end: float
    score: float = 0.0  # the wake network's own score, for its hits


def threshold(phrase: str) -> float:
    return THRESHOLDS.get(phrase) or BY_WORDS[min(7, max(1, len(phrase.split())))]


class PhraseDetector:
    """Feed 20 ms int16 blocks; get the phrases whose first pass fired, with their times.

    It may share a PocketSphinx decoder with another user (the open transcriber: one acoustic model in
    memory, not two): `pause()` ends its search so the other can decode, and the next `feed` resumes it.
    """

    def __init__(self, phrases: list[str], thresholds: dict[str, float] | None = None, decoder=None):
        self.decoder = decoder or _own_decoder()
        self.phrases = [p for p in dict.fromkeys(phrases) if all(self.decoder.lookup_word(w) for w in p.split())]
        if not self.phrases:
            raise EngineError("no phrase to detect is in the PocketSphinx dictionary")
        number = next(_names)
        self.search, self.check_search = f"detect{number}", f"check{number}"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "phrases.kws"
            bars = {p: (thresholds or {}).get(p) or threshold(p) for p in self.phrases}
            path.write_text("".join(f"{p} /{bar:.0e}/\n" for p, bar in bars.items()), encoding="utf-8")
            self.decoder.add_kws(self.search, str(path))
        filler = [w for w in FILLER if self.decoder.lookup_word(w)]
        self.decoder.add_jsgf_string(self.check_search, _check_grammar(self.phrases, filler))
        self.samples = 0        # samples heard in all
        self._utt_start = 0     # where the current search began (samples)
        self.listening = False

    def feed(self, block: np.ndarray) -> list[Hit]:
        if not self.listening:
            self._resume()
        self.decoder.process_raw(np.ascontiguousarray(block, dtype=np.int16).tobytes(), False, False)
        self.samples += len(block)
        hyp = self.decoder.hyp()
        if hyp is not None and hyp.hypstr.strip():
            hits = self._hits()
            self._resume()
            return hits
        if self.samples - self._utt_start > RESTART_S * 16000:
            self._resume()
        return []

    def skip(self, block: np.ndarray) -> None:
        """Time passes unheard (the spotter is not idle): the search rests and the clock goes on."""
        self.pause()
        self.samples += len(block)

    def pause(self) -> None:
        if self.listening:
            self.decoder.end_utt()
            self.listening = False

    def check(self, blocks: list) -> str:
        """The second pass: what the phrases-among-common-words grammar hears in this audio, decoded as a
        stream from the decoder's running picture of the room (its cepstral mean). Decoding the window as
        one piece, with a mean of its own, was measured too: better in a fan, much worse under talk."""
        self.pause()
        self.decoder.activate_search(self.check_search)
        self.decoder.start_utt()
        for block in blocks:
            self.decoder.process_raw(np.ascontiguousarray(block, dtype=np.int16).tobytes(), False, False)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp else ""

    def _hits(self) -> list[Hit]:
        base = self._utt_start / 16000
        return [Hit(seg.word.strip(), base + seg.start_frame / FRAMES_PER_S, base + seg.end_frame / FRAMES_PER_S)
                for seg in self.decoder.seg() if seg.word.strip() in self.phrases]

    def _resume(self) -> None:
        self.pause()
        self.decoder.activate_search(self.search)
        self.decoder.start_utt()
        self._utt_start = self.samples
        self.listening = True


def _own_decoder():
    from pocketsphinx import Decoder

    try:
        return Decoder(samprate=16000, loglevel="FATAL", lm=None, beam=1e-40, wbeam=1e-20)
    except Exception as exc:  # the C library reports failures as plain RuntimeError
        raise EngineError(f"PocketSphinx cannot start ({exc})") from exc


def _check_grammar(phrases: list[str], filler: list[str]) -> str:
    words = " | ".join(filler)
    return "\n".join(["#JSGF V1.0;", "grammar check;",
                      "public <utterance> = <phrase> | <filler>;",
                      f"<phrase> = {' | '.join(phrases)};", f"<filler> = ({words})+;"]) + "\n"
