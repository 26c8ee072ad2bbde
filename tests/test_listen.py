"""Endpointing and the spotter on real speech: PocketSphinx on espeak-ng voices and Piper, over noise."""
import numpy as np
import pytest

from tests.conftest import blocks_of, espeak, noise, piper_speech, scene, silence
from voicecoach.understand.router import Router
from voicecoach.listen.endpoint import EndpointSettings, Endpointer
from voicecoach.listen.spotter import Spotter

RATE = 16000



def tone(seconds, level=0.3):
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * 300 * t)).astype(np.float32)


def test_endpointer_finds_start_and_end_after_trailing_silence():
    ep = Endpointer(EndpointSettings(end_silence=0.3))
    events = []
    for i, block in enumerate(blocks_of(scene(silence(0.5), tone(1.0), silence(1.0)))):
        events += [((i + 1) * 0.02, kind) for kind, _ in ep.push(block) if kind != "audio"]
    (start, k1), (end, k2) = events
    assert k1 == "start" and k2 == "end"
    assert 0.5 < start <= 0.62
    assert 1.8 <= end <= 1.9  # 1.5 s end of tone + 0.3 s silence


def test_endpointer_ignores_steady_noise_and_hears_speech_over_it():
    ep = Endpointer(EndpointSettings(end_silence=0.3))
    audio = scene(noise(3.0, 0.02), tone(0.8, 0.3) + noise(0.8, 0.02, seed=1), noise(1.0, 0.02, seed=2))
    kinds = [kind for block in blocks_of(audio) for kind, _ in ep.push(block) if kind != "audio"]
    assert kinds == ["start", "end"]


def test_endpointer_keeps_preroll():
    ep = Endpointer(EndpointSettings(preroll=0.3))
    starts = [data for block in blocks_of(scene(silence(1.0), tone(0.5))) for kind, data in ep.push(block)
              if kind == "start"]
    assert len(starts[0]) == 15  # 300 ms of blocks before and including the trigger


def chatter(seconds, level=0.01, seed=0):
    """Talk as an endpointer sees it: syllables of a voice 0.1-0.25 s long, with gaps shorter than a pause."""
    rng = np.random.default_rng(seed)
    pieces, total = [], 0.0
    while total < seconds:
        syllable, gap = rng.uniform(0.1, 0.25), rng.uniform(0.04, 0.15)
        pieces += [tone(syllable, level * rng.uniform(0.5, 1.5)), silence(gap)]
        total += syllable + gap
    return np.concatenate(pieces)[: int(seconds * RATE)]


def test_in_idle_a_voice_rising_over_talk_is_an_utterance_of_its_own():
    """A radio talks on 20 dB under the person: an utterance begins where the voice rises 10 dB over the
    room's typical level and ends when it falls back, keeping only a tenth of a second of the talk before it.
    Without the bar, the talk itself begins an utterance that never ends."""
    audio = scene(chatter(4.0), tone(0.8, 0.1) + chatter(0.8, seed=1), chatter(2.0, seed=2))
    events = {}
    for setting in (None, 10.0):
        ep = Endpointer(EndpointSettings(end_silence=0.3, max_length=60.0, over_talk_db=setting))
        events[setting] = [((i + 1) * 0.02, kind, data) for i, block in enumerate(blocks_of(audio))
                           for kind, data in ep.push(block) if kind != "audio"]
    assert [kind for _, kind, _ in events[None]] == ["start"] and events[None][0][0] < 1.0
    (start, k1, preroll), (end, k2, _) = events[10.0]
    assert (k1, k2) == ("start", "end")
    assert 4.0 < start <= 4.1 and 4.8 < end <= 5.2
    assert len(preroll) <= 5


@pytest.fixture(scope="module")
def spotter(sphinx):
    return Spotter(sphinx, Router(), ["hey coach"])


def spot(spotter, audio, mode="idle"):
    spotter.set_mode(mode)
    return [h.text for b in blocks_of(audio) for h in spotter.feed(b)]


PHRASES = ["hey coach", "i need a break", "i need a hug", "i am overwhelmed", "i want to die"]
ESPEAK_VOICES = ["en-us", "en-gb", "en-us+m3", "en-gb-x-rp"]


def test_direct_phrases_in_several_voices_over_noise(spotter, joe):
    results = {}
    for phrase in PHRASES:
        takes = [("espeak " + v, espeak(phrase, v)) for v in ESPEAK_VOICES]
        takes += [(f"piper x{ls}", piper_speech(joe, phrase, ls)) for ls in (0.9, 1.2)]
        for who, speech in takes:
            heard = spot(spotter, scene(silence(0.6), speech, silence(0.8), noise_level=0.005))
            results[(phrase, who)] = heard == [phrase]
    accuracy = sum(results.values()) / len(results)
    assert accuracy >= 0.85, [k for k, ok in results.items() if not ok]
    assert all(results[(p, "piper x0.9")] for p in PHRASES)  # the default voice, a little quicker


def test_only_control_words_while_guiding(spotter, joe):
    assert spot(spotter, scene(silence(0.5), espeak("stop"), silence(0.8)), "guiding") == ["stop"]
    assert spot(spotter, scene(silence(0.5), piper_speech(joe, "pause"), silence(0.8)), "guiding") == ["pause"]
    assert spot(spotter, scene(silence(0.5), piper_speech(joe, "slow down"), silence(0.8)), "guiding") == ["slow down"]
    assert spot(spotter, scene(silence(0.5), espeak("hey coach"), silence(0.8)), "guiding") == []


def test_a_phrase_inside_longer_talk_does_not_fire(spotter):
    talk = "so I told her that I need a break from the committee before the spring fair starts next month"
    assert spot(spotter, scene(silence(0.5), espeak(talk), silence(0.8))) == []


def test_request_mode_transcribes_whole_requests(joe):
    """A spotter and engine of its own: what a decoder hears depends on what it heard before (its picture of
    the room), so a shared one made this test pass or fail by the order tests ran in."""
    from voicecoach.listen.engines.sphinx_engine import SphinxEngine

    spotter = Spotter(SphinxEngine(), Router(), ["hey coach"])
    heard = spot(spotter, scene(silence(0.5), piper_speech(joe, "Can we do the hug one?"), silence(0.8)), "request")
    assert heard == ["can we do the hug one"]


def test_request_times_out_in_silence(sphinx):
    s = Spotter(sphinx, Router(), ["hey coach"], request_wait=1.0)
    s.set_mode("request")
    out = [h for b in blocks_of(silence(1.5)) for h in s.feed(b)]
    assert [(h.text, h.reason) for h in out] == [("", "timeout")]


def test_own_voice_is_ignored(spotter):
    spotter.ignore = lambda text: text == "stop"
    try:
        assert spot(spotter, scene(silence(0.5), espeak("stop"), silence(0.8)), "guiding") == []
    finally:
        spotter.ignore = lambda text: False


def test_words_outside_the_dictionary_are_left_out(sphinx):
    rec = sphinx.recognizer(["i need a break", "zorblax quenfy"])
    assert rec.phrases == ["i need a break"]
