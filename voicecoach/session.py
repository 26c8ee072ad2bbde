"""The session: joins spotter, router, coach, speaker and light, the same for `run` and `simulate`;
and building one from config (for `run`, `simulate`, `bench` and `doctor`).

Everything here runs on one thread (the coach's). The microphone, the output
stream and the button only hand it blocks and events.
"""
from __future__ import annotations

import logging
from typing import Callable

import numpy as np

from .audio.playback import Speaker
from .coach import Coach
from .coaching import build_coaching
from .events import (ButtonPressed, Chime, Control, CrisisHeld, EndRequest, IntentHeard, Listen, OfferEnded, Play,
                     PlaybackEnded, Report, RequestEnded, ShowLight, StopPlayback, WakeHeard)
from .listen.echo import EchoCanceller
from .listen.controlword import ControlWordDetector
from .listen.engines import EngineError, choose_engine
from .listen.frontend import front_end
from .listen.spotter import Spotter
from .listen.wakeword import WakeCheck, WakeWordDetector, trained_phrase
from .practices.player import Player
from .practices.schema import Cue
from .understand.router import CONTROLS, REQUESTS, Router, normalize

log = logging.getLogger(__name__)
PACE = {"slower": 1.15, "faster": 1 / 1.15}
BARGE_IN = ("stop", "crisis_support")  # all that half duplex hears over the speaker's own voice
ALLOWED = {"idle": REQUESTS, "request": (*REQUESTS, "stop"), "guiding": CONTROLS}  # what each mode listens for
VOLUME_STEP = 0.15
CRISIS_OFFER_S = 60.0  # a crisis phrase held inside other talk: the light offers the crisis lines this long
CRISIS_AGAIN_S = 60.0  # inside other talk, by day, a crisis phrase is answered when heard again this soon
CRISIS_OVER_DB = 10.0  # said to the device: this far over the loudest sound of the seconds before it (a TV's line
#                        is no louder than its other lines); chosen on our own voices: docs/PERFORMANCE.md


class CrisisInIdle:
    """A crisis phrase heard in idle, with no wake phrase: is it the person speaking to the device?
    Both decodes of its audio must agree. Said between silences and well over the sound of the seconds
    before it (a quiet room, or a TV across it), it is answered at once. Otherwise it is part of other
    talk (a TV drama, a radio, a reading): by day it is answered when a crisis phrase is heard again
    within CRISIS_AGAIN_S (a person not answered says it again); at night, never by a voice in the dark
    for a TV (a drama says such lines more than once). Held, the light offers the crisis lines without a
    word for CRISIS_OFFER_S, and a press then speaks them. The button and the wake phrase answer at once,
    whatever plays."""

    def __init__(self):
        self.last_in_talk: float | None = None  # when a crisis phrase was last heard inside other talk

    def verdict(self, heard, intents, night: bool = False) -> str:
        """One of "answered", "disagreed" (a second listen heard no crisis) or "held" (inside other talk)."""
        if not all(i.name == "crisis_support" for i in intents):
            return "disagreed"
        if heard.reason != "detected" and heard.over_before_db >= CRISIS_OVER_DB:
            return "answered"
        previous, self.last_in_talk = self.last_in_talk, heard.end
        again = previous is not None and heard.end - previous <= CRISIS_AGAIN_S
        return "answered" if again and not night else "held"


def understood(router: Router, heard, crisis: CrisisInIdle, night: bool = False) -> tuple:
    """The intent of what was heard, routed once per transcript for the mode it was heard in (a request has
    two transcripts, open and grammar, and the open decode's runners-up: a crisis statement in a transcript
    wins, else the surest reading: Router.understand), and whether the device answers it: "answered", or
    for a crisis phrase in idle the rule's "disagreed" or "held"."""
    intents = router.understand(heard.transcripts, ALLOWED[heard.mode], heard.runners_up, heard.mode == "request")
    if heard.mode == "idle" and intents[0].name == "crisis_support":
        return intents[0], crisis.verdict(heard, intents, night)
    return intents[0], "answered"


class Session:
    def __init__(self, coaching, spotter, router: Router, coach, speaker, light,
                 report: Callable[[str, dict], None], echo=None):
        self.coaching = coaching
        self.echo = echo  # an EchoCanceller, or None
        self.router = router
        self.coach = coach
        self.speaker = speaker
        self.light = light
        self.report = report
        self.saying = ""
        self.dim = 1.0  # the light's share of its brightness, while a session fades
        self.crisis_in_idle = CrisisInIdle()
        self.offer_until: float | None = None  # when the light's silent offer of the crisis lines ends
        self.attach(spotter)

    def attach(self, spotter) -> None:
        """Listen through this spotter from now on."""
        self.spotter = spotter
        spotter.ignore = self.is_own_voice
        spotter.speaker_busy = lambda: self.speaker.busy
        spotter.person_heard = lambda: self.echo is None or self.echo.person_heard

    # inputs
    def hear(self, block: np.ndarray, reference: np.ndarray | None = None) -> None:
        """A microphone block, and what the speaker played while it was captured (for echo cancellation)."""
        if self.echo is not None:
            block = self.echo.cancel(block, reference)
            if self._goes_soft():
                self.speaker.duck()
        for heard in self.spotter.feed(block):
            self._heard(heard)
        if self.offer_until is not None and self.spotter.now >= self.offer_until:
            self.offer_until = None
            self.post(OfferEnded())

    def _goes_soft(self) -> bool:
        """Someone talks over the speaker: it goes soft, so the rest of their words is heard over less of its
        voice; never while it gives the crisis line, which must be heard whole whoever talks."""
        player = self.speaker.player
        return (self.coaching.config.asr.duck and self.speaker.busy and self.echo.person_speaking
                and not (player is not None and player.name == "crisis_support"))

    @property
    def full_duplex(self) -> bool:
        """Every control is heard over the speaker's voice: echo cancellation is on and the microphone holds
        none of that voice (taken out, or none reaches it)."""
        return (self.coaching.config.asr.duplex == "full" and self.echo is not None
                and self.echo.clean_while_speaking)

    def post(self, event) -> None:
        if isinstance(event, ButtonPressed):
            self.coach.button_practice = self.coaching.button_practice()
        for action in self.coach.handle(event):
            self._do(action)

    def played(self, events: list) -> None:
        """Events from the speaker: what was just said, lights, and the end of a player."""
        for _, name, data in events:
            if name == "said":
                self.saying = normalize(data["text"])
                self.report("said", {"text": data["text"]})
            elif name == "light":
                self.light.show(data["pattern"], self.coaching.delivery().brightness * self.dim)
            elif name == "dim":  # a fading session: the light dims with the voice
                self.dim = data["level"]
                self.light.show(self.light.pattern, self.coaching.delivery().brightness * self.dim)
            elif name in ("finished", "stopped"):
                self.saying = ""
                self.dim = 1.0
                self.post(PlaybackEnded(data["player"], name == "stopped"))

    def release_push_to_talk(self) -> None:
        for heard in self.spotter.end_request():
            self._heard(heard)

    def is_own_voice(self, text: str) -> bool:
        """A phrase the speaker is saying right now is its own echo, never a command."""
        return bool(text) and f" {text} " in f" {self.saying} "

    def _heard(self, heard) -> None:
        if heard.mode == "request" and not any(heard.transcripts) and heard.reason != "silence":
            return self.post(RequestEnded(heard.reason))  # nobody spoke
        log.debug("heard %r in %s", heard.text, heard.mode)
        if heard.wake:
            return self.post(WakeHeard(heard.text))
        intent = self._understand(heard)
        if intent is None or self._talked_over(heard, intent):
            return
        self.report("transcript", {"text": normalize(intent.text), "mode": heard.mode})
        self.report("intent", intent.as_json())
        self.post(IntentHeard(intent, heard.mode))

    def _talked_over(self, heard, intent) -> bool:
        """Half duplex: while the speaker talks, only stop and words of crisis are heard over it (a request
        overlaps nothing but the wake chime, so it is always heard). Full duplex hears everything."""
        if self.full_duplex:
            return False
        if heard.over_speaker and heard.mode != "request" and intent.name not in BARGE_IN:
            log.debug("half-duplex: %s over the speaker's own voice is not heard", intent.name)
            return True
        return False

    def _understand(self, heard):
        night = self.coaching.delivery().night
        intent, verdict = understood(self.router, heard, self.crisis_in_idle, night)
        if verdict == "disagreed":
            log.info("a crisis phrase was spotted, but a second listen did not agree; not answered")
        elif verdict == "held":
            log.info("a crisis phrase inside other talk; not answered%s", " at night" if night else
                     f" unless heard again within {CRISIS_AGAIN_S:.0f} s")
            self.report("crisis_held", {"text": heard.text, "again_within_s": None if night else CRISIS_AGAIN_S})
            self.offer_until = heard.end + CRISIS_OFFER_S
            self.post(CrisisHeld())
        return intent if verdict == "answered" else None

    # actions
    def _do(self, action) -> None:
        if isinstance(action, Report):
            self.report(action.event, action.data)
        elif isinstance(action, Play):
            self._play(action)
        elif isinstance(action, StopPlayback):
            player = self.speaker.player
            if player is not None and not player.finished:
                player.stop(action.fade_ms)
        elif isinstance(action, Control):
            self._control(action.name)
        elif isinstance(action, Listen):
            self.spotter.set_mode(action.mode)
        elif isinstance(action, EndRequest):
            self.release_push_to_talk()
        elif isinstance(action, Chime):
            self._chime(action.name)
        elif isinstance(action, ShowLight):
            self.light.show(action.pattern, self.coaching.delivery().brightness)

    def _play(self, action: Play) -> None:
        delivery = self.coaching.delivery()
        self.speaker.set_volume(delivery.volume)
        self.speaker.play(self.coaching.player(action.name, action.option, delivery, action.length))

    def _chime(self, name: str) -> None:
        delivery = self.coaching.delivery()
        self.speaker.play(Player(f"chime-{name}", [Cue(name)], self.coaching.renderer, delivery))

    def _control(self, name: str) -> None:
        player = self.speaker.player
        if player is None:
            return
        if name in ("pause", "resume", "repeat"):
            getattr(player, name)()
        elif name in PACE:
            player.change_pace(PACE[name])
        elif name == "louder":
            self.speaker.set_volume(self.speaker.volume + VOLUME_STEP)
        elif name == "quieter":
            self.speaker.set_volume(self.speaker.volume - VOLUME_STEP)


# building a session from config
def build_spotter(config, router: Router, engine=None) -> Spotter:
    asr = config.asr
    return Spotter(engine or choose_engine(config), router, asr.wake_phrases, spot_silence=asr.spot_silence,
                   request_silence=asr.end_silence, max_request=asr.max_request, front=front_end(asr.front_end),
                   continuous=asr.continuous, wake_word=wake_network(asr), wake_check=wake_check(asr),
                   control_word=control_network(asr))


def control_network(asr):
    """The controls' network while guiding, when the config asks for it and it loads."""
    if not asr.control_network:
        return None
    try:
        return ControlWordDetector()
    except EngineError as exc:
        log.warning("the controls' network cannot run (%s): PocketSphinx alone hears the controls", exc)
        return None


def wake_network(asr):
    """The wake network for the first wake phrase that has one, when the config asks for it."""
    if asr.wake_detector != "network":
        return None
    return _trained(asr, WakeWordDetector, "the wake network cannot run (%s): PocketSphinx finds the wake phrase")


def wake_check(asr):
    """The wake network asked on demand where PocketSphinx does not hear the wake phrase (listen/spotter.py),
    for the first wake phrase that has one."""
    return _trained(asr, WakeCheck, "the wake network cannot check the wake phrase (%s): PocketSphinx alone hears it")


def _trained(asr, make, failure: str):
    """`make` for the first wake phrase that has a network; None (said in the log) when none has or it fails."""
    phrase = trained_phrase(asr.wake_phrases)
    if phrase is None:
        log.info("no wake network for %s: PocketSphinx alone hears the wake phrase", ", ".join(asr.wake_phrases))
        return None
    try:
        return make(phrase)
    except EngineError as exc:
        log.warning(failure, exc)
        return None


def build_session(config, out_rate: int, light, report, engine=None, voice=None, seed=None,
                  night=None) -> Session:
    coaching = build_coaching(config, out_rate=out_rate, seed=seed, voice=voice)
    coaching.night_override = night
    router = Router()
    spotter = build_spotter(config, router, engine)
    speaker = Speaker(out_rate, coaching.delivery().volume)
    echo = EchoCanceller() if config.asr.echo_cancel else None
    return Session(coaching, spotter, router, Coach(), speaker, light, report, echo)


def apply_config(session: Session, config) -> None:
    """New settings in a running session: delivery, crisis line and brightness at once; new wake phrases
    and silences through a new spotter on the same engine. Devices, pins and models need a restart."""
    old = session.coaching.config
    session.coaching.config = config
    if config.asr != old.asr:
        spotter = build_spotter(config, session.router, session.spotter.engine)
        spotter.clock = session.spotter.clock
        spotter.set_mode(session.spotter.mode)
        session.attach(spotter)
    if config.asr.echo_cancel != (session.echo is not None):
        session.echo = EchoCanceller() if config.asr.echo_cancel else None
    if session.speaker.player is None or session.speaker.player.finished:
        session.speaker.set_volume(session.coaching.delivery().volume)
