"""Transcribing a request: open vocabulary, with the closed grammar of our phrases decoded alongside.

Both decode while the person speaks, so both results are ready when they stop. The open decode hears
sentences we never wrote down, and offers its next likeliest readings too; the grammar is surer of the
sentences we did write, but must choose one of them whatever was said, so it is heard only when the open
decode's readings share its words. The understanding stage chooses among them.
"""
from __future__ import annotations

RUNNERS_UP = 2  # other readings of the open decode kept: on our tuning voices, 70 % right with two, 67 % with none
AGREEMENT = 0.5  # the grammar's transcript counts when this share of its words is among the open decode's readings


class Transcriber:
    """Looks like one recognizer to the spotter; `end()` gives the open transcript and keeps both."""

    def __init__(self, engine, sentences: list[str], phrases: list[str]):
        self.open = engine.open_recognizer(sentences)
        self.closed = engine.recognizer(phrases)
        self.phrases = self.closed.phrases
        self.heard: tuple[str, ...] = ()  # the open transcript and the grammar's
        self.runners_up: list[str] = []  # the open decode's other readings

    def begin(self) -> None:
        self.open.begin()
        self.closed.begin()

    def feed(self, pcm: bytes) -> None:
        self.open.feed(pcm)
        self.closed.feed(pcm)

    def grammar_agrees(self) -> bool:
        """Does the grammar's transcript share enough words with the open decode's readings to be heard?
        The grammar must choose one of our sentences whatever was said ("i wish i was dead" for "how would
        i talk to a friend about this"); the open decode is not so bound."""
        words = self.heard[1].split()
        readings = {w for reading in (self.heard[0], *self.runners_up) for w in reading.split()}
        return bool(words) and sum(w in readings for w in words) / len(words) >= AGREEMENT

    def partial(self) -> str:
        return self.open.partial()

    def end(self) -> str:
        """The open transcript; `heard` keeps it and the grammar's, `runners_up` the open decode's others."""
        self.heard = (self.open.end(), self.closed.end())
        self.runners_up = self.open.runners_up(RUNNERS_UP)
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
