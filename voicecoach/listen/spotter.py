"""The spotter: always listening, in one of three modes, each with its own closed grammar.

- idle:    wake phrases and direct requests ("I need a break"), no wake phrase needed
- guiding: control words only (stop, pause, ...), and crisis statements
- request: after a wake or while the button is held: open transcription, with the grammar of every
           request phrase decoded alongside (listen/transcribe.py)

Every block first goes through the front end (listen/frontend.py: its voice detector, and cleaning if chosen).

In idle, phrases are found two ways: in continuous sound by the first passes (the phrase detector,
listen/detect.py, and the wake network when chosen, listen/wakeword.py: a TV may talk on around them), and
between silences by the endpointer and the idle grammar. Either way, nothing is heard in idle until the
detector's second pass over the same audio agrees, and a direct phrase (not the wake phrase) must also mean
the same in an open transcript of that audio. Where PocketSphinx does not hear the wake phrase (a first pass
found it, or a short utterance between silences), the wake network is asked (listen/wakeword.py,
`WakeCheck`). A wake phrase PocketSphinx found must also stand out from the sound before it
(listen/foreground.py: said after a breath, not run on from other words). A crisis statement's transcript
goes along as a second opinion (the session answers only when it agrees), and with every phrase heard in idle,
how far it stood over the loudest sound of the seconds before it (a TV's line stands over nothing).

Blocks go through the endpointer; only voiced audio reaches the recognizer. In idle a voice must rise over
the room's typical level (a radio talking on) to begin an utterance, so a phrase said over talk is an
utterance of its own (listen/endpoint.py).
An utterance that decodes to filler, or to anything but a whole phrase of
the grammar (outside request mode), is dropped.
"""
from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass

import numpy as np

from ..understand.router import CONTROLS, Router, normalize
from .controlword import SAID_AS
from .detect import PhraseDetector
from .endpoint import BLOCK, RATE, EndpointSettings, Endpointer, block_level
from .foreground import STANDS_OUT_DB, TALK_BEFORE_S, over_sound_before, stands_out
from .frontend import FrontEnd
from .transcribe import Transcriber
from .wakeword import ALONE_BAR, CONFIRM_BAR, STREAM_BAR, VETO_BAR

log = logging.getLogger(__name__)
MODES = ("idle", "guiding", "request")
SECONDS_BASE = 0.7      # pre-roll and slack around a spoken phrase
SECONDS_PER_WORD = 0.4  # a slow, tired speaker
FIRST_LOOK_S = 0.8  # by then a phrase has begun; talk that starts otherwise is let go
CHECK_AFTER_S = 0.2  # a detected phrase is checked this long after it ends (its last sounds are in)
OVER_TALK_DB = 14.0  # in idle, a phrase begins this far over the room's typical level (a TV talking on;
#                      chosen on our voices in the twenty-ninth session: 10 let the TV's louder words begin utterances)
FOREGROUND_DB = 14.0  # a request's pauses: its voice this far below its loudest (a TV behind is quieter)
RECENT_S = 6.0       # the audio kept for second checks
SPEECH = 0.5  # the front end's speech probability that counts as speech for the detector
HELD_S = 0.6  # the detector hears this much before speech ...
HANGOVER_S = 0.6  # ... and this much after it
SAME_PHRASE_S = 0.5  # a phrase found this close to where one was heard (or over it) is that one, found twice
ALONE_AFTER_S = 1.0  # a wake said on its own follows a quiet while; a short stretch inside talk is not one
SAME_CONTROL_S = 1.0  # the controls' network hearing a control this soon after PocketSphinx did: the same one
NETWORK_WAITS_S = 0.5  # a control the network heard waits this long for PocketSphinx to end the utterance
LOOK_AHEAD_S = 0.14  # this far into the silence that ends an utterance in idle, its checks are made ahead
VETO_SLACK_S = 0.8  # a veto looks wider around the phrase's end: it takes the network's best score there


def check_seconds(phrase: str) -> float:
    """How far back from its end a detected phrase is decoded again: long enough for a slow speaker."""
    return 0.3 + SECONDS_PER_WORD * len(phrase.split())


def plausible_seconds(phrase: str) -> float:
    """The longest a person takes to say `phrase` on its own; longer audio is other talk."""
    return SECONDS_BASE + SECONDS_PER_WORD * len(phrase.split())


@dataclass(frozen=True)
class Heard:
    """A finished utterance: its text (empty when nothing usable), mode, and input times."""

    text: str
    mode: str
    start: float
    end: float
    wake: bool = False
    reason: str = "silence"
    over_speaker: bool = False  # it overlapped the speaker's own sound (half-duplex hears only stop then)
    alternatives: tuple[str, ...] = ()  # other transcripts of the same audio (grammar, or a second opinion)
    runners_up: tuple[str, ...] = ()  # the open decode's other readings of a request
    over_before_db: float = float("inf")  # in idle: how far it stood over the loudest sound before it began

    @property
    def transcripts(self) -> tuple[str, ...]:
        """Its text and the other transcripts of the same audio: what the router is given first."""
        return (self.text, *self.alternatives)


class Spotter:
    def __init__(self, engine, router: Router, wake_phrases: list[str], spot_silence: float = 0.3,
                 request_silence: float = 0.4, max_request: float = 6.0, request_wait: float = 5.0,
                 front: FrontEnd | None = None, continuous: bool = False, wake_word=None, wake_check=None,
                 control_word=None):
        self.engine = engine
        self.front = front or FrontEnd()
        self.wake_phrases = [normalize(p) for p in wake_phrases]
        phrases = {
            "idle": self.wake_phrases + router.phrases(direct=True),
            "guiding": router.phrases(control=True),
            "request": router.phrases(),
        }
        self.transcriber = Transcriber(engine, router.sentences() + self.wake_phrases, phrases.pop("request"))
        self.recognizers = {**{mode: engine.recognizer(p) for mode, p in phrases.items()},
                            "request": self.transcriber}
        self.second_opinion = set(router.rules["crisis_support"].direct)
        # a direct phrase is heard only if an open transcript of its audio means the same (a wake need not)
        self.meaning = {p: router.route(p).name for p in phrases["idle"] if p not in self.wake_phrases}
        self.route = router.route
        self._blocks: list = []  # the utterance so far, in idle (for a second opinion)
        self._ahead: dict = {}  # its second check and open transcript, made while its ending silence passed
        self._look_ahead_blocks = int(LOOK_AHEAD_S * RATE / BLOCK)
        # the wake phrase's own network (listen/wakeword.py), when it has one: the first pass for that phrase
        self.wake_word = wake_word if continuous else None
        self.wake_check = wake_check  # the network asked on demand where PocketSphinx does not hear the wake
        self.control_word = control_word  # the controls' network, while guiding (listen/controlword.py)
        self._control_heard_at = -10.0  # where a control it heard was last obeyed
        self._network_pending: tuple[str, float] | None = None  # a control it heard, waiting for PocketSphinx
        self._sphinx_control_at = -10.0  # where PocketSphinx's grammar last heard one, while guiding
        self.detector = PhraseDetector(phrases["idle"], decoder=self._shared_decoder()) if continuous else None
        self.first_passes = [p for p in (self.detector, self.wake_word) if p is not None]  # on one clock
        self.recent: deque = deque(maxlen=int(RECENT_S * RATE / BLOCK))  # cleaned audio, for second checks
        # the same stretch as the microphone gave it: what the wake network learnt from (tools/train_wake.py)
        self.as_came: deque = deque(maxlen=self.recent.maxlen)
        self.levels: deque = deque(maxlen=int((TALK_BEFORE_S + RECENT_S) * RATE / BLOCK))  # as they came
        self._held: deque = deque(maxlen=int(HELD_S * RATE / BLOCK))  # (cleaned, as came) not yet heard
        self._since_speech = 10 ** 6  # blocks since the front end last heard speech
        self._pending: list = []  # detected phrases, and where they end, waiting for their second check
        self._last_heard = (-10.0, -10.0)  # where the last phrase heard in idle began and ended
        self._utterance_end = -10.0  # where the endpointer's last utterance ended
        self.accepted = {mode: {normalize(p) for p in rec.phrases} for mode, rec in self.recognizers.items()}
        self.first_words = {mode: {p.split()[0] for p in self.accepted[mode]} for mode in MODES}
        self.longest = {mode: max(plausible_seconds(p) for p in self.accepted[mode]) for mode in MODES}
        # Spotting modes end an utterance only on silence (in idle, on sound no louder than the room's typical
        # level): continuous talk is one long utterance, of which the recognizer hears the first `longest` s.
        self.settings = {mode: EndpointSettings(end_silence=spot_silence, max_length=60.0,
                                                over_talk_db=OVER_TALK_DB if mode == "idle" else None)
                         for mode in ("idle", "guiding")}
        self.settings["request"] = EndpointSettings(end_silence=request_silence, max_length=max_request,
                                                    foreground_db=FOREGROUND_DB)
        self.request_wait_blocks = int(request_wait * RATE / BLOCK)
        self.mode = "idle"
        self.endpointer = Endpointer(self.settings["idle"])
        self.clock = 0  # samples heard
        self._start = 0.0
        self._waiting = 0
        self._too_long = False
        self.ignore = lambda text: False  # set by the session: words the speaker itself is saying
        self.speaker_busy = lambda: False  # set by the session: is the speaker audible right now
        self.person_heard = lambda: True  # set by the session: a voice besides the device's in the last second
        self.over_speaker = False  # the current utterance overlapped the speaker's own sound

    def _shared_decoder(self):
        """The open transcriber's PocketSphinx decoder, when it has one: the detector can share it."""
        return getattr(self.transcriber.open, "decoder", None) if self.engine.name == "pocketsphinx" else None

    @property
    def now(self) -> float:
        return self.clock / RATE

    def set_mode(self, mode: str) -> None:
        """Switch grammar; an utterance in progress is dropped."""
        if mode not in MODES:
            raise ValueError(f"unknown spotter mode {mode}")
        if self.endpointer.in_speech:
            self.recognizers[self.mode].cancel()
        previous = self.endpointer
        self.mode = mode
        self.endpointer = Endpointer(self.settings[mode])
        self.endpointer.carry_noise(previous)
        self._waiting = 0

    def feed(self, block: np.ndarray) -> list[Heard]:
        """One 20 ms int16 block in; finished utterances out."""
        as_came, block = block, self.front.process(block)
        self.as_came.append(as_came)
        self.clock += len(block)
        self.recent.append(block)
        self.levels.append(block_level(as_came))
        if self.endpointer.in_speech and not self.over_speaker:
            self.over_speaker = self.speaker_busy()
        heard: list[Heard] = self._detect((block, as_came)) if self.detector is not None else []
        if self.control_word is not None:
            self._controls(block)
        for kind, data in self.endpointer.push(block, self.front.speech):
            if kind == "start":
                self._begin(data)
            elif kind == "audio":
                self._feed(data)
            elif kind == "end":
                heard.extend(self._finish(data))
        if self.mode == "idle":
            self._look_ahead()
        if self._network_pending is not None:
            heard.extend(self._network_control_due())
        if self.mode == "request" and not self.endpointer.in_speech:
            heard.extend(self._check_wait())
        return heard

    def end_request(self) -> list[Heard]:
        """Push-to-talk released: finish now, whatever was said."""
        if self.mode != "request":
            return []
        if not self.endpointer.in_speech:
            return [Heard("", "request", self.now, self.now, reason="released")]
        self.endpointer.reset()
        return self._finish("released")

    def _feed(self, block: np.ndarray) -> None:
        """Feed the recognizer, unless the utterance is already too long to be a phrase (saves CPU)."""
        if self._too_long:
            return
        if self.mode != "request" and not self._still_possible():
            self._too_long = True
            return
        if self.mode == "idle":
            self._blocks.append(block)
        self.recognizers[self.mode].feed(block.tobytes())

    def _still_possible(self) -> bool:
        """Could this utterance still be one of the mode's phrases? Checked cheaply, a few times a second."""
        length = self.now - self._start
        if length > self.longest[self.mode]:
            return False
        if length < FIRST_LOOK_S or self.clock % (BLOCK * 20) != 0:
            return True
        words = normalize(self.recognizers[self.mode].partial()).split()
        return not words or words[0] in self.first_words[self.mode]

    def _begin(self, blocks: list) -> None:
        self._start = self.now - len(blocks) * BLOCK / RATE
        self._too_long = False
        self.over_speaker = self.speaker_busy()
        rec = self.recognizers[self.mode]
        rec.begin()
        self._blocks = list(blocks) if self.mode == "idle" else []
        for b in blocks:
            rec.feed(b.tobytes())

    def _finish(self, reason: str) -> list[Heard]:
        self._waiting = 0
        end = self.now - self.endpointer.s.end_silence
        quiet_before, spoken, self._utterance_end = self._start - self._utterance_end, end - self._start, end
        if self._too_long:
            self.recognizers[self.mode].cancel()
            return self._wake_alone(spoken, quiet_before, end, reason)
        text = normalize(self.recognizers[self.mode].end())
        if self.mode == "request":
            grammar = (normalize(self.transcriber.heard[1]),) if self.transcriber.grammar_agrees() else ()
            return [Heard(text, "request", self._start, self.now, reason=reason, over_speaker=self.over_speaker,
                          alternatives=grammar, runners_up=tuple(normalize(t) for t in self.transcriber.runners_up))]
        if text not in self.accepted[self.mode] or self.ignore(text) or spoken > plausible_seconds(text):
            log.debug("spotter: dropped %r in %s (%.2f s)", text, self.mode, spoken)
            return self._wake_alone(spoken, quiet_before, end, reason)
        if self.mode == "idle":
            return self._checked(text, self._start, end, self._blocks, reason)
        if self.mode == "guiding" and self.route(text).name in CONTROLS:
            if self._start <= self._control_heard_at:
                log.debug("spotter: %r was heard already, by the controls' network", text)
                return []
            if self._network_pending is not None:
                log.debug("spotter: %r heard by PocketSphinx, not the network's %r", text, self._network_pending[0])
                self._network_pending = None
            self._sphinx_control_at = self.now
        return [Heard(text, self.mode, self._start, self.now, reason=reason, over_speaker=self.over_speaker)]

    def _controls(self, block: np.ndarray) -> None:
        """While guiding, the controls' network hears them over the device's voice. One control said is obeyed
        once: what PocketSphinx's grammar hears in it if it ends the utterance soon enough (where no echo
        hides the word, it is the surer of the two), else the network's (a crisis statement is always
        heard). The network's is believed only where echo cancellation left a voice besides the device's
        (`person_heard`): on the device's voice alone it has fired where the canceller left nothing of note."""
        if self.mode != "guiding":
            self.control_word.rest()
            self._network_pending = None
            return
        for control in self.control_word.feed(block):
            text = SAID_AS.get(control, control)
            if not self.person_heard():
                log.debug("the controls' network heard %r where echo cancellation left no voice", text)
            elif not self.ignore(text) and self.now - self._sphinx_control_at >= SAME_CONTROL_S:
                self._network_pending = (text, self.now)

    def _network_control_due(self) -> list[Heard]:
        text, at = self._network_pending
        if self.now - at < NETWORK_WAITS_S:
            return []
        self._network_pending, self._control_heard_at = None, self.now
        return [Heard(text, "guiding", at - plausible_seconds(text), self.now, reason="detected",
                      over_speaker=self.speaker_busy())]

    def _detect(self, sound: tuple) -> list[Heard]:
        """Continuous detection in idle: first passes now, second checks once the phrase's audio is all in.
        `sound`: the block cleaned by the front end, and as it came."""
        if self.mode != "idle":
            self._pending.clear()
            for unheard in (*self._held, sound):
                self._skip(unheard)
            self._held.clear()
            return []
        for hit in self._first_passes(sound):
            self._pending.append((hit.phrase, hit.end - self._detector_lag(), hit.score))
        if self.endpointer.in_speech and not self._too_long:
            # a phrase between silences: the endpointer's utterance may bring it whole; if it does not,
            # the phrase is checked once that utterance is over
            return []
        due = [p for p in self._pending if self.now >= p[1] + CHECK_AFTER_S]
        self._pending = [p for p in self._pending if p not in due]
        heard: list[Heard] = []
        for phrase, end, score in due:
            start = end - check_seconds(phrase)  # the detector's start times are often late
            heard.extend(self._checked(phrase, start, end, self._recent_since(start), "detected", score))
        return heard

    def _first_passes(self, sound: tuple) -> list:
        """The first passes (PocketSphinx's keyphrase search, and the wake network when there is one) hear
        speech and a little around it (HELD_S before, HANGOVER_S after), never long stretches without: the
        decoder's running cepstral mean would drift to the room's hiss, and the first words after a quiet
        while (a wake said in a still bedroom) would be checked against it and lost; and the network costs
        nothing while nobody talks."""
        if self.front.speech >= SPEECH:
            self._since_speech = 0
        else:
            self._since_speech += 1
        if len(self._held) == self._held.maxlen:  # only while they rest: the held sound is heard as speech starts
            self._skip(self._held.popleft())
        self._held.append(sound)
        if self._since_speech > HANGOVER_S * RATE / BLOCK:
            return []
        hits = []
        while self._held:
            heard = self._held.popleft()
            for first_pass in self.first_passes:
                hits.extend(first_pass.feed(self._sound_for(first_pass, heard)))
        return hits

    def _skip(self, sound: tuple) -> None:
        for first_pass in self.first_passes:
            first_pass.skip(self._sound_for(first_pass, sound))

    def _sound_for(self, first_pass, sound: tuple) -> np.ndarray:
        """PocketSphinx's search hears the cleaned block; the wake network the block as it came."""
        return sound[1] if first_pass is self.wake_word else sound[0]

    def _detector_lag(self) -> float:
        """The first passes' clock against ours (it may be behind by the blocks held back)."""
        return (self.detector.samples + len(self._held) * BLOCK) / RATE - self.now

    def _recent_since(self, start: float) -> list:
        keep = max(1, int(round((self.now - start) * RATE / BLOCK)))
        return list(self.recent)[-keep:]

    def _checked(self, phrase: str, start: float, end: float, blocks: list, reason: str,
                 network_score: float = 0.0, confirmed: bool = False) -> list[Heard]:
        """The second check: the same audio decoded again must be a phrase of idle (whichever the first pass
        thought it was: "i need a hug" and "i need a break" race in it), or, for the wake phrase, the wake
        network must hear it there (and where PocketSphinx's second check did hear the wake, the network must
        not veto it); a hit of the wake network itself must be confirmed by the network. Heard
        once, however it was found: audio over or next to where a phrase was just heard is not checked again
        (the wake network places its hits later than an utterance's end: one "hey coach" over a TV was heard
        by both)."""
        if start < self._last_heard[1] + SAME_PHRASE_S and end > self._last_heard[0] - SAME_PHRASE_S:
            return []
        if network_score:
            # the wake network's own hit: only its word counts (PocketSphinx's loop of common words, asked
            # about the many stretches of talk the network finds, agreed now and then: docs/PERFORMANCE.md)
            if not self._wake_confirmed(phrase, end, network_score):
                return []
        elif self.detector is not None and not confirmed:
            second = self._made_ahead("check", blocks, lambda: normalize(self.detector.check(blocks)))
            if second in self.accepted["idle"] and not self.ignore(second):
                phrase = second
                if self._wake_vetoed(phrase, end):
                    log.debug("spotter: %r heard twice by PocketSphinx, not by the wake network", phrase)
                    return []
            elif not self._wake_confirmed(phrase, end):
                log.debug("spotter: not confirmed by the second pass (%r)", second)
                return []
        if phrase in self.wake_phrases and not network_score and not self._wake_stands_out(end):
            return []
        if self.endpointer.in_speech:  # the utterance this phrase is part of is done with
            self.recognizers[self.mode].cancel()
            self.endpointer.reset()
        second = self._open_opinion(phrase, blocks)
        if second is None:
            return []
        self._last_heard = (start, end)
        return [Heard(phrase, "idle", start, self.now, wake=phrase in self.wake_phrases, reason=reason,
                      over_speaker=self.over_speaker, alternatives=second,
                      over_before_db=over_sound_before(self.levels, self.now - start, self.now - end))]

    def _wake_confirmed(self, phrase: str, end: float, network_score: float = 0.0) -> bool:
        """A first pass found the wake phrase ending at `end` (the wake network's own, with its score, or
        PocketSphinx's): does the network hear it there, by the stream's score or asked afresh?"""
        if self.wake_check is None or phrase != self.wake_check.phrase or self.ignore(phrase):
            return False
        if network_score >= STREAM_BAR:
            return True
        return self._network_score(end) >= CONFIRM_BAR

    def _wake_vetoed(self, phrase: str, end: float) -> bool:
        """Both PocketSphinx passes heard the wake phrase ending at `end`: the network, asked, vetoes it if it
        is sure the phrase is not there (read text that PocketSphinx heard as "hey coach" twice)."""
        if self.wake_check is None or phrase != self.wake_check.phrase:
            return False
        return self._network_score(end, VETO_SLACK_S) < VETO_BAR

    def _wake_stands_out(self, end: float) -> bool:
        """A wake is said after a breath: the phrase must stand out from the sound before it (the same sounds
        inside a reading run on from the words before them: listen/foreground.py). Not asked of the wake
        network's own hits (the first pass chosen for rooms with a TV, where talk 10 dB under a wake is
        often as loud as its quieter sounds): its bar there is its own, higher one."""
        above = stands_out(list(self.recent), self.now - end)
        if above < STANDS_OUT_DB:
            log.debug("spotter: the wake phrase stands only %.1f dB over the sound before it", above)
        return above >= STANDS_OUT_DB

    def _network_score(self, end: float, slack: float = 0.3) -> float:
        """The wake network asked afresh about a phrase a first pass found ending at `end`, give or take
        `slack` (the first pass's ends are often a little early or late)."""
        return self.wake_check.score(list(self.as_came), self.now - end + slack)

    def _wake_alone(self, spoken: float, quiet_before: float, end: float, reason: str) -> list[Heard]:
        """A short utterance after a quiet while that the idle grammar did not take for a phrase (or gave up
        on): the wake phrase all the same, if the network hears it there by a higher bar (no first pass
        found it)."""
        if (self.mode != "idle" or self.wake_check is None or quiet_before < ALONE_AFTER_S
                or spoken > plausible_seconds(self.wake_check.phrase)
                or self.ignore(self.wake_check.phrase)):  # the device itself is saying it
            return []
        if self.wake_check.score(list(self.as_came), 0.7) < ALONE_BAR:
            return []
        return self._checked(self.wake_check.phrase, self._start, end, self._blocks, reason, confirmed=True)

    def _open_opinion(self, phrase: str, blocks: list) -> tuple[str, ...] | None:
        """With continuous detection, a direct phrase must also mean the same in an open transcript of its
        audio (a different decoder and vocabulary: errors the grammar makes twice are caught here); the
        transcript goes along for crisis statements, which the session then checks too. None: not heard."""
        if not self._wants_open_opinion(phrase):
            return ()
        if self.detector is not None:
            self.detector.pause()  # the open transcriber may share its decoder
        transcript = self._made_ahead("open", blocks, lambda: normalize(self.transcriber.transcribe(blocks)))
        if self.detector is not None and self.route(transcript).name != self.meaning[phrase]:
            log.debug("spotter: %r not confirmed by the open transcript %r", phrase, transcript)
            return None
        return (transcript,) if phrase in self.second_opinion else ()

    def _wants_open_opinion(self, phrase: str) -> bool:
        """A direct phrase, with continuous detection or a crisis statement's second opinion (never the wake)."""
        return phrase not in self.wake_phrases and (self.detector is not None or phrase in self.second_opinion)

    def _look_ahead(self) -> None:
        """The last 0.3 s of a phrase in idle is silence the endpointer waits through; the phrase is all in
        well before it ends. So once LOOK_AHEAD_S of it has passed, if the grammar has heard a phrase so far,
        its second check and open transcript are made then, and used when the utterance ends, unless a voice
        was heard again in between (then they are made again at the end, on all of it)."""
        quiet = self.endpointer.quiet_blocks
        if quiet < self._look_ahead_blocks:
            self._ahead = {}
            return
        if quiet > self._look_ahead_blocks or self._too_long:
            return
        phrase = normalize(self.recognizers["idle"].partial())
        if phrase not in self.accepted["idle"] or self.ignore(phrase):
            return
        blocks = list(self._blocks)
        if self.detector is not None:
            self._ahead["check"] = normalize(self.detector.check(blocks))
        if self._wants_open_opinion(phrase):
            self._ahead["open"] = normalize(self.transcriber.transcribe(blocks))

    def _made_ahead(self, kind: str, blocks: list, make) -> str:
        """What `_look_ahead` made of this utterance, else made now."""
        return self._ahead[kind] if blocks is self._blocks and kind in self._ahead else make()

    def _check_wait(self) -> list[Heard]:
        self._waiting += 1
        if self._waiting < self.request_wait_blocks:
            return []
        self._waiting = 0
        return [Heard("", "request", self.now, self.now, reason="timeout")]
