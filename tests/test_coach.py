"""The coach state machine alone: events in, actions out."""
from voicecoach.coach import Coach
from voicecoach.events import (ButtonHeld, ButtonPressed, ButtonReleased, Control, CrisisHeld, EndRequest, IntentHeard,
                               Listen, OfferEnded, Play, PlaybackEnded, Report, RequestEnded, ShowLight, StopPlayback,
                               WakeHeard)
from voicecoach.understand.router import Intent


def of(actions, kind):
    return [a for a in actions if isinstance(a, kind)]


def heard(name, mode="idle", **slots):
    return IntentHeard(Intent(name, slots, 1.0), mode)


def test_wake_then_request_starts_the_practice_with_its_slot():
    coach = Coach()
    actions = coach.handle(WakeHeard("hey coach"))
    assert coach.state == "listening" and of(actions, Listen) == [Listen("request")]
    actions = coach.handle(heard("soothing_touch", "request", touch="self_hug"))
    assert of(actions, Play) == [Play("soothing_touch", "self_hug")] and coach.state == "guiding"
    assert of(actions, Listen) == [Listen("guiding")]


def test_direct_phrase_needs_no_wake():
    coach = Coach()
    actions = coach.handle(heard("self_compassion_break"))
    assert of(actions, Play) == [Play("self_compassion_break")]
    assert Report("wake", {"source": "phrase"}) in actions


def test_request_not_understood_gets_a_gentle_line_and_one_more_listen_then_idle():
    coach = Coach()
    coach.handle(WakeHeard("hey coach"))
    assert of(coach.handle(heard("none", "request")), Play) == [Play("not_understood")]
    actions = coach.handle(PlaybackEnded("not_understood", stopped=False))
    assert coach.state == "listening" and of(actions, Listen) == [Listen("request")]  # no wake phrase needed
    actions = coach.handle(heard("none", "request"))  # a second miss
    assert coach.state == "idle" and of(actions, Play) == [] and of(actions, Listen) == [Listen("idle")]
    coach.handle(WakeHeard("hey coach"))  # the next wake starts afresh: a miss gets the kind line again
    assert of(coach.handle(heard("none", "request")), Play) == [Play("not_understood")]


def test_the_retry_after_a_miss_can_still_start_a_practice_or_be_cancelled():
    coach = Coach()
    coach.handle(WakeHeard("hey coach"))
    coach.handle(heard("none", "request"))
    coach.handle(PlaybackEnded("not_understood", stopped=False))
    assert of(coach.handle(heard("soothing_touch", "request", touch="self_hug")), Play) == [
        Play("soothing_touch", "self_hug")]
    coach = Coach()
    coach.handle(WakeHeard("hey coach"))
    actions = coach.handle(heard("stop", "request"))  # "never mind", "cancel"
    assert coach.state == "idle" and of(actions, Play) == []


def test_small_talk_after_a_wake_ends_the_request_quietly():
    coach = Coach()
    coach.handle(WakeHeard("hey coach"))
    actions = coach.handle(IntentHeard(Intent("none", {}, 0.9, "never mind", small_talk=True), "request"))
    assert coach.state == "idle" and of(actions, Play) == []
    assert Report("request_ended", {"reason": "cancelled"}) in actions


def test_request_timeout_goes_back_to_idle():
    coach = Coach()
    coach.handle(WakeHeard("hey coach"))
    coach.handle(RequestEnded("timeout"))
    assert coach.state == "idle"


def test_button_tap_starts_the_break_and_tap_again_stops_with_a_kind_close():
    coach = Coach()
    assert of(coach.handle(ButtonPressed()), Play) == [Play("self_compassion_break")]
    coach.handle(ButtonReleased())
    assert of(coach.handle(ButtonPressed()), StopPlayback)
    actions = coach.handle(PlaybackEnded("self_compassion_break", stopped=True))
    assert Report("practice_stopped", {"practice": "self_compassion_break"}) in actions
    assert of(actions, Play) == [Play("goodbye")]
    coach.handle(PlaybackEnded("goodbye", stopped=False))
    assert coach.state == "idle"


def test_holding_the_button_is_push_to_talk():
    coach = Coach()
    coach.handle(ButtonPressed())
    actions = coach.handle(ButtonHeld())
    assert of(actions, StopPlayback) and coach.state == "listening"
    assert of(coach.handle(PlaybackEnded("self_compassion_break", stopped=True)), Play) == []  # no goodbye
    assert of(coach.handle(ButtonReleased()), EndRequest)
    assert of(coach.handle(heard("help", "request")), Play) == [Play("help")]


def test_voice_controls_during_a_practice():
    coach = Coach()
    coach.handle(heard("self_compassion_break"))
    assert of(coach.handle(heard("pause", "guiding")), Control) == [Control("pause")] and coach.state == "paused"
    assert of(coach.handle(heard("slower", "guiding")), Control) == []  # nothing but resume/stop while paused
    assert of(coach.handle(heard("resume", "guiding")), Control) == [Control("resume")] and coach.state == "guiding"
    for name in ("repeat", "slower", "faster", "louder", "quieter"):
        assert of(coach.handle(heard(name, "guiding")), Control) == [Control(name)]
    assert of(coach.handle(heard("stop", "guiding")), StopPlayback)


def test_crisis_interrupts_anything():
    coach = Coach()
    coach.handle(heard("soothing_touch"))
    actions = coach.handle(heard("crisis_support", "guiding"))
    assert of(actions, StopPlayback) and of(actions, Play) == [Play("crisis_support", "told")]
    assert coach.playing == "crisis_support"
    # the end of the interrupted practice is not mistaken for the crisis message ending
    assert coach.handle(PlaybackEnded("soothing_touch", stopped=True)) == []


def test_words_of_crisis_held_make_the_light_offer_and_a_press_then_answers_with_the_crisis_lines():
    coach = Coach()
    actions = coach.handle(CrisisHeld())
    assert of(actions, ShowLight) == [ShowLight("offer")] and of(actions, Play) == [] and coach.state == "idle"
    assert of(coach.handle(ButtonPressed()), Play) == [Play("crisis_support", "offered")]
    coach.handle(PlaybackEnded("crisis_support", stopped=False))
    assert of(coach.handle(ButtonPressed()), Play) == [Play("self_compassion_break")]  # the offer was taken


def test_once_the_offer_ends_a_press_starts_the_usual_practice():
    coach = Coach()
    coach.handle(CrisisHeld())
    assert of(coach.handle(OfferEnded()), ShowLight) == [ShowLight("off")]
    assert of(coach.handle(ButtonPressed()), Play) == [Play("self_compassion_break")]


def test_no_offer_while_a_practice_plays_and_a_wake_ends_one():
    coach = Coach()
    coach.handle(heard("soothing_touch"))
    assert coach.handle(CrisisHeld()) == [] and coach.offering is False
    coach.handle(PlaybackEnded("soothing_touch", stopped=False))
    coach.handle(CrisisHeld())
    coach.handle(WakeHeard("hey coach"))  # they asked aloud: what they say next decides
    assert coach.offering is False and coach.handle(OfferEnded()) == []


def test_wake_words_while_guiding_do_nothing():
    coach = Coach()
    coach.handle(heard("self_compassion_break"))
    assert coach.handle(WakeHeard("hey coach")) == []
    assert coach.handle(heard("soothing_touch", "guiding")) == []


def test_a_length_asked_for_is_played_and_sleep_means_the_bedside_session():
    coach = Coach()
    coach.handle(WakeHeard("hey coach"))
    assert of(coach.handle(heard("soothing_touch", "request", touch="any", length="long")), Play) == [
        Play("soothing_touch", "any", "long")]
    coach = Coach()
    coach.handle(WakeHeard("hey coach"))
    assert of(coach.handle(heard("self_compassion_break", "request", length="bedside")), Play) == [
        Play("soothing_touch", "any", "bedside")]


def test_a_stopped_bedside_session_ends_in_silence_and_the_button_starts_what_it_is_set_to():
    coach = Coach()
    coach.button_practice = ("soothing_touch", "any", "bedside")
    assert of(coach.handle(ButtonPressed()), Play) == [Play("soothing_touch", "any", "bedside")]
    coach.handle(ButtonReleased())
    assert of(coach.handle(ButtonPressed()), StopPlayback)
    actions = coach.handle(PlaybackEnded("soothing_touch", stopped=True))
    assert of(actions, Play) == [] and coach.state == "idle"  # no goodbye
