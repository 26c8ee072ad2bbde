"""The wake network: our head on openWakeWord's features hears "hey coach" in a room and little else."""
import dataclasses

import numpy as np
import pytest

from conftest import espeak, noise, piper_speech, silence
from voicecoach.config import Config
from voicecoach.listen.engines import EngineError
from voicecoach.listen.wakeword import (ALONE_BAR, CONFIRM_BAR, Embedder, WakeCheck, WakeWordDetector, has_wake_model,
                                        windows)
from voicecoach.measure.room import fan_noise

pytestmark = pytest.mark.slow


def blocks(audio: np.ndarray):
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    return [pcm[i:i + 320] for i in range(0, len(pcm) - 319, 320)]


def hits(detector: WakeWordDetector, audio: np.ndarray) -> list[float]:
    """The times (s, from the start of `audio`) at which the detector fired."""
    found, clock = [], 0
    for block in blocks(audio):
        clock += len(block)
        found += [clock / 16000 for _ in detector.feed(block)]
    return found


def test_the_shipped_model_is_for_the_default_wake_phrase():
    assert has_wake_model("hey coach") and has_wake_model("Hey, Coach")
    assert not has_wake_model("hey computer")


def test_hey_coach_in_a_quiet_room_fires_once_just_after_it_ends(joe):
    phrase = piper_speech(joe, "Hey coach.")
    audio = np.concatenate([silence(1.5), phrase, silence(1.5)])
    fired = hits(WakeWordDetector("hey coach"), audio)
    end = 1.5 + len(phrase) / 16000
    assert len(fired) == 1 and end - 0.3 <= fired[0] <= end + 0.8, (fired, end)


def test_hey_coach_over_a_fan_is_still_heard():
    phrase = espeak("hey coach", "en-us")
    audio = np.concatenate([silence(1.0), phrase, silence(1.5)])
    audio = audio + fan_noise(len(audio) / 16000, np.random.default_rng(1)) * 0.02
    assert len(hits(WakeWordDetector("hey coach"), audio)) == 1


def test_near_misses_and_read_text_do_not_wake_it(joe):
    detector = WakeWordDetector("hey coach")
    parts = [piper_speech(joe, text) for text in ("Hey there.", "Okay.", "The coat is on the chair.",
                                                  "I need a break.", "Stop.")]
    parts.append(espeak("Permission is hereby granted, free of charge, to any person obtaining a copy of this "
                        "software, to deal in the software without restriction.", "en-gb"))
    audio = np.concatenate([np.concatenate([p, silence(0.6)]) for p in parts])
    assert hits(detector, audio) == []
    assert detector.last_score < detector.head.threshold


def test_a_phrase_without_a_model_is_a_clear_error():
    with pytest.raises(EngineError, match="no wake model for 'hey computer'"):
        WakeWordDetector("hey computer")


def test_embeddings_come_every_80_ms_and_windows_slide_one_at_a_time():
    rows, ends = Embedder().clip(noise(3.0, 0.05))
    assert rows.shape[1] == 96 and np.all(np.diff(ends) == 1280)
    assert windows(rows).shape == (len(rows) - 15, 16, 96)
    assert np.array_equal(windows(rows)[1, 0], rows[1])


def test_the_spotter_wakes_by_the_network_when_the_config_chooses_it():
    from voicecoach.session import build_spotter
    from voicecoach.understand.router import Router

    """espeak-ng's en-us "hey coach", between silences: the endpointer's grammar mishears it, the network's
    first pass finds it and the detector's second check confirms it ("detected"). By default PocketSphinx's
    keyphrase search is the first pass."""
    from voicecoach.measure.voices import Speakers

    audio = np.concatenate([silence(1.0), Speakers().say("espeak:en-us", "hey coach"), silence(1.5)])
    config = Config()
    assert build_spotter(config, Router()).wake_word is None
    network = dataclasses.replace(config, asr=dataclasses.replace(config.asr, wake_detector="network"))
    spotter = build_spotter(network, Router())
    heard = [h for b in blocks(audio) for h in spotter.feed(b)]
    assert [(h.text, h.wake, h.reason) for h in heard] == [("hey coach", True, "detected")]


def test_the_check_on_demand_hears_the_phrase_that_just_ended_and_not_other_words():
    """Asked about the sound just heard, the network hears "hey coach" in an accent PocketSphinx mishears, and
    not near misses or other words. The same sound gives the same score every time (its state starts afresh)."""
    from voicecoach.measure.voices import Speakers

    speakers, check = Speakers(), WakeCheck("hey coach")

    def score(text: str) -> float:
        return check.score(blocks(np.concatenate([silence(1.0), speakers.say("espeak:en-029", text), silence(0.3)])), 0.7)

    phrase = score("hey coach")
    assert phrase >= ALONE_BAR and score("hey coach") == phrase
    for other in ("okay coach", "coach", "hey there", "the coach is here"):
        assert score(other) < CONFIRM_BAR, other
    assert check.score([], 0.7) == 0.0


def test_a_wake_phrase_that_pocketsphinx_mishears_is_heard_by_the_network_between_silences():
    """espeak-ng's Caribbean English "hey coach" after a quiet while: the idle grammar gives up on it and no
    first pass finds it; the network, asked about the short utterance, hears it."""
    from voicecoach.measure.voices import Speakers
    from voicecoach.session import build_spotter
    from voicecoach.understand.router import Router

    audio = np.concatenate([silence(1.0), Speakers().say("espeak:en-029", "hey coach"), silence(1.5)])
    spotter = build_spotter(Config(), Router())
    assert isinstance(spotter.wake_check, WakeCheck)
    heard = [h for b in blocks(audio) for h in spotter.feed(b)]
    assert [(h.text, h.wake) for h in heard] == [("hey coach", True)]
    spotter.ignore = lambda text: text == "hey coach"  # the device itself is saying it
    assert [h for b in blocks(np.concatenate([silence(2.0), audio])) for h in spotter.feed(b)] == []
    spotter.ignore, spotter.wake_check = (lambda text: False), None  # PocketSphinx alone
    assert [h for b in blocks(np.concatenate([silence(2.0), audio])) for h in spotter.feed(b)] == []



def test_a_wake_the_second_check_mishears_in_a_fan_is_confirmed_by_the_network():
    """Piper's "hey coach" with a fan 10 dB under it: the keyphrase search finds it, PocketSphinx's second
    check hears common words, the network hears the phrase where the first pass found it."""
    from voicecoach.measure.room import Room, by_name
    from voicecoach.measure.voices import Speakers
    from voicecoach.session import build_spotter
    from voicecoach.understand.router import Router

    audio, _ = Room(silence(1.0)).place(Speakers().say("piper:1.0", "hey coach"), by_name(["fan-10"])[0], lead=2.0)
    found = []
    for check in (True, False):
        spotter = build_spotter(Config(), Router())
        spotter.wake_check = spotter.wake_check if check else None
        found.append([(h.text, h.reason) for b in blocks(audio) for h in spotter.feed(b)])
    assert found == [[("hey coach", "detected")], []]


def test_the_network_is_asked_about_a_short_utterance_only_after_a_quiet_while():
    """Read text has short stretches between its pauses: only one that follows a second of quiet may be a
    wake said on its own (a sure check, so the rule alone decides)."""
    from voicecoach.session import build_spotter
    from voicecoach.testing import SureWakeCheck
    from voicecoach.understand.router import Router

    spotter = build_spotter(Config(), Router())
    spotter.wake_check = SureWakeCheck()
    audio = np.concatenate([silence(2.0), espeak("hello"), silence(0.5), espeak("okay"), silence(1.5)])
    heard = [h for b in blocks(audio) for h in spotter.feed(b)]
    assert [(h.text, h.wake) for h in heard] == [("hey coach", True)] and heard[0].start < 2.2
    assert spotter.wake_check.asked == 1
