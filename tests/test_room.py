"""Hearing in a real room: the front end, continuous detection with its second check, endpointing with talk
behind a request, the rooms the evaluation builds, and `doctor --listen` through a real PortAudio stream."""
import json

import numpy as np
import pytest

from tests.conftest import espeak, piper_speech, run_cli, scene, silence
from tests.test_alsa_playback import alsa_home
from voicecoach.audio.resample import resample, trim_silence
from voicecoach.listen.endpoint import BLOCK, EndpointSettings, Endpointer
from voicecoach.listen.engines.sphinx_engine import SphinxEngine
from voicecoach.listen.frontend import front_end
from voicecoach.listen.spotter import Spotter
from voicecoach.measure.room import CONDITIONS, MIC_FLOOR_DB, Room, active_rms, by_name, fan_noise, reading
from voicecoach.measure.voices import Speakers
from voicecoach.understand.router import Router


def pcm(audio: np.ndarray) -> np.ndarray:
    return (np.clip(audio, -1, 1) * 32767).astype(np.int16)


def blocks_of(audio: np.ndarray):
    x = pcm(audio)
    return [x[i:i + BLOCK] for i in range(0, len(x) - BLOCK + 1, BLOCK)]


@pytest.fixture(scope="module")
def talk():
    """Other talk, as a radio would carry it: read text in an espeak-ng voice."""
    return espeak(reading(120, 5000), "en-gb+m3", speed=170)


# -- the front end -------------------------------------------------------------------------------

def test_the_voice_detector_tells_speech_from_a_fan_and_leaves_the_sound_alone(joe):
    front = front_end("webrtc-vad")
    fan = fan_noise(6.0, np.random.default_rng(1)) * 0.01  # a fan across the room (-40 dBFS); it learns it in seconds
    speech = piper_speech(joe, "I need a break, right now please")
    during = {"fan": [], "speech": []}
    for name, audio in (("fan", fan), ("speech", speech + fan_noise(len(speech) / 16000, np.random.default_rng(2)) * 0.005)):
        for block in blocks_of(audio):
            assert np.array_equal(front.process(block), block)
            during[name].append(front.speech)
    assert np.mean(np.array(during["fan"][-100:]) >= 0.5) < 0.05
    assert np.mean(np.array(during["speech"]) >= 0.5) > 0.4


def test_the_cleaning_front_end_lowers_a_steady_fan_and_keeps_block_sizes():
    front = front_end("webrtc")
    fan = blocks_of(fan_noise(4.0, np.random.default_rng(3)) * 0.03)
    out = [front.process(b) for b in fan]
    assert all(len(o) == BLOCK and o.dtype == np.int16 for o in out)
    level = lambda bs: float(np.sqrt(np.mean(np.concatenate(bs).astype(float) ** 2)))  # noqa: E731
    assert level(out[-50:]) < 0.5 * level(fan[-50:])


@pytest.mark.parametrize("room, noisy, cleans", [("fan", True, True), ("loud fan", True, True),
                                                    ("talk", True, False), ("hiss", False, False)])
def test_the_steady_noise_front_end_cleans_a_fan_and_leaves_talk_and_hiss_as_they_are(talk, room, noisy, cleans):
    front = front_end("webrtc-auto")
    soft_fan = fan_noise(22.0, np.random.default_rng(4)) * 0.008  # about -42 dBFS: a fan, not hiss
    # a loud fan (-22 dBFS) is one too, though the voice detector hears speech in a part of it
    sound = {"fan": soft_fan * 4, "loud fan": soft_fan * 10, "talk": np.resize(talk, len(soft_fan)) * 0.3 + soft_fan,
             "hiss": np.random.default_rng(5).standard_normal(len(soft_fan)) * 0.002}[room]  # -54 dBFS
    out = [front.process(b) for b in blocks_of(sound)]
    assert (front.noisy, front.cleaning) == (noisy, cleans)
    assert all(len(o) == BLOCK and o.dtype == np.int16 for o in out)
    changed = not all(np.array_equal(o, b) for o, b in zip(out[-50:], blocks_of(sound)[-50:]))
    assert changed is cleans


def test_an_unknown_front_end_is_named():
    with pytest.raises(ValueError, match="unknown front end 'loud'"):
        front_end("loud")


# -- rooms for the evaluation --------------------------------------------------------------------

def test_a_room_puts_noise_and_talk_at_the_asked_level_and_is_repeatable(joe, talk):
    speech = piper_speech(joe, "I need a break")
    room = Room(talk)
    for condition in by_name(["fan-10", "talk-20"]):
        mixed, end = room.place(speech, condition, lead=1.0, tail=0.5)
        again, _ = room.place(speech, condition, lead=1.0, tail=0.5)
        assert np.array_equal(mixed, again)
        background = mixed[: 16000 - 400]  # the lead: the room alone
        wanted = condition.fan_db if condition.fan_db is not None else condition.talk_db
        measured = 20 * np.log10(np.sqrt(np.mean(background ** 2)) / active_rms(speech))
        assert abs(measured - wanted) < 4.0, (condition.name, measured)
        assert end == 16000 + len(speech)


def test_with_one_voice_level_a_fan_keeps_its_level_whoever_speaks(joe, talk):
    loud, soft = piper_speech(joe, "I need a break"), piper_speech(joe, "I need a break") * 0.3
    fan_level = lambda room, speech: float(np.sqrt(np.mean(room.place(speech, by_name(["fan-10"])[0])[0][:15000] ** 2)))  # noqa: E731
    steady, following = Room(talk, voice_db=-20.0), Room(talk)
    assert abs(20 * np.log10(fan_level(steady, loud) / fan_level(steady, soft))) < 0.5
    assert abs(20 * np.log10(fan_level(following, loud) / fan_level(following, soft))) > 9.0  # the old way
    placed, end = steady.place(soft, by_name(["quiet"])[0])
    assert abs(20 * np.log10(active_rms(placed[16000:end])) + 20.0) < 0.5  # the voice speaks at the asked level


def test_a_reverberant_room_smears_the_voice_but_keeps_its_level(joe, talk):
    speech = piper_speech(joe, "hand on heart")
    dry, _ = Room(talk, mic_floor_db=None).place(speech, by_name(["quiet"])[0])
    wet, _ = Room(talk, mic_floor_db=None).place(speech, by_name(["reverb"])[0])
    assert abs(20 * np.log10(active_rms(wet) / active_rms(dry))) < 1.5
    assert np.sum(np.abs(wet[-8000:])) > np.sum(np.abs(dry[-8000:]))  # the tail rings on after the voice ends
    assert {c.name for c in CONDITIONS} >= {"quiet", "fan-20", "fan-10", "talk-20", "talk-10", "reverb", "all"}


def test_even_a_quiet_room_has_a_microphones_hiss(joe, talk):
    quiet, _ = Room(talk).place(piper_speech(joe, "hey coach"), by_name(["quiet"])[0], lead=1.0)
    level = 20 * np.log10(np.sqrt(np.mean(quiet[:15000] ** 2)))
    assert abs(level - MIC_FLOOR_DB) < 1.0


def test_unknown_room_conditions_are_named():
    with pytest.raises(ValueError, match="unknown room condition kitchen"):
        by_name(["quiet", "kitchen"])


# -- continuous detection ------------------------------------------------------------------------

def spot(spotter, audio):
    return [text for text, _ in heard_at(spotter, audio)]


def heard_at(spotter, audio) -> list:
    """What idle heard, and the spotter's clock when it said so."""
    spotter.set_mode("idle")
    return [(h.text, spotter.now) for b in blocks_of(audio) for h in spotter.feed(b)]


# Each spotter has an engine of its own: one left in mid-utterance must not trouble another test's.
@pytest.fixture(scope="module")
def continuous():
    return Spotter(SphinxEngine(), Router(), ["hey coach"], front=front_end("webrtc-vad"), continuous=True)


@pytest.fixture(scope="module")
def between_silences():
    return Spotter(SphinxEngine(), Router(), ["hey coach"], front=front_end("webrtc-vad"))


@pytest.mark.parametrize("phrase", ["hey coach", "i need a break"])
def test_a_phrase_said_over_a_radio_is_heard_with_or_without_continuous_detection(joe, talk, continuous,
                                                                                  between_silences, phrase):
    """A radio talks on, 20 dB under the voice, with no pause around the phrase, and a microphone's hiss. In
    idle an utterance begins only where a voice rises 14 dB over the room's typical level (listen/endpoint.py),
    so the phrase is an utterance of its own between the radio's words. Before there was a bar, the endpointer
    never heard the talk end: this voice's phrase was heard in none of these takes either way; with a bar of
    10 dB, in four of five (the first take missed: the first takes of a fresh decoder fare worst); with 14 dB,
    in all five, and nothing else."""
    for spotter in (continuous, between_silences):
        heard = []
        for n, scale in enumerate((0.8, 0.9, 1.0, 1.1, 1.2)):
            audio, _ = Room(talk, seed=n).place(piper_speech(joe, phrase, scale), by_name(["talk-20"])[0])
            heard.append(spot(spotter, audio))
        assert heard == [[phrase]] * 5


def test_a_phrase_between_silences_is_heard_once_not_twice(joe, continuous):
    audio = scene(silence(0.8), piper_speech(joe, "i need a break"), silence(1.2), noise_level=0.003)
    assert spot(continuous, audio) == ["i need a break"]


def checks_recorded(spotter) -> list:
    """When (the spotter's clock) the second check and the open transcript were made, and on how many blocks."""
    calls, check, transcribe = [], spotter.detector.check, spotter.transcriber.transcribe
    spotter.detector.check = lambda blocks: calls.append(("check", spotter.now, len(blocks))) or check(blocks)
    spotter.transcriber.transcribe = lambda blocks: calls.append(("open", spotter.now, len(blocks))) or transcribe(
        blocks)
    return calls


def test_a_phrases_checks_are_made_while_its_ending_silence_passes(joe):
    """The endpointer waits 0.3 s of silence to end a phrase; its second check and open transcript (about
    0.1 s of decoding here) are made 0.14 s into that silence, so the reply need not wait for them after it."""
    spotter = Spotter(SphinxEngine(), Router(), ["hey coach"], front=front_end("webrtc-vad"), continuous=True)
    calls = checks_recorded(spotter)
    heard = heard_at(spotter, scene(silence(0.8), trim_silence(piper_speech(joe, "i need a break"), 16000), silence(1.2),
                                    noise_level=0.003))
    assert [text for text, _ in heard] == ["i need a break"]
    assert sorted(kind for kind, _, _ in calls) == ["check", "open"]
    assert all(heard[0][1] - at >= 0.1 for _, at, _ in calls), (heard, calls)


def test_a_voice_heard_again_after_the_look_ahead_has_the_checks_made_again_on_all_of_it(joe):
    spotter = Spotter(SphinxEngine(), Router(), ["hey coach"], front=front_end("webrtc-vad"), continuous=True)
    calls = checks_recorded(spotter)
    said = trim_silence(piper_speech(joe, "i need a break"), 16000)
    heard = heard_at(spotter, scene(silence(0.8), said, silence(0.2), trim_silence(piper_speech(joe, "hey coach"), 16000),
                                    silence(1.2), noise_level=0.003))
    made_ahead, made_at_end = [c for c in calls if c[0] == "check"][:2]
    assert made_at_end[2] > made_ahead[2]  # the whole utterance, not what the look-ahead had
    assert all(at >= made_at_end[1] for _, at in heard)


def test_a_wake_after_a_quiet_while_is_heard():
    """Half a minute of a still bedroom (a microphone's hiss, -65 dBFS) before "hey coach": the detector
    hears only speech and a little around it. When it heard everything, its decoder's running cepstral mean
    drifted to the hiss, and the wake that followed was checked against it and lost (0 of 4 in this voice)."""
    spotter = Spotter(SphinxEngine(), Router(), ["hey coach"], front=front_end("webrtc-auto"), continuous=True)
    wake = Speakers().say("espeak:en-us+f3", "hey coach")
    rng = np.random.default_rng(1)
    hiss = lambda seconds: rng.normal(0.0, 10 ** (-65 / 20), int(seconds * 16000))  # noqa: E731
    heard = [spot(spotter, np.concatenate([hiss(30.0), wake + hiss(len(wake) / 16000), hiss(1.5)]))
             for _ in range(2)]
    assert heard == [["hey coach"], ["hey coach"]]


def test_a_crisis_line_said_between_a_dramas_other_lines_is_held_and_said_alone_is_answered(joe, continuous):
    """The same words, "I want to die", heard between silences both times: after a line of a drama as loud
    as they are, the session holds them (a TV); after a quiet while, it answers them at once (a person)."""
    from voicecoach.session import CrisisInIdle, understood

    router = Router()
    line, said = piper_speech(joe, "Out walking. I don't know where."), piper_speech(joe, "I want to die.")
    continuous.set_mode("idle")
    for before, verdict in ((scene(line, silence(1.2)), "held"), (silence(8.0), "answered")):
        heard = [h for b in blocks_of(scene(before, said, silence(1.5), noise_level=0.0003))
                 for h in continuous.feed(b)]
        crisis = [h for h in heard if h.text == "i want to die"]
        assert len(crisis) == 1 and crisis[0].reason == "silence", heard
        assert understood(router, crisis[0], CrisisInIdle(), night=True)[1] == verdict


def test_the_second_check_keeps_a_radio_from_waking_the_device(continuous, talk):
    """Three minutes of read text: whatever the first pass fires on, the second check lets none through."""
    audio = np.concatenate([talk] * int(np.ceil(180 * 16000 / len(talk))))[: 180 * 16000]
    assert spot(continuous, audio) == []


# -- endpointing with talk behind ----------------------------------------------------------------

def test_a_request_ends_on_the_persons_pause_even_with_talk_behind_it(joe, talk):
    speech = piper_speech(joe, "give me a self hug please")
    audio, end = Room(talk).place(speech, by_name(["talk-20"])[0], lead=0.3, tail=3.0)
    front = front_end("webrtc-vad")
    settings = EndpointSettings(end_silence=0.4, max_length=6.0, foreground_db=14.0)
    endpointer = Endpointer(settings)
    ended = None
    for n, block in enumerate(blocks_of(audio)):
        events = endpointer.push(front.process(block), front.speech)
        ends = [data for kind, data in events if kind == "end"]
        if ends:
            ended = (ends[0], (n + 1) * BLOCK / 16000)
            break
    assert ended is not None and ended[0] == "silence"
    assert ended[1] < end / 16000 + 1.0  # within a second of the voice ending, not at the 6 s cap


# -- doctor --listen through real PortAudio streams ------------------------------------------------

def doctor_listen(tmp_path, mic: np.ndarray):
    home = alsa_home(tmp_path, pcm(mic))
    env = {"HOME": str(home), "VOICECOACH_CACHE_DIR": str(tmp_path / "cache"),
           "VOICECOACH_MODELS_DIR": str(tmp_path / "models"), "VOICECOACH_BOOT_CONFIG": str(tmp_path / "b.toml")}
    result = run_cli("doctor", "--json", "--listen", "--seconds", "3", env=env)
    return {c["name"]: c for c in json.loads(result.stdout)["checks"]}


def a_room_with_a_fan(tail: np.ndarray, seconds: float = 300.0) -> np.ndarray:
    rng = np.random.default_rng(5)
    room = fan_noise(3.0, rng) * 0.01
    rest = np.concatenate([tail] * int(np.ceil(seconds * 16000 / len(tail))))
    return np.concatenate([room, rest + fan_noise(len(rest) / 16000, rng) * 0.01])


def test_doctor_listen_describes_the_room_and_hears_the_person(tmp_path):
    said = np.concatenate([silence(3.0), espeak("I need a break") * 0.5])
    checks = doctor_listen(tmp_path, a_room_with_a_fan(said))
    assert checks["room"]["detail"].startswith("there is steady")
    assert checks["hearing"]["ok"], checks["hearing"]
    assert "heard \"I need a break\"" in checks["hearing"]["detail"]
    assert checks["echo return"]["detail"].startswith("the device")  # its own voice, measured while it spoke
    assert checks["microphone"]["ok"] and "whole voice" in checks["microphone"]["detail"]


def through_8khz(sound: np.ndarray) -> np.ndarray:
    """A microphone that sends only a telephone's band (a Bluetooth headset), as the computer gets it."""
    return resample(resample(sound, 16000, 8000), 8000, 16000)


def test_doctor_listen_says_when_the_microphone_sends_only_a_telephones_band(tmp_path):
    said = np.concatenate([silence(3.0), espeak("I need a break") * 0.5])
    checks = doctor_listen(tmp_path, through_8khz(a_room_with_a_fan(said)))
    assert not checks["microphone"]["ok"]
    assert "nothing above 4 kHz" in checks["microphone"]["detail"] and checks["microphone"]["fix"]
    assert not checks["microphone"]["blocking"]


def test_a_voice_through_a_16_khz_microphone_reaches_above_4_khz_and_through_8_khz_does_not(joe):
    from voicecoach.listen.room_check import NARROW_DB, upper_band_db

    rng = np.random.default_rng(3)
    for voice in (piper_speech(joe, "i need a break"), Speakers().say("espeak:en-gb", "I need a break")):
        heard = voice + rng.normal(0.0, 10 ** (MIC_FLOOR_DB / 20), len(voice))
        for sound, whole in ((heard, True), (through_8khz(heard), False)):
            loud = [b for b in blocks_of(sound) if np.abs(b).max() > 3000]
            assert bool(upper_band_db(loud) >= NARROW_DB) is whole
    assert upper_band_db([]) is None and upper_band_db([np.zeros(BLOCK, dtype=np.int16)]) is None


def test_doctor_listen_says_plainly_when_it_did_not_hear(tmp_path):
    checks = doctor_listen(tmp_path, a_room_with_a_fan(silence(3.0)))
    assert not checks["hearing"]["ok"]
    assert checks["hearing"]["detail"].startswith("did not hear")
    assert checks["hearing"]["fix"]


# -- the room evaluation, in short --------------------------------------------------------------

def test_eval_room_prints_a_table_per_condition_with_false_wakes_and_cpu():
    result = run_cli("eval", "room", "--voices", "tuning", "--per-group", "1", "--conditions", "quiet", "fan-20",
                     "--negative-minutes", "1", "--json", timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    rows = {(c, kind): (right, total) for c, group, kind, right, total in report["rows"]}
    assert set(rows) == {(c, k) for c in ("quiet", "fan-20") for k in ("wake", "direct", "crisis", "request")}
    assert all(rows[("quiet", k)] == (1, 1) for k in ("wake", "direct", "crisis"))  # Piper, in a quiet room
    assert report["groups"] == {"tuning": ["piper:1.0"]}
    assert report["negatives"] and report["negatives"][0][2] > 0.5  # minutes of read text heard
    # the TV drama, Piper playing both parts in a quiet and a reverberant room: its crisis lines are heard,
    # and at night never answered
    assert [(pair, room) for pair, room, _, _ in report["dramas"]] == [(["piper:1.0"] * 2, "quiet"),
                                                                    (["piper:1.0"] * 2, "reverb")]
    heard = [o for d in report["dramas"] for o in d[3]]
    assert any(o["found"] == "silence" for o in heard) and not any(o["night"] for o in heard)
    assert 0 < report["cpu_share"] < 1


def test_read_text_counts_what_the_device_would_answer():
    """A crisis phrase found inside read text is held by the session the first time: no false wake. A wake,
    and a crisis phrase said between silences, are answered: false wakes."""
    from voicecoach.listen.spotter import Heard
    from voicecoach.measure.in_room import RoomReport, _false_wake
    from voicecoach.session import CrisisInIdle

    def crisis(at, reason):
        return Heard("i want to die", "idle", at, at + 1.0, reason=reason, alternatives=("i want to die",))

    heard = [crisis(10.0, "detected"), Heard("hey coach", "idle", 30.0, 31.0, wake=True, reason="detected"),
             crisis(200.0, "detected"), crisis(230.0, "detected"), crisis(400.0, "silence")]
    router, rule = Router(), CrisisInIdle()
    outcomes = [_false_wake(h, router, rule) for h in heard]
    assert [o["answered"] for o in outcomes] == [False, True, False, True, True]  # the fourth: again within 60 s
    report = RoomReport(negatives=[("piper:1.0", "read text", 60.0, outcomes)])
    assert report.false_wakes_per_hour(["piper:1.0"]) == (3.0, 60.0, 3)


def test_eval_room_names_an_unknown_condition():
    result = run_cli("eval", "room", "--conditions", "kitchen")
    assert result.returncode != 0 and "unknown room condition kitchen" in result.stderr
    assert "Traceback" not in result.stderr
