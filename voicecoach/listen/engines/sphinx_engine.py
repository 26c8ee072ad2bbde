"""PocketSphinx: the embedded English engine, with the model its wheel ships.

Each recognizer is a JSGF grammar of its phrases plus a filler loop of common
short words, searched with tight beams so a decode takes tens of milliseconds.
"""
from __future__ import annotations

import itertools
import logging
import re
import tempfile
from pathlib import Path

from .base import EngineError

log = logging.getLogger(__name__)
FILLER = ("the", "a", "to", "and", "of", "in", "it", "is", "you", "that", "he", "was")
_names = itertools.count()
# Open transcription searches with PocketSphinx's own beams, wider than the grammars' tight ones: on our
# tuning voices the first reading of a request was right 68 % of the time with them, 61 % without; it
# costs time only while a request is spoken (docs/PERFORMANCE.md).
OPEN_BEAMS = {"beam": 1e-48, "wbeam": 7e-29}
RUNNERS_UP_SEARCHED = 10  # n-best entries looked through for other readings (many repeat the first)


class SphinxEngine:
    name = "pocketsphinx"

    def __init__(self, filler: tuple[str, ...] = FILLER):
        self.decoder = _decoder()
        self.turn = Turn()
        self.filler = tuple(w for w in filler if self.known(w))

    def known(self, word: str) -> bool:
        return self.decoder.lookup_word(word) is not None

    def recognizer(self, phrases: list[str]) -> "SphinxRecognizer":
        usable = [p for p in dict.fromkeys(phrases) if all(self.known(w) for w in p.split())]
        for dropped in set(phrases) - set(usable):
            log.info("pocketsphinx: '%s' has words outside its dictionary; left out of the grammar", dropped)
        if not usable:
            raise EngineError("no phrase of the grammar is in the PocketSphinx dictionary")
        name = f"g{next(_names)}"
        self.decoder.add_jsgf_string(name, _grammar(usable, self.filler))
        return SphinxRecognizer(self.decoder, name, usable, self.turn)

    def open_recognizer(self, sentences: list[str]) -> "SphinxRecognizer":
        """Open vocabulary: a language model of our sentences mixed with general English."""
        from pocketsphinx import NGramModel

        from ..language_model import build_arpa

        decoder = _decoder(**OPEN_BEAMS)  # its own: the grammar's decoder is busy with the same audio
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "requests.arpa"
            path.write_text(build_arpa(sentences, self.known), encoding="utf-8")
            model = NGramModel(decoder.config, decoder.logmath, str(path))
        name = f"lm{next(_names)}"
        decoder.add_lm(name, model)
        return SphinxRecognizer(decoder, name, [], Turn())


def _decoder(beam: float = 1e-40, wbeam: float = 1e-20):
    try:
        from pocketsphinx import Decoder

        return Decoder(samprate=16000, loglevel="FATAL", lm=None, beam=beam, wbeam=wbeam)
    except Exception as exc:  # the C library reports failures as plain RuntimeError
        raise EngineError(f"PocketSphinx cannot start ({exc})") from exc


def _grammar(phrases: list[str], filler: tuple[str, ...]) -> str:
    alternatives = " | ".join(re.sub(r"[^a-z' ]", "", p) for p in phrases)
    rules = ["#JSGF V1.0;", "grammar voicecoach;", "public <utterance> = <phrase> | <filler>;",
             f"<phrase> = {alternatives};"]
    rules.append(f"<filler> = ({' | '.join(filler)})+;" if filler else "<filler> = <VOID>;")
    return "\n".join(rules) + "\n"


class Turn:
    """Which recognizer has its decoder's utterance open. A decoder hears one utterance at a time and cannot
    change its search inside one, so a recognizer beginning ends another's first: a spotter built anew on
    the same engine (settings reloaded while someone speaks) must not find the decoder still held."""

    def __init__(self):
        self.holder: SphinxRecognizer | None = None


class SphinxRecognizer:
    def __init__(self, decoder, search: str, phrases: list[str], turn: Turn):
        self.decoder = decoder
        self.search = search
        self.phrases = phrases
        self.turn = turn
        self._open = False

    def begin(self) -> None:
        holder = self.turn.holder
        if holder is not None and holder is not self:
            holder.cancel()
        if self._open:
            self.decoder.end_utt()
        self.decoder.activate_search(self.search)
        self.decoder.start_utt()
        self._open = True
        self.turn.holder = self

    def feed(self, pcm: bytes) -> None:
        self.decoder.process_raw(pcm, False, False)

    def partial(self) -> str:
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp else ""

    def end(self) -> str:
        if not self._open:
            return ""
        self.decoder.end_utt()
        self._open = False
        return self.partial()

    def runners_up(self, n: int) -> list[str]:
        """Up to `n` other readings of the utterance just ended, likeliest first."""
        first, found = self.partial(), []
        for rank, hyp in enumerate(self.decoder.nbest()):
            if rank >= RUNNERS_UP_SEARCHED or len(found) >= n:
                break
            if hyp is not None and hyp.hypstr and hyp.hypstr != first and hyp.hypstr not in found:
                found.append(hyp.hypstr)
        return found

    def cancel(self) -> None:
        """End the utterance without asking for its words (their backtrace is the costly part)."""
        if self._open:
            self.decoder.end_utt()
            self._open = False
