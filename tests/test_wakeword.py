"""The wake network: our head on openWakeWord's features hears "hey coach" in a room and little else."""
import dataclasses

import numpy as np
import pytest

from conftest import espeak, noise, piper_speech, silence
from voicecoach.config import Config
from voicecoach.listen.engines import EngineError
from voicecoach.listen.wakeword import Embedder, WakeWordDetector, has_wake_model, windows
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
