"""Real Piper synthesis with the joe voice, the phrase cache, and night delivery measured on audio."""
import numpy as np
import pytest

from voicecoach.audio.resample import rms_dbfs
from voicecoach.config import load_config
from voicecoach.night import delivery_for
from voicecoach.speech.cache import PhraseCache, phrase_key
from voicecoach.speech.render import Renderer
from voicecoach.testing import ToneVoice


def test_joe_voice_speaks(joe):
    pieces = list(joe.sentences("This is a moment of suffering. May I be kind to myself.", 1.0))
    assert len(pieces) == 2  # streamed sentence by sentence
    audio = np.concatenate(pieces)
    seconds = len(audio) / joe.sample_rate
    assert joe.sample_rate == 22050 and 2.0 < seconds < 8.0
    assert rms_dbfs(audio) > -30


def test_synthesis_gives_its_freed_buffers_back_once_a_line_is_done(joe, monkeypatch):
    import voicecoach.speech.tts as tts

    released = []
    monkeypatch.setattr(tts, "release_free_memory", lambda: released.append(True))
    stream = joe.sentences("Rest here a while. There is no hurry.", 1.0)
    next(stream)
    assert not released  # not between sentences: that would slow the stream
    list(stream)
    assert released == [True]


def test_length_scale_slows_the_voice(joe):
    from voicecoach.audio.resample import trim_silence

    text = "Breathe in slowly, and let it out."
    normal = sum(len(trim_silence(a, joe.sample_rate)) for a in joe.sentences(text, 1.0))
    slow = sum(len(trim_silence(a, joe.sample_rate)) for a in joe.sentences(text, 1.4))
    assert slow > normal * 1.2


def test_cache_miss_then_hit(tmp_path):
    voice = ToneVoice()
    renderer = Renderer(voice, PhraseCache(tmp_path), 16000)
    first = renderer.line("Hello there. Be gentle.", 1.0)
    assert voice.calls == 1 and renderer.cache.misses == 1
    again = Renderer(voice, PhraseCache(tmp_path), 16000).line("Hello there. Be gentle.", 1.0)
    assert voice.calls == 1  # the second renderer read it from disk
    assert np.allclose(first, again, atol=1 / 16000)


def test_key_depends_on_voice_pace_and_text():
    keys = {phrase_key("a", 1.0, "x"), phrase_key("b", 1.0, "x"), phrase_key("a", 1.2, "x"), phrase_key("a", 1.0, "y")}
    assert len(keys) == 4


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty", "garbage"])
def test_corrupt_or_partial_entries_are_rendered_again(tmp_path, damage):
    voice = ToneVoice()
    renderer = Renderer(voice, PhraseCache(tmp_path), 16000)
    renderer.line("Rest here.", 1.0)
    path = renderer.cache.path(renderer.key("Rest here.", 1.0))
    blob = bytearray(path.read_bytes())
    if damage == "truncate":
        blob = blob[: len(blob) // 2]
    elif damage == "flip":
        blob[-10] ^= 0xFF
    elif damage == "empty":
        blob = bytearray()
    else:
        blob = bytearray(b"not audio at all" * 10)
    path.write_bytes(bytes(blob))
    fresh = Renderer(voice, PhraseCache(tmp_path), 16000)
    audio = fresh.line("Rest here.", 1.0)
    assert voice.calls == 2 and fresh.cache.repaired == 1 and len(audio) > 1000
    assert PhraseCache(tmp_path).get(fresh.key("Rest here.", 1.0)) is not None  # repaired on disk


def test_writes_are_atomic(tmp_path):
    cache = PhraseCache(tmp_path)
    cache.put("ab" * 16, np.zeros(100, np.float32), 16000)
    assert not list(tmp_path.rglob("*.part"))


def test_new_lines_stream_one_sentence_at_a_time(tmp_path):
    renderer = Renderer(ToneVoice(), PhraseCache(tmp_path), 16000)
    pieces = list(renderer.stream("One two. Three four five.", 1.0))
    assert len(pieces) == 2
    assert len(list(renderer.stream("One two. Three four five.", 1.0))) == 1  # cached: whole


@pytest.mark.parametrize("voice", ["tone", "joe"])
def test_a_line_sounds_the_same_fresh_and_from_the_cache(voice, joe, tmp_path):
    """Sample for sample, at an output rate the voice does not speak at: replayed trials must not depend
    on whether a line was rendered before."""
    speaker = ToneVoice() if voice == "tone" else joe
    renderer = Renderer(speaker, PhraseCache(tmp_path), 48000)
    text = "Breathe in slowly. Let your shoulders drop. You are doing fine."
    fresh = np.concatenate(list(renderer.stream(text, 1.0)))
    cached = Renderer(speaker, PhraseCache(tmp_path), 48000).line(text, 1.0)
    assert len(fresh) == len(cached)
    assert np.array_equal(fresh, cached)


def test_night_is_quieter_and_slower_on_rendered_audio(joe, tmp_path):
    from voicecoach.practices.player import Player
    from voicecoach.practices.schema import Pause, Say
    from voicecoach.practices.render_out import render_to_array

    config = load_config(None)
    renderer = Renderer(joe, PhraseCache(tmp_path), joe.sample_rate)
    line = "Let your shoulders drop a little. Breathe in slowly, and let it out."
    measured = {}
    for night in (False, True):
        d = delivery_for(config, night)
        audio = render_to_array(Player("t", [Say((line,)), Pause(2.0)], renderer, d))
        speech = render_to_array(Player("t", [Say((line,))], renderer, d))
        voiced = audio[np.abs(audio) > 0.01]
        measured[night] = (len(audio) / joe.sample_rate, rms_dbfs(voiced), np.max(np.abs(audio)), len(speech))
    day, night = measured[False], measured[True]
    assert night[3] >= day[3] * 1.15  # the speech itself is slower
    pause = lambda m: m[0] - m[3] / joe.sample_rate
    assert pause(night) >= pause(day) * 1.3  # and the pauses longer
    assert night[2] <= day[2] * 0.7 + 1e-3  # at most 0.7 of the day's loudness (peak)
    assert night[1] <= day[1] + 20 * np.log10(0.7)  # and of its RMS level
