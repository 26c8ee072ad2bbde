"""The coach: one state machine that owns every transition. Events in, actions out, no I/O.

States: idle (spotting), listening (a request after a wake, or push-to-talk),
guiding (a practice or response is playing), paused. While idle, the light may be offering the crisis
lines silently (a crisis phrase was heard inside other talk): the button then answers with them.
"""
from __future__ import annotations

from .events import (ButtonHeld, ButtonPressed, ButtonReleased, Chime, Control, CrisisHeld, EndRequest, IntentHeard,
                     Listen, Notice, OfferEnded, Play, PlaybackEnded, Report, RequestEnded, ShowLight, Shutdown,
                     StopPlayback, WakeHeard)
from .understand.router import CONTROLS

PRACTICES = ("self_compassion_break", "soothing_touch", "friend_reframe", "compassionate_letter", "obstacle",
             "about", "help", "crisis_support")
SLOT_OF = {"soothing_touch": "touch", "obstacle": "kind"}
BEDSIDE = "soothing_touch"  # the practice whose bedside form is the session to fall asleep to
QUIET_ENDINGS = ("goodbye", "not_understood", "settings_problem")


class Coach:
    def __init__(self, default_practice: str = "self_compassion_break"):
        self.state = "idle"
        self.button_practice = (default_practice, "any", "short")  # the session sets it (by night, by config)
        self.playing: str | None = None
        self.playing_length = "short"
        self._press_started: str | None = None  # practice a button press started, until release
        self._push_to_talk = False
        self._retrying = False  # a request was not understood: one more listen, no wake phrase needed
        self.offering = False  # idle, the light offering the crisis lines without a word

    def handle(self, event) -> list:
        handler = getattr(self, f"_on_{type(event).__name__}")
        return handler(event)

    # speech
    def _on_WakeHeard(self, event: WakeHeard) -> list:
        if self.state != "idle":
            return []
        return [Report("wake", {"source": "hotword", "phrase": event.phrase}), *self._listen()]

    def _on_IntentHeard(self, event: IntentHeard) -> list:
        intent = event.intent
        if intent.name == "crisis_support":
            return self._start("crisis_support", "told", interrupt=True)
        if self.state in ("guiding", "paused"):
            return self._control(intent.name)
        if self.state == "idle":
            if intent.name not in PRACTICES:
                return []
            return [Report("wake", {"source": "phrase"}), *self._start_intent(intent)]
        if self.state == "listening":
            self._push_to_talk = False
            return self._start_intent(intent)
        return []

    def _on_RequestEnded(self, event: RequestEnded) -> list:
        if self.state != "listening":
            return []
        self._push_to_talk = self._retrying = False
        return [Report("request_ended", {"reason": event.reason}), *self._go_idle()]

    # button
    def _on_ButtonPressed(self, event: ButtonPressed) -> list:
        if self.state in ("guiding", "paused"):
            return [Report("button", {"action": "stop"}), StopPlayback()]
        if self.state == "listening":
            return [Report("button", {"action": "cancel"}), *self._go_idle()]
        if self.offering:
            return [Report("wake", {"source": "button", "offer": "crisis_support"}),
                    *self._start("crisis_support", "offered")]
        name, option, length = self.button_practice
        self._press_started = name
        return [Report("wake", {"source": "button"}), *self._start(name, option, length=length)]

    def _on_ButtonHeld(self, event: ButtonHeld) -> list:
        if self._press_started is None or self.playing != self._press_started:
            return []
        self._press_started = None
        self._push_to_talk = True
        self.playing = None
        return [StopPlayback(fade_ms=30), Report("push_to_talk", {}), *self._listen()]

    def _on_ButtonReleased(self, event: ButtonReleased) -> list:
        self._press_started = None
        if self._push_to_talk and self.state == "listening":
            return [EndRequest()]
        return []

    # playback
    def _on_PlaybackEnded(self, event: PlaybackEnded) -> list:
        if event.name != self.playing:
            return []
        self.playing = None
        ending = Report("practice_stopped" if event.stopped else "practice_finished", {"practice": event.name})
        if self._push_to_talk:
            return [ending]
        if event.name == "not_understood" and self._retrying and not event.stopped:
            return [ending, *self._listen()]  # once more, without the wake phrase
        if event.stopped and event.name not in QUIET_ENDINGS and self.playing_length != "bedside":
            return [ending, *self._start("goodbye", "any")]  # a bedside session ends in silence, however
        return [ending, *self._go_idle()]

    def _on_CrisisHeld(self, event: CrisisHeld) -> list:
        """Words of crisis the device did not answer aloud (they may have been a TV's): a silent offer, a
        soft pulse of the light that a press answers, for anyone awake and looking."""
        if self.state != "idle":
            return []
        self.offering = True
        return [Report("crisis_offered", {}), ShowLight("offer")]

    def _on_OfferEnded(self, event: OfferEnded) -> list:
        if not self.offering:  # only ever set while idle: leaving idle takes it back
            return []
        self.offering = False
        return [ShowLight("off")]

    def _on_Notice(self, event: Notice) -> list:
        if self.state != "idle":
            return []
        return self._start(event.name, "any")

    def _on_Shutdown(self, event: Shutdown) -> list:
        self.state = "idle"
        return [StopPlayback(fade_ms=60), ShowLight("off")]

    # helpers
    def _listen(self) -> list:
        self.state, self.offering = "listening", False
        return [Chime("wake"), ShowLight("listening"), Listen("request")]

    def _go_idle(self) -> list:
        self.state = "idle"
        self._retrying = False
        return [ShowLight("off"), Listen("idle")]

    def _start_intent(self, intent) -> list:
        """After a wake: the practice asked for; "stop" or small talk ("never mind", "thanks") returns to
        idle quietly; not understood, say so kindly and listen once more; a second miss returns to idle."""
        retried, self._retrying = self._retrying, False
        if intent.name in PRACTICES:
            length = intent.slots.get("length", "short")
            if length == "bedside":  # "I can't sleep": the bedside session is the soothing-touch one
                return self._start(BEDSIDE, intent.slots.get("touch", "any"), length=length)
            return self._start(intent.name, intent.slots.get(SLOT_OF.get(intent.name, ""), "any"), length=length)
        closing = intent.name == "stop" or intent.small_talk
        if closing or retried:
            reason = "cancelled" if closing else "not_understood"
            return [Report("request_ended", {"reason": reason}), *self._go_idle()]
        self._retrying = True
        return self._start("not_understood", "any")

    def _start(self, name: str, option: str, interrupt: bool = False, length: str = "short") -> list:
        stop = [StopPlayback(fade_ms=40)] if interrupt and self.playing else []
        self.state, self.offering = "guiding", False
        self.playing, self.playing_length = name, length
        started = {"practice": name, "option": option, **({"length": length} if length != "short" else {})}
        return [*stop, Report("practice_started", started), Play(name, option, length), Listen("guiding")]

    def _control(self, name: str) -> list:
        if name == "stop":
            return [StopPlayback()]
        if name not in CONTROLS:
            return []
        if name == "pause" and self.state == "guiding":
            self.state = "paused"
            return [Control("pause"), Report("paused", {})]
        if name == "resume" and self.state == "paused":
            self.state = "guiding"
            return [Control("resume"), Report("resumed", {})]
        if self.state == "guiding" and name not in ("pause", "resume"):
            return [Control(name), Report("control", {"name": name})]
        return []
