"""The interface every engine meets, and the error an engine raises when it cannot be used."""
from __future__ import annotations

from typing import Protocol


class Recognizer(Protocol):
    phrases: list[str]

    def begin(self) -> None: ...

    def feed(self, pcm: bytes) -> None: ...

    def partial(self) -> str: ...

    def end(self) -> str: ...

    def runners_up(self, n: int) -> list[str]:
        """Up to `n` other readings of the utterance just ended, likeliest first (may be none)."""
        ...

    def cancel(self) -> None: ...


class Engine(Protocol):
    name: str

    def recognizer(self, phrases: list[str]) -> Recognizer: ...

    def open_recognizer(self, sentences: list[str]) -> Recognizer:
        """Open vocabulary, for requests; `sentences` are what people say to the device (an engine
        with a language model of its own may ignore them)."""
        ...


class EngineError(RuntimeError):
    """An engine or model that cannot be used."""
