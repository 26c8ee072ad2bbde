"""Practice lengths on real rendered audio (the joe Piper voice): short, long, and the bedside session that
fades into silence; and the ways to ask for them: intent, simulate, the button at night."""
import json
import random

import numpy as np
import pytest

from tests.conftest import piper_speech, run_cli, save, scene, silence
from voicecoach.audio.resample import rms_dbfs
from voicecoach.coaching import Coaching
from voicecoach.config import load_config
from voicecoach.practices.render_out import render_to_array
from voicecoach.practices.schema import load_library
from voicecoach.speech.cache import PhraseCache
from voicecoach.speech.render import Renderer

RANGES = {"short": (40, 180), "long": (180, 420), "bedside": (600, 900)}  # seconds
GUIDED = ("self_compassion_break", "soothing_touch", "friend_reframe", "compassionate_letter")
FORMS = [(name, length) for name in GUIDED for length in ("short", "long")] + [("soothing_touch", "bedside")]


@pytest.fixture(scope="module")
def coaching(joe, shared_cache):
    def at(night: bool, seed: int = 1) -> Coaching:
        renderer = Renderer(joe, PhraseCache(shared_cache / "phrases"), joe.sample_rate)
        return Coaching(load_config(None), load_library(), renderer, random.Random(seed), night_override=night)
    return at


def render(coaching, name, length, night=False, option="hand_on_heart"):
    c = coaching(night)
    events = []
    audio = render_to_array(c.player(name, option, length=length), on_event=lambda n, d: events.append((n, d)))
    return audio, c.renderer.out_rate, events


@pytest.mark.slow
@pytest.mark.parametrize("name, length", FORMS)
def test_each_length_lasts_as_long_as_it_should_by_day_and_at_night(coaching, name, length):
    assert load_library()[name].form(length).length == length  # every guided practice has each length
    low, high = RANGES[length]
    for night in (False, True):
        audio, rate, _ = render(coaching, name, length, night)
        assert low <= len(audio) / rate <= high, (name, length, night, len(audio) / rate)


@pytest.mark.slow
def test_the_bedside_session_fades_slows_and_ends_in_silence(coaching):
    audio, rate, events = render(coaching, "soothing_touch", "bedside")
    minute = 60 * rate
    voiced = lambda part: part[np.abs(part) > 0.005]
    first, last_speech = voiced(audio[:minute]), voiced(audio[-5 * minute:])
    assert rms_dbfs(last_speech) <= rms_dbfs(first) - 6  # the voice is quieter by the end
    assert np.max(np.abs(audio[-minute:])) == 0  # the last minute is silence
    names = [n for n, _ in events]
    assert "cue" not in names[names.index("said"):]  # no chime after it begins, none at the end
    dims = [d["level"] for n, d in events if n == "dim"]
    assert dims == sorted(dims, reverse=True) and dims[-1] < 0.5  # the light dims with the voice
    assert [d["pattern"] for n, d in events if n == "light"][-1] == "off"


@pytest.mark.slow
def test_a_stop_in_minute_eight_fades_out_within_100_ms(coaching):
    player = coaching(False).player("soothing_touch", "self_hug", length="bedside").start()
    rate = player.rate
    try:
        for _ in range(8 * 60 * 10):  # eight minutes, in 100 ms blocks
            player.read(rate // 10, wait=True)
        assert not player.finished
        player.stop()
        faded, _ = player.read(rate // 10, wait=True)
        after, _ = player.read(rate // 10, wait=True)
        assert player.finished and player.stopped and np.max(np.abs(after)) == 0
        assert np.max(np.abs(faded[-rate // 20:])) == 0  # silent well within the 100 ms
    finally:
        player.close()


def test_intent_reports_the_length_asked_for():
    lines = "\n".join(["help me fall asleep", "I can't sleep", "a short break", "a longer soothing touch",
                       "I need a break", "stay with me for a while"])
    result = run_cli("intent", "--json", "-", stdin=lines)
    got = [(j["intent"], j["slots"].get("length")) for j in map(json.loads, result.stdout.splitlines())]
    assert got == [("soothing_touch", "bedside"), ("self_compassion_break", "bedside"),
                   ("self_compassion_break", "short"), ("soothing_touch", "long"), ("self_compassion_break", None),
                   ("soothing_touch", "bedside")]


@pytest.fixture
def simulate(tmp_path, shared_cache):
    def run(audio, *args, config=""):
        wav = save(tmp_path / "in.wav", audio)
        (tmp_path / "c.toml").write_text(config)
        result = run_cli("--config", str(tmp_path / "c.toml"), "simulate", str(wav), "--json", "--seed", "2", *args,
                         env={"VOICECOACH_CACHE_DIR": str(shared_cache)})
        assert result.returncode == 0, result.stderr
        return [json.loads(line) for line in result.stdout.splitlines()]
    return run


def started(events):
    return [(e["practice"], e.get("length", "short")) for e in events if e["event"] == "practice_started"]


@pytest.mark.slow
@pytest.mark.parametrize("request_, expected", [
    ("Help me fall asleep.", [("soothing_touch", "bedside")]),  # no goodbye after the stop: it ends softly
    ("A longer soothing touch.", [("soothing_touch", "long"), ("goodbye", "short")]),
])
def test_a_length_asked_for_aloud_is_what_plays_and_stop_ends_it(simulate, joe, request_, expected):
    audio = scene(silence(0.5), piper_speech(joe, "Hey coach."), silence(0.8), piper_speech(joe, request_),
                  silence(12.0), piper_speech(joe, "Stop."), silence(2.0))
    events = simulate(audio)
    assert started(events) == expected
    assert [e["practice"] for e in events if e["event"] == "practice_stopped"] == ["soothing_touch"]


@pytest.mark.slow
@pytest.mark.parametrize("at_night, expected", [("bedside", ("soothing_touch", "bedside")),
                                                ("break", ("self_compassion_break", "short"))])
def test_at_night_a_tap_starts_what_the_config_says(simulate, at_night, expected):
    config = f'[night]\nalways = true\n[button]\nat_night = "{at_night}"\n'
    events = simulate(silence(4.0), "--press", "0.5", "--press", "3.0", config=config)
    assert started(events)[0] == expected
