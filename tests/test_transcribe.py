"""Open transcription of requests with PocketSphinx: our own language model, the grammar alongside, and a
second opinion for a crisis phrase spotted without a wake phrase."""
import numpy as np
import pytest

from tests.conftest import blocks_of, espeak, piper_speech, scene, silence
from voicecoach.listen.engines.sphinx_engine import SphinxEngine
from voicecoach.listen.language_model import build_arpa
from voicecoach.listen.spotter import Spotter
from voicecoach.listen.transcribe import Transcriber
from voicecoach.session import ALLOWED
from voicecoach.testing import ScriptedEngine
from voicecoach.understand.router import Router


@pytest.fixture(scope="module")
def router():
    return Router(encoder=None)



def test_the_language_model_is_valid_arpa_and_sums_to_one():
    arpa = build_arpa(["i need a break", "i need a hug", "give me a break"])
    sections = {line.split("=")[0]: int(line.split("=")[1]) for line in arpa.splitlines() if line.startswith("ngram")}
    grams = {n: [ln for ln in arpa.split(f"\\{n}-grams:")[1].split("\n\n")[0].strip().splitlines()] for n in (1, 2, 3)}
    assert [sections[f"ngram {n}"] for n in (1, 2, 3)] == [len(grams[n]) for n in (1, 2, 3)]
    unigrams = {ln.split("\t")[1]: 10 ** float(ln.split("\t")[0]) for ln in grams[1]}
    assert abs(sum(unigrams.values()) - 1.0) < 1e-3  # our words and general English, one distribution
    assert unigrams["break"] > unigrams["the"] / 20  # our phrasings weigh far above their share of English
    after_need = {ln.split("\t")[1].split()[1]: 10 ** float(ln.split("\t")[0]) for ln in grams[2]
                  if ln.split("\t")[1].startswith("need ")}
    assert after_need == pytest.approx({"a": 2 / 3 + 1 / 3 * unigrams["a"]}, rel=1e-3)  # Witten-Bell


def test_open_transcription_hears_a_sentence_that_is_in_no_example(router, joe):
    engine = SphinxEngine()
    open_rec = engine.open_recognizer(router.sentences())
    sentence = "i really need a hug right now"
    assert sentence not in router.sentences()
    open_rec.begin()
    for b in blocks_of(scene(silence(0.3), piper_speech(joe, sentence), silence(0.5))):
        open_rec.feed(b.tobytes())
    heard = open_rec.end()
    assert "hug" in heard.split() and router.route(heard).name == "soothing_touch"


def test_a_request_comes_with_every_reading(router, joe):
    spotter = Spotter(SphinxEngine(), router, ["hey coach"])
    spotter.set_mode("request")
    heard = [h for b in blocks_of(scene(silence(0.3), piper_speech(joe, "give me a self hug"), silence(1.0)))
             for h in spotter.feed(b)]
    assert len(heard) == 1 and heard[0].alternatives[0] in router.phrases()  # the grammar's transcript
    runners_up = heard[0].runners_up  # the open decode's other readings
    assert 1 <= len(runners_up) <= 2 and len({heard[0].text, *runners_up}) == 1 + len(runners_up)
    intents = router.understand((heard[0].text, *heard[0].alternatives), ALLOWED["request"])
    assert intents[0].name == "soothing_touch" and intents[0].slots == {"touch": "self_hug"}


def test_a_crisis_phrase_spotted_in_idle_gets_a_second_opinion(router):
    spotter = Spotter(SphinxEngine(), router, ["hey coach"])
    said = [h for b in blocks_of(scene(silence(0.5), espeak("i want to die"), silence(0.8))) for h in spotter.feed(b)]
    assert [h.text for h in said] == ["i want to die"]
    assert said[0].alternatives and "die" in said[0].alternatives[0].split()
    plain = [h for b in blocks_of(scene(silence(0.5), espeak("i need a break"), silence(0.8))) for h in spotter.feed(b)]
    assert [h.alternatives for h in plain] == [()]  # the second opinion is only for crisis phrases


@pytest.mark.parametrize("open_text, runners_up, grammar, agrees", [
    ("i would like to to a friend about this", [], "i wish i was dead", False),  # the grammar's forced choice
    ("give me a self hug", [], "give me a self hug", True),
    ("i want to you", ["i want to hurt my"], "i want to hurt myself", True),  # half its words in some reading
    ("", [], "i need a break", False),
])
def test_the_grammar_is_heard_only_when_the_open_readings_share_its_words(open_text, runners_up, grammar, agrees):
    transcriber = Transcriber(ScriptedEngine(), ["i need a break"], ["i need a break"])
    transcriber.heard, transcriber.runners_up = (open_text, grammar), runners_up
    assert transcriber.grammar_agrees() is agrees


def test_the_request_evaluation_hears_the_voice_through_a_microphone_never_digital_silence():
    from voicecoach.measure.requests import LEAD_S, TAIL_S, through_microphone
    from voicecoach.measure.room import MIC_FLOOR_DB

    speech = np.concatenate([np.full(3200, 0.3), np.zeros(3200), np.full(3200, -0.3)]).astype(np.float32)
    pcm = through_microphone(speech, np.random.default_rng(1))
    assert len(pcm) == len(speech) + int((LEAD_S + TAIL_S) * 16000)
    blocks = pcm[: len(pcm) // 320 * 320].reshape(-1, 320).astype(np.float64) / 32767
    assert (np.abs(blocks).max(axis=1) > 0).all()  # no 20 ms of exact zeros, between words either
    quiet = blocks[: int(LEAD_S * 50)]
    assert abs(10 * np.log10(np.mean(quiet ** 2)) - MIC_FLOOR_DB) < 1.0
    again = through_microphone(speech, np.random.default_rng(1))
    assert np.array_equal(pcm, again)  # seeded: a figure measured today is measured the same way tomorrow


def test_the_request_evaluation_counts_what_the_device_does(router):
    from voicecoach.measure.requests import evaluate_requests

    spotter = Spotter(SphinxEngine(), router, ["hey coach"])
    spoken = (("i need a break", "self_compassion_break"), ("thank you", "stop"), ("give me a self hug", "stop"))
    report = evaluate_requests(spotter, router, ["piper:1.0"], ALLOWED["request"], spoken=spoken)
    assert [r.right() for r in report.results] == [True, True, False]  # small talk ends a request as "stop" does
    assert report.accuracy() == pytest.approx(2 / 3) and report.latency_ms()["p95"] > 0
