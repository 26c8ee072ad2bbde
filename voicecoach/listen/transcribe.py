"""Transcribing a request: open vocabulary, with the closed grammar of our phrases decoded alongside.

Both decode while the person speaks, so both results are ready when they stop. The open decode hears
sentences we never wrote down; the grammar is surer of the ones we did. The understanding stage
chooses between them (a crisis statement in either counts).
"""
from __future__ import annotations


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
        self.heard = (self.open.end(), self.closed.end())
        return self.heard[0]

    def cancel(self) -> None:
        self.open.cancel()
        self.closed.cancel()

    def transcribe(self, blocks: list) -> str:
        """The open transcript of audio already heard (a second opinion on a spotted phrase)."""
        self.open.begin()
        for block in blocks:
            self.open.feed(block.tobytes())
        return self.open.end()
