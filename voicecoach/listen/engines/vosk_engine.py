"""Vosk: the engine of record. One model, loaded once; cheap recognizers per grammar.

Grammars are passed as raw UTF-8 JSON (escaped words are silently dropped by
Vosk). Recognizers are re-created every so many utterances, since long-lived
ones have been seen to grow in memory.
"""
from __future__ import annotations

import json
from pathlib import Path

from ...device.libraries import explain
from .base import EngineError

RENEW_EVERY = 200


class VoskEngine:
    name = "vosk"

    def __init__(self, model_dir: Path, filler: tuple[str, ...] | None = None):
        try:
            import vosk
        except (ImportError, OSError) as exc:  # on a minimal image: libatomic1 missing
            raise EngineError(f"Vosk cannot load: {explain(exc)}") from exc
        try:
            vosk.SetLogLevel(-1)
            if not (Path(model_dir) / "am").is_dir():
                raise EngineError(f"no Vosk model at {model_dir}")
            self.model = vosk.Model(str(model_dir))
        except EngineError:
            raise
        except Exception as exc:  # vosk raises a bare Exception for a model it cannot read
            raise EngineError(f"Vosk model {model_dir} cannot be loaded ({exc})") from exc
        self.model_dir = Path(model_dir)
        self.filler = tuple(filler) if filler is not None else self._default_filler()

    def _default_filler(self) -> tuple[str, ...]:
        words = self.model_dir / "graph" / "words.txt"
        has_unk = words.is_file() and "[unk]" in words.read_text("utf-8", errors="ignore").split()
        return ("[unk]",) if has_unk or not words.is_file() else ()

    def recognizer(self, phrases: list[str]) -> "VoskRecognizer":
        return VoskRecognizer(self.model, list(dict.fromkeys(phrases)), self.filler)

    def open_recognizer(self, sentences: list[str]) -> "VoskRecognizer":
        """Open vocabulary: the model's own language model, no grammar (the small English model is made for it)."""
        return VoskRecognizer(self.model, [], ())


class VoskRecognizer:
    def __init__(self, model, phrases: list[str], filler: tuple[str, ...]):
        self.model = model
        self.phrases = phrases
        self.grammar = json.dumps(phrases + list(filler), ensure_ascii=False) if phrases else None
        self.utterances = 0
        self._rec = None

    def _fresh(self):
        import vosk

        rec = (vosk.KaldiRecognizer(self.model, 16000, self.grammar) if self.grammar
               else vosk.KaldiRecognizer(self.model, 16000))
        rec.SetWords(False)
        return rec

    def begin(self) -> None:
        if self._rec is None or self.utterances % RENEW_EVERY == 0:
            self._rec = self._fresh()
        else:
            self._rec.Reset()
        self.utterances += 1
        self._pieces: list[str] = []

    def feed(self, pcm: bytes) -> None:
        if self._rec.AcceptWaveform(pcm):
            self._pieces.append(json.loads(self._rec.Result()).get("text", ""))

    def partial(self) -> str:
        return json.loads(self._rec.PartialResult()).get("partial", "")

    def cancel(self) -> None:
        self._rec.Reset()

    def runners_up(self, n: int) -> list[str]:
        return []  # one reading only (Vosk gives alternatives only in another result format)

    def end(self) -> str:
        text = " ".join([*self._pieces, json.loads(self._rec.FinalResult()).get("text", "")])
        return " ".join(w for w in text.split() if not w.startswith("["))  # [unk], [noise] and the like
