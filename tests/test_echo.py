"""Echo cancellation: the reference on its timeline, the room's echo, and WebRTC's AEC3 taking it out."""
import numpy as np
import pytest

from tests.conftest import espeak
from voicecoach.audio.playback import Speaker
from voicecoach.listen.echo import Coupling, EchoCanceller, EchoReference
from voicecoach.listen.endpoint import block_level
from voicecoach.measure.room import SpeakerEcho

RATE = 16000


class Steady:
    """A player that plays a slow sine for ever."""
    finished = False
    alive = False

    def __init__(self, rate):
        self.rate, self.n = rate, 0

    def start(self):
        pass

    def read(self, frames, wait=False):
        t = (self.n + np.arange(frames)) / self.rate
        self.n += frames
        return (0.5 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), []


def play(speaker, seconds, block, start_t):
    """Read the speaker as an output stream would, each block stamped with when it reaches the speaker."""
    t, out = start_t, []
    for _ in range(int(seconds * speaker.rate / block)):
        samples, _ = speaker.read(block, at=t)
        out.append(samples.copy())
        t += block / speaker.rate
    return np.concatenate(out), t


def at_16k(samples, rate):
    return np.interp(np.arange(int(len(samples) * RATE / rate)) * rate / RATE, np.arange(len(samples)), samples)


def test_the_reference_holds_what_was_played_at_its_time_across_a_volume_glide():
    speaker = Speaker(48000, 0.9)
    speaker.reference = EchoReference()
    speaker.play(Steady(48000))
    first, t = play(speaker, 0.5, 480, start_t=100.0)
    speaker.set_volume(0.3)  # glides over the next block
    second, _ = play(speaker, 0.5, 480, start_t=t)
    played = at_16k(np.concatenate([first, second]), 48000)
    heard = speaker.reference.read(100.0, len(played))
    assert np.max(np.abs(heard[16:-16] - played[16:-16])) < 0.02  # after the gain: the glide is in it
    assert np.max(np.abs(heard[-1600:])) < 0.2 < np.max(np.abs(heard[:1600]))


def test_the_reference_stays_aligned_across_a_stream_restart_at_another_rate_and_block_size():
    speaker = Speaker(48000, 1.0)
    speaker.reference = EchoReference()
    speaker.play(Steady(48000))
    before, t = play(speaker, 1.0, 480, start_t=50.0)
    speaker.read(int(0.3 * 48000))  # the stream is down for 0.3 s: read and dropped, never played
    restart = t + 0.3
    ref = speaker.reference
    speaker = Speaker(44100, 1.0)  # another device, at another rate and block size, writing the same timeline
    speaker.reference = ref
    speaker.play(Steady(44100))
    after, _ = play(speaker, 1.0, 441 * 3, start_t=restart)
    assert np.allclose(ref.read(50.2, 800), at_16k(before, 48000)[3200:4000], atol=0.02)
    assert not np.any(ref.read(t + 0.01, 3000))  # nothing was played while the stream was down
    expected = at_16k(after, 44100)
    assert np.allclose(ref.read(restart + 0.1, 800)[1:-1], expected[1600:2400][1:-1], atol=0.03)


def test_a_read_of_what_was_never_written_or_is_long_gone_is_silence():
    ref = EchoReference(seconds=1.0)
    ref.write(np.ones(16000, np.float32), 16000, 10.0)
    ref.write(np.ones(16000, np.float32), 16000, 12.0)
    assert not np.any(ref.read(10.5, 320))  # overwritten by the later block: its slots hold 12 s now
    assert np.all(ref.read(12.5, 320) == 1.0)
    assert not np.any(ref.read(13.5, 320))


def test_the_room_echo_is_late_reverberant_and_about_as_loud_as_its_gain():
    echo = SpeakerEcho(0.5, delay_s=0.04)
    click = np.zeros(16000, np.float32)
    click[0] = 1.0
    heard = np.concatenate([echo.feed(click[i:i + 320]) for i in range(0, 16000, 320)])
    first = int(np.argmax(np.abs(heard) > 0.05 * np.max(np.abs(heard))))
    assert 0.035 * RATE < first < 0.06 * RATE
    assert np.sqrt(np.sum(heard ** 2)) == pytest.approx(0.5 * np.tanh(1.5) / 1.5, rel=0.2)
    assert np.sum(heard[int(0.1 * RATE):] ** 2) > 0.01 * np.sum(heard ** 2)  # the room rings on


def voice_and_echo(gain, seconds=12.0):
    """A device voice (espeak) played in blocks, and the microphone hearing it through a room."""
    text = "Let us take a moment together. Notice how you feel, without trying to change a thing. " * 3
    played = espeak(text, "en-us")[: int(seconds * RATE)]
    room = SpeakerEcho(gain) if gain else None
    rng = np.random.default_rng(1)
    blocks = []
    for i in range(0, len(played) - 319, 320):
        ref = played[i:i + 320]
        mic = rng.standard_normal(320).astype(np.float32) * 3e-4 + (room.feed(ref) if room else 0)
        blocks.append(((np.clip(mic, -1, 1) * 32767).astype(np.int16), ref))
    return blocks


def with_person(blocks, text, said_at, under_db=6.0):
    """The same blocks with espeak-ng (en-gb) saying `text` from block `said_at`, `under_db` under the echo."""
    echo_db = np.mean([block_level(m) for m, _ in blocks[-150:] if block_level(m) > -50])
    words = espeak(text, "en-gb")
    words *= 10 ** ((echo_db - under_db) / 20) * 32767 / np.sqrt(np.mean(words[np.abs(words) > 0.01] ** 2))
    mixed = list(blocks)
    for n in range(min(len(words) // 320, len(blocks) - said_at)):
        mic, ref = blocks[said_at + n]
        person = words[n * 320:(n + 1) * 320]
        mixed[said_at + n] = (np.clip(mic + person, -32768, 32767).astype(np.int16), ref)
    return mixed, words


def test_aec3_takes_a_room_echo_out_and_says_it_found_one():
    aec = EchoCanceller()
    blocks = voice_and_echo(0.5)
    out = [aec.cancel(mic, ref) for mic, ref in blocks]
    late = slice(len(blocks) // 2, None)
    before = np.mean([block_level(m) for m, _ in blocks[late]])
    after = np.mean([block_level(o) for o in out[late]])
    assert aec.coupling.verdict == "found" and aec.clean_while_speaking
    assert before - after > 25
    quiet = np.zeros(320, np.float32)
    room = [(np.random.default_rng(i).standard_normal(320) * 300).astype(np.int16) for i in range(50)]
    idle = [aec.cancel(mic, quiet) for mic in room]
    assert all(np.array_equal(o, m) for o, m in zip(idle[30:], room[30:]))  # idle: the room as it came


def test_with_no_echo_the_sound_goes_on_as_it_came():
    """AEC3 that cannot find an echo silences everything while the device speaks; here it is not used."""
    aec = EchoCanceller()
    blocks = voice_and_echo(0.0)
    out = [aec.cancel(mic, ref) for mic, ref in blocks]
    assert aec.coupling.verdict == "none" and aec.clean_while_speaking
    assert all(np.array_equal(o, m) for o, (m, _) in zip(out[-100:], blocks[-100:]))


def test_until_the_echo_is_judged_the_device_talks_over_nothing():
    aec = EchoCanceller()
    for mic, ref in voice_and_echo(0.5, seconds=1.0):
        aec.cancel(mic, ref)
    assert aec.coupling.verdict == "unknown" and not aec.clean_while_speaking


def test_an_echo_that_does_not_follow_the_reference_is_unmatched():
    coupling = Coupling()
    rng = np.random.default_rng(2)
    for i in range(1000):
        playing = (i // 100) % 2 == 0
        played_db = rng.uniform(-40, -20) if playing else -100.0
        coupling.push(-30.0 + rng.normal(0, 0.5) if playing else -70.0, played_db)  # loud, but unrelated
    assert coupling.verdict == "unmatched"


def test_cancellation_that_cannot_keep_up_stops_and_the_session_falls_back_to_half_duplex():
    ticks = iter(np.arange(0, 1e4, 0.015))  # every block costs 15 ms of a 20 ms block
    aec = EchoCanceller(clock=lambda: next(ticks))
    blocks = voice_and_echo(0.5, seconds=8.0)
    for mic, ref in blocks:
        out = aec.cancel(mic, ref)
    assert not aec.keeping_up and not aec.clean_while_speaking
    assert np.array_equal(out, blocks[-1][0])  # the sound goes on as it came


def test_doctor_measures_the_echo_return_loss_and_what_cancellation_takes_out():
    from voicecoach.listen.echo import measure_echo

    found = measure_echo(voice_and_echo(0.25))
    assert found.verdict == "found" and found.ok
    assert 5 < found.return_loss_db < 20 and found.cancelled_db > 20
    assert "takes out" in found.describe()
    quiet = measure_echo(voice_and_echo(0.0))
    assert quiet.verdict == "none" and quiet.ok and "too little to matter" in quiet.describe()
    assert measure_echo([]).return_loss_db is None


def test_a_voice_over_the_echo_is_told_from_what_cancellation_leaves_of_the_device_alone():
    """The controls' network is believed only where the canceller left a voice: the device alone leaves
    none once AEC3 has found the echo; a person saying "stop" 6 dB under it does."""
    blocks = voice_and_echo(0.5)
    said_at = len(blocks) - 100
    blocks, stop = with_person(blocks, "stop", said_at)
    aec, alone = EchoCanceller(), []
    for i, (mic, ref) in enumerate(blocks):
        aec.cancel(mic, ref)
        if i == said_at + len(stop) // 320:
            over_it = aec.person_heard
        elif aec.clean_while_speaking and i < said_at:
            alone.append(aec.person_heard)
    assert len(alone) > 100 and not any(alone[-100:]) and over_it


def test_a_person_talking_over_the_device_is_told_within_the_word_and_the_device_alone_never_is():
    """The speaker goes soft while a person talks over it (`person_speaking`): a "stop" 6 dB under the echo
    is told within its first quarter second; the device's own voice, with AEC3 settled, never."""
    blocks = voice_and_echo(0.5)
    said_at = len(blocks) - 100
    blocks, stop = with_person(blocks, "stop", said_at)
    onset = int(np.argmax(np.abs(stop) > 0.01 * np.max(np.abs(stop)))) // 320
    aec, alone, told = EchoCanceller(), [], []
    for i, (mic, ref) in enumerate(blocks):
        aec.cancel(mic, ref)
        if i >= said_at:
            told.append(aec.person_speaking)
        elif aec.clean_while_speaking:
            alone.append(aec.person_speaking)
    assert len(alone) > 200 and not any(alone)
    assert any(told[onset:onset + 13])  # 260 ms


def test_once_cancellation_stops_keeping_up_a_person_talking_over_it_is_no_longer_told():
    """What the canceller measured before it stopped is old: the speaker must not stay soft on it."""
    blocks = voice_and_echo(0.5, seconds=12.0)
    blocks, _ = with_person(blocks, "please, please stop it now", len(blocks) - 150)

    class Clock:  # cancelling costs little, until the person is told: then far more than real time
        t, cost = 0.0, 0.0005

        def __call__(self):
            self.t += self.cost
            return self.t

    clock = Clock()
    aec, after = EchoCanceller(clock=clock), []
    for mic, ref in blocks:
        aec.cancel(mic, ref)
        if aec.person_speaking:
            clock.cost = 10.0
        if not aec.keeping_up:
            after.append(aec.person_speaking)
    assert clock.cost == 10.0 and after and not any(after)


def test_once_cancellation_stops_keeping_up_what_comes_in_is_what_was_heard():
    """The controls' network is believed where a voice was left; once nothing is taken out any more, as
    where nothing ever was, that is whatever came in (not what the canceller last measured)."""
    ticks = iter(np.arange(0, 1e4, 0.015))  # every block costs 15 ms of a 20 ms block
    aec, before = EchoCanceller(clock=lambda: next(ticks)), []
    for mic, ref in voice_and_echo(0.5, seconds=8.0):
        if aec.keeping_up:
            before.append(aec.person_heard)
        aec.cancel(mic, ref)
    assert not aec.keeping_up and not before[-1] and aec.person_heard
