"""The whole loop from files: `voicecoach simulate` with PocketSphinx, Piper and the real coach."""
import json

import numpy as np
import pytest

from tests.conftest import espeak, piper_speech, run_cli, save, scene, silence
from voicecoach.audio.wav import read_wav


@pytest.fixture
def simulate(tmp_path, shared_cache):
    def run(audio, *args, config=""):
        wav = save(tmp_path / "in.wav", audio)
        out = tmp_path / "out.wav"
        (tmp_path / "c.toml").write_text(config)
        result = run_cli("--config", str(tmp_path / "c.toml"), "simulate", str(wav), "--out", str(out), "--json",
                         "--seed", "3", *args, env={"VOICECOACH_CACHE_DIR": str(shared_cache)})
        assert result.returncode == 0, result.stderr
        events = [json.loads(line) for line in result.stdout.splitlines()]
        return events, read_wav(out)[0]
    return run


def names(events):
    return [e["event"] for e in events]


def first(events, name):
    return next(e for e in events if e["event"] == name)


def test_direct_request_plays_the_break_to_the_end(simulate, joe):
    events, out = simulate(scene(silence(1.0), piper_speech(joe, "I need a break."), silence(1.0)))
    assert first(events, "wake")["source"] == "phrase"
    assert first(events, "practice_started")["practice"] == "self_compassion_break"
    said = [e["text"] for e in events if e["event"] == "said"]
    assert len(said) >= 10 and names(events)[-1] == "practice_finished"
    assert all(e["t"] >= 0 for e in events) and all("t" in e for e in events)
    reply = np.flatnonzero(np.abs(out) > 0.01)[0] / 16000
    speech_end = 1.0 + len(piper_speech(joe, "I need a break.")) / 16000
    assert reply - speech_end < 0.6  # the chime starts within a breath


def test_wake_phrase_then_request_in_another_voice(simulate, joe):
    audio = scene(silence(1.0), piper_speech(joe, "Hey coach."), silence(0.9),
                  espeak("can we do the hug one", "en-us"), silence(1.0), noise_level=0.001)
    events, _ = simulate(audio)
    assert first(events, "wake")["source"] == "hotword"
    assert first(events, "transcript")["text"] == "can we do the hug one"
    assert first(events, "intent") == {**first(events, "intent"), "intent": "soothing_touch",
                                       "slots": {"touch": "self_hug"}}
    assert first(events, "practice_started")["option"] == "self_hug"


def test_button_starts_and_stops_with_a_kind_close(simulate):
    at_any_hour = '[button]\nat_night = "break"\n'  # a tap starts the Break, by day or night
    events, out = simulate(silence(8.0), "--press", "1.0", "--press", "6.0", config=at_any_hour)
    assert first(events, "wake")["source"] == "button" and first(events, "wake")["t"] == pytest.approx(1.0, abs=0.03)
    stopped = first(events, "practice_stopped")
    assert stopped["t"] == pytest.approx(6.0, abs=0.15)
    goodbye = [e for e in events if e["event"] == "practice_started"][-1]
    assert goodbye["practice"] == "goodbye"
    first_sound = np.flatnonzero(np.abs(out) > 0.01)[0] / 16000
    assert first_sound - 1.0 < 0.05  # button to first sound


def test_stop_by_voice_in_the_middle(simulate, joe):
    audio = scene(silence(0.5), piper_speech(joe, "I need a break."), silence(7.0), piper_speech(joe, "Stop."),
                  silence(3.0))
    events, out = simulate(audio)
    stop_heard = [e for e in events if e["event"] == "intent" and e["intent"] == "stop"]
    assert stop_heard and first(events, "practice_stopped")["t"] - stop_heard[0]["t"] < 0.15
    assert "practice_finished" not in [e["event"] for e in events if e.get("practice") == "self_compassion_break"]


def test_own_voice_echo_wakes_nothing_and_stops_nothing(simulate, joe):
    audio = scene(silence(0.5), piper_speech(joe, "I need a break."), silence(1.0))
    events, _ = simulate(audio, "--echo", "0.6")
    assert names(events).count("wake") == 1
    assert "practice_stopped" not in names(events)
    assert [e["practice"] for e in events if e["event"] == "practice_started"] == ["self_compassion_break"]
    assert names(events)[-1] == "practice_finished"


def test_crisis_words_get_the_support_message(simulate, joe):
    audio = scene(silence(0.5), piper_speech(joe, "I want to die."), silence(1.0))
    events, _ = simulate(audio)
    assert first(events, "practice_started")["practice"] == "crisis_support"
    spoken = " ".join(e["text"] for e in events if e["event"] == "said")
    assert "9 8 8" in spoken and "9 1 1" in spoken
    assert "breath" not in spoken.lower()  # never a breathing exercise alone


def test_crisis_during_a_practice_interrupts_it(simulate, joe):
    audio = scene(silence(0.5), piper_speech(joe, "I need a hug."), silence(6.0),
                  piper_speech(joe, "I want to kill myself."), silence(2.0))
    events, _ = simulate(audio)
    started = [e["practice"] for e in events if e["event"] == "practice_started"]
    assert started == ["soothing_touch", "crisis_support"]


def test_unclear_request_gets_a_gentle_line_listens_once_more_then_returns_to_idle(simulate, joe):
    audio = scene(silence(0.5), piper_speech(joe, "Hey coach."), silence(0.8), espeak("what is the weather"),
                  silence(1.0))
    events, _ = simulate(audio)
    assert [e["practice"] for e in events if e["event"] == "practice_started"] == ["not_understood"]
    finished = names(events).index("practice_finished")
    assert names(events)[finished:] == ["practice_finished", "request_ended"]  # listened again; silence: idle
    assert events[-1]["reason"] == "timeout"


def test_realtime_run_keeps_the_same_timeline(simulate):
    # by day a tap starts the Break; a second tap stops it, so the run lasts seconds of real time, not minutes
    events, out = simulate(silence(2.0), "--press", "0.5", "--press", "1.5", "--realtime", "--day")
    assert first(events, "wake")["t"] == pytest.approx(0.5, abs=0.03)
    first_sound = np.flatnonzero(np.abs(out) > 0.01)[0] / 16000
    assert 0.5 <= first_sound < 0.6


@pytest.mark.parametrize("content, problem", [
    (b"", "empty"), (b"hello, this is text", "not a WAV"), (b"RIFF\x10\x00\x00\x00WAVEfmt ", "not a usable WAV"),
])
def test_bad_input_files_are_clear_errors(tmp_path, content, problem):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    result = run_cli("simulate", str(path), "--json")
    assert result.returncode == 1 and problem in result.stderr and "Traceback" not in result.stderr


def test_missing_input_file(tmp_path):
    result = run_cli("simulate", str(tmp_path / "none.wav"))
    assert result.returncode == 1 and "no such file" in result.stderr


def test_the_same_long_input_gives_the_same_events_every_time(tmp_path, joe):
    """Fresh phrase caches each time, so every line is synthesized anew on each run."""
    audio = scene(silence(1.0), piper_speech(joe, "I need a break."), silence(9.0), piper_speech(joe, "Stop."),
                  silence(6.0), piper_speech(joe, "Hey coach."), silence(0.8), espeak("can we do the hug one"),
                  silence(12.0), noise_level=0.002)
    wav = save(tmp_path / "long.wav", audio)
    runs = []
    for n in range(2):
        result = run_cli("simulate", str(wav), "--json", "--press", "40", "--out", str(tmp_path / f"out{n}.wav"),
                         env={"VOICECOACH_CACHE_DIR": str(tmp_path / f"cache{n}")})
        assert result.returncode == 0, result.stderr
        runs.append(result.stdout)
    assert len(runs[0].splitlines()) > 20 and runs[0] == runs[1]
    assert (tmp_path / "out0.wav").read_bytes() == (tmp_path / "out1.wav").read_bytes()


def test_a_run_ends_in_the_block_its_stop_is_set(tmp_path, joe):
    """What the simulate command's signal handler does: it sets `stop`, never raising KeyboardInterrupt (one
    raised while a finalizer runs is swallowed, and the run would go on)."""
    from voicecoach.config import load_config
    from voicecoach.simulate import SimulationOptions, run_simulation

    options = SimulationOptions(presses=[0.5], night=False)
    report = lambda event, data: options.stop.set() if event == "practice_started" else None
    wav = save(tmp_path / "quiet.wav", silence(30.0))
    out = run_simulation(load_config(None), str(wav), str(tmp_path / "out.wav"), report, options, voice=joe)
    assert 0.5 <= len(out) / 16000 < 0.6  # the practice started at the press, and the run ended with that block
    assert len(read_wav(tmp_path / "out.wav")[0]) == len(out)  # what was played is written


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_a_realtime_run_ends_on_a_signal_with_exit_0(tmp_path, sig, shared_cache):
    import os
    import signal
    import subprocess
    import sys
    import time

    wav = save(tmp_path / "quiet.wav", silence(30.0))
    out = tmp_path / "out.wav"
    proc = subprocess.Popen([sys.executable, "-m", "voicecoach", "simulate", str(wav), "--realtime", "--press", "0.5",
                             "--json", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "VOICECOACH_CACHE_DIR": str(shared_cache)})
    assert b"practice_started" in proc.stdout.readline() + proc.stdout.readline()  # it is under way
    sent = time.monotonic()
    proc.send_signal(getattr(signal, sig))
    assert proc.wait(timeout=10) == 0, proc.stderr.read().decode()
    assert time.monotonic() - sent < 1.5 and out.stat().st_size > 44  # what was played so far is written


def test_over_the_device_voice_full_duplex_hears_every_control_and_half_duplex_only_stop(simulate, joe):
    """No echo reaches this microphone (one across the room): nothing of the device's voice to take out."""
    at_any_hour = '[button]\nat_night = "break"\n'
    timeline, _ = simulate(silence(12.0), "--press", "0.5", "--press", "11", "--day", config=at_any_hour)
    second_line = [e["t"] for e in timeline if e["event"] == "said"][1]
    pause = piper_speech(joe, "Pause.", 1.25)
    audio = scene(silence(second_line + 0.8), pause * (0.03 / np.sqrt(np.mean(pause ** 2))), silence(4.0))
    events = {}
    for duplex in ("full", "half"):
        events[duplex], _ = simulate(audio, "--press", "0.5", "--press", "11", "--day",
                                     config=at_any_hour + f'[asr]\nduplex = "{duplex}"\n')
    paused = [e for e in events["full"] if e["event"] == "paused"]
    assert paused and second_line < paused[0]["t"] < second_line + 3.0
    assert "paused" not in names(events["half"]) and "intent" not in names(events["half"])
    said_over = [e for e in events["full"] if e["event"] == "said" and e["t"] <= paused[0]["t"]]
    assert said_over[-1]["t"] == second_line  # it was said over the device's second line
