"""The session with the shipped fakes: a scripted engine and a tone voice, no real engines."""
import numpy as np
import pytest

from voicecoach.coaching import Coaching
from voicecoach.audio.playback import Speaker
from voicecoach.coach import Coach
from voicecoach.config import load_config
from voicecoach.hardware.light import NoLight
from voicecoach.understand.router import Router
from voicecoach.listen.spotter import Spotter
from voicecoach.practices.schema import load_library
from voicecoach.session import CRISIS_OFFER_S, CRISIS_OVER_DB, Session
from voicecoach.speech.cache import PhraseCache
from voicecoach.speech.render import Renderer
from voicecoach.testing import Reports, ScriptedEngine, ToneVoice

RATE = 16000


def session(tmp_path, script, night=False):
    import random

    coaching = Coaching(load_config(None), load_library(), Renderer(ToneVoice(), PhraseCache(tmp_path), RATE),
                        random.Random(1), night_override=night)
    router, reports = Router(), Reports()
    spotter = Spotter(ScriptedEngine(script), router, ["hey coach"])
    return Session(coaching, spotter, router, Coach(), Speaker(RATE, 0.8), NoLight(), reports), reports


def talk(s, seconds_speech=0.6, seconds_quiet=0.6):
    t = np.arange(int(seconds_speech * RATE)) / RATE
    audio = np.concatenate([np.zeros(int(0.3 * RATE)), 0.3 * np.sin(2 * np.pi * 220 * t),
                            np.zeros(int(seconds_quiet * RATE))])
    pcm = (audio * 32767).astype(np.int16)
    for i in range(0, len(pcm) - 319, 320):
        s.hear(pcm[i:i + 320])
        s.played(s.speaker.read(320, wait=True)[1])


def test_direct_phrase_starts_the_practice_and_stop_ends_it(tmp_path):
    s, reports = session(tmp_path, {"idle": ["i need a break"], "guiding": ["stop"]})
    talk(s)
    assert reports.named("practice_started")[0]["practice"] == "self_compassion_break"
    talk(s, seconds_quiet=1.5)  # heard in the opening pause, after the first line
    assert reports.named("practice_stopped")[0]["practice"] == "self_compassion_break"
    assert [d["practice"] for d in reports.named("practice_started")] == ["self_compassion_break", "goodbye"]
    s.speaker.close()


def test_speech_that_is_not_a_phrase_does_nothing(tmp_path):
    s, reports = session(tmp_path, {"idle": ["the a to"]})
    talk(s)
    assert reports.items == [] and s.coach.state == "idle"


def test_shutdown_fades_the_speaker_to_silence_within_100_ms(tmp_path):
    from voicecoach.events import ButtonPressed, Shutdown

    s, reports = session(tmp_path, {})
    s.post(ButtonPressed())
    before = np.concatenate([s.speaker.read(320, wait=True)[0] for _ in range(150)])  # 3 s in
    assert np.abs(before[-RATE // 2:]).max() > 0.05, "a practice is audible when the signal comes"
    s.post(Shutdown())
    after = np.concatenate([s.speaker.read(320, wait=True)[0] for _ in range(25)])  # the next 0.5 s
    audible = np.flatnonzero(np.abs(after) > 0.001)
    assert len(audible) and audible[-1] < 0.1 * RATE
    s.speaker.close()


def crisis(at: float, reason: str, over_before_db: float = float("inf")):
    from voicecoach.listen.spotter import Heard

    return Heard("i want to die", "idle", at - 1.2, at, reason=reason, alternatives=("i want to die",),
                 over_before_db=over_before_db)


def started(reports):
    return [d["practice"] for d in reports.named("practice_started")]


def test_a_crisis_phrase_said_on_its_own_is_answered_at_once(tmp_path):
    s, reports = session(tmp_path, {})
    s._heard(crisis(10.0, "silence"))
    assert started(reports) == ["crisis_support"]


def test_inside_other_talk_a_crisis_phrase_is_answered_when_heard_again_within_a_minute(tmp_path):
    s, reports = session(tmp_path, {})
    s._heard(crisis(10.0, "detected"))  # a TV drama, or a person over it: not yet
    assert started(reports) == [] and reports.named("crisis_held")[0]["text"] == "i want to die"
    s._heard(crisis(40.0, "detected"))
    assert started(reports) == ["crisis_support"]


@pytest.mark.parametrize("over, answered", [(CRISIS_OVER_DB + 0.5, True), (CRISIS_OVER_DB - 0.5, False)])
def test_between_silences_a_crisis_phrase_is_answered_at_once_only_if_it_stands_over_the_sound_before(
        tmp_path, over, answered):
    """A person by the bed speaks well over a TV across the room; a drama's line is as loud as its others."""
    s, reports = session(tmp_path, {})
    s._heard(crisis(10.0, "silence", over))
    assert started(reports) == (["crisis_support"] if answered else [])
    assert len(reports.named("crisis_held")) == (0 if answered else 1)


@pytest.mark.parametrize("reason", ["silence", "detected"])
def test_at_night_crisis_phrases_inside_other_talk_are_never_answered_but_one_said_over_it_is(tmp_path, reason):
    """A drama says such lines more than once: at night the device does not speak the crisis lines for it,
    however often; the person's own, standing over the talk, is answered at once (day or night)."""
    s, reports = session(tmp_path, {}, night=True)
    for at in (10.0, 30.0, 50.0):
        s._heard(crisis(at, reason, over_before_db=1.0))
    assert started(reports) == [] and [r["again_within_s"] for r in reports.named("crisis_held")] == [None] * 3
    s._heard(crisis(70.0, "silence", over_before_db=CRISIS_OVER_DB + 5))
    assert started(reports) == ["crisis_support"]


def test_at_night_a_held_crisis_phrase_makes_the_light_offer_silently_and_a_press_answers(tmp_path):
    from voicecoach.events import ButtonPressed

    s, reports = session(tmp_path, {}, night=True)
    s._heard(crisis(1.0, "detected"))
    assert started(reports) == [] and len(reports.named("crisis_offered")) == 1 and s.light.pattern == "offer"
    s.post(ButtonPressed())
    assert started(reports) == ["crisis_support"]
    assert reports.named("practice_started")[0]["option"] == "offered"
    s.speaker.close()


def test_the_offer_ends_after_its_while_and_the_button_is_the_button_again(tmp_path):
    from voicecoach.events import ButtonPressed

    s, reports = session(tmp_path, {}, night=True)
    s._heard(crisis(1.0, "detected"))
    quiet = np.zeros(320, dtype=np.int16)
    while s.spotter.now < 1.0 + CRISIS_OFFER_S - 1:
        s.hear(quiet)
    assert s.light.pattern == "offer"
    for _ in range(100):  # two seconds more
        s.hear(quiet)
    assert s.light.pattern == "off"
    s.post(ButtonPressed())
    assert started(reports) != ["crisis_support"] and len(started(reports)) == 1
    s.speaker.close()


def test_inside_other_talk_two_crisis_phrases_far_apart_are_not_answered(tmp_path):
    s, reports = session(tmp_path, {})
    s._heard(crisis(10.0, "detected"))
    s._heard(crisis(100.0, "detected"))
    assert started(reports) == [] and len(reports.named("crisis_held")) == 2


def test_a_crisis_phrase_the_open_transcript_does_not_confirm_is_not_answered(tmp_path):
    from voicecoach.listen.spotter import Heard

    s, reports = session(tmp_path, {})
    s._heard(Heard("i want to die", "idle", 1.0, 2.0, alternatives=("i want to dine out",)))
    assert started(reports) == []


def test_after_a_wake_a_request_that_sounds_like_a_crisis_statement_is_answered_as_one(tmp_path):
    """"it's not worth living", as PocketSphinx heard it in an espeak-ng voice: after the wake phrase it
    is answered with the crisis lines; the same words in idle start nothing."""
    from voicecoach.listen.spotter import Heard

    s, reports = session(tmp_path, {})
    s._heard(Heard("it is not would leaving", "idle", 1.0, 2.0, alternatives=("it is not would leaving",)))
    assert started(reports) == []
    s._heard(Heard("hey coach", "idle", 3.0, 3.6, wake=True, reason="silence"))
    s._heard(Heard("it is not would leaving", "request", 4.5, 6.0, reason="silence",
                   runners_up=("it is not what really",)))
    assert started(reports) == ["crisis_support"]
    assert reports.named("intent")[-1]["intent"] == "crisis_support"


def test_talked_over_the_speaker_goes_soft_but_never_while_it_gives_the_crisis_line(tmp_path):
    from voicecoach.events import IntentHeard
    from voicecoach.testing import TalkedOverEcho

    softest = {}
    for request in ("i need a break", "i want to die"):
        s, _ = session(tmp_path, {})
        s.echo = TalkedOverEcho()  # someone talks over it the whole time
        s.post(IntentHeard(s.router.route(request), "request"))
        quiet = np.zeros(320, np.int16)
        shares = []
        for _ in range(150):  # 3 s
            s.hear(quiet)
            s.played(s.speaker.read(320, wait=True)[1])
            shares.append(s.speaker.share)
        softest[s.speaker.player.name] = min(shares[50:])
        s.speaker.close()
    assert softest["self_compassion_break"] < 0.2 and softest["crisis_support"] == 1.0
