"""Transcribing a request: open vocabulary, with the closed grammar of our phrases decoded alongside.

Both decode while the person speaks, so both results are ready when they stop. The open decode hears
sentences we never wrote down; the grammar is surer of the ones we did. The understanding stage
chooses among them (a crisis statement in any counts).
"""
from __future__ import annotations

RUNNERS_UP = 2  # other readings of the open decode kept: on our tuning voices, 70 % right with two, 67 % with none


class Transcriber:
    """Looks like one recognizer to the spotter; `end()` gives the open transcript and keeps both."""

    def __init__(self, engine, sentences: list[str], phrases: list[str]):
        self.open = engine.open_recognizer(sentences)
        self.closed = engine.recognizer(phrases)
        self.phrases = self.closed.phrases
        self.heard: tuple[str, ...] = ()

    def begin(self) -> None:
        self.open.begin()
        self.closed.begin()

    def feed(self, pcm: bytes) -> None:
        self.open.feed(pcm)
        self.closed.feed(pcm)

    def partial(self) -> str:
        return self.open.partial()

    def end(self) -> str:
        """The open transcript; `heard` keeps it, the grammar's, then the open decode's runners-up."""
        first = self.open.end()
        self.heard = (first, self.closed.end(), *self.open.runners_up(RUNNERS_UP))
        return first

    def cancel(self) -> None:
        self.open.cancel()
        self.closed.cancel()

    def transcribe(self, blocks: list) -> str:
        """The open transcript of audio already heard (a second opinion on a spotted phrase)."""
        self.open.begin()
        for block in blocks:
            self.open.feed(block.tobytes())
        return self.open.end()
