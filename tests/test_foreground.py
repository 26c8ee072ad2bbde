"""A wake phrase must stand out from the sound before it, and a crisis phrase said with no wake over the
seconds before it (listen/foreground.py)."""
import numpy as np

from conftest import blocks_of, noise, silence
from voicecoach.listen.endpoint import block_level
from voicecoach.listen.foreground import STANDS_OUT_DB, TALK_BEFORE_S, over_sound_before, stands_out


def tone(seconds: float, level: float) -> np.ndarray:
    t = np.arange(int(seconds * 16000)) / 16000
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_a_phrase_after_a_quiet_room_stands_far_out():
    blocks = blocks_of(np.concatenate([noise(2.0, 0.001), tone(0.7, 0.3), noise(0.2, 0.001)]))
    assert stands_out(blocks, 0.2) > 40


def test_a_phrase_run_on_from_sound_as_loud_does_not():
    blocks = blocks_of(np.concatenate([noise(0.5, 0.001), tone(1.5, 0.3), tone(0.7, 0.3), noise(0.2, 0.001)]))
    assert abs(stands_out(blocks, 0.2)) < 1


def test_steady_noise_14_db_under_the_phrase_lets_it_through_and_louder_noise_does_not():
    """A fan 14 dB under a voice (its loudest blocks) leaves the phrase standing out; a fan 8 dB under it does not."""
    phrase = tone(0.7, 0.3)  # about -13.5 dBFS
    for fan_db, through in ((-14, True), (-8, False)):
        fan = 0.3 / np.sqrt(2) * 10 ** (fan_db / 20)
        audio = np.concatenate([noise(2.0, fan, seed=1), phrase + noise(0.7, fan, seed=2), noise(0.2, fan, seed=3)])
        assert (stands_out(blocks_of(audio), 0.2) >= STANDS_OUT_DB) is through


def test_the_phrase_is_looked_for_where_it_ended_not_at_the_end_of_what_is_kept():
    """Talk that began again after the phrase does not count as the sound before it."""
    audio = np.concatenate([silence(2.0), tone(0.7, 0.3), silence(0.3), tone(1.0, 0.3)])
    assert stands_out(blocks_of(audio), 1.3) > 40
    assert stands_out(blocks_of(audio), 0.0) < 1


def test_too_little_sound_kept_to_tell_lets_the_phrase_through():
    assert stands_out(blocks_of(tone(0.5, 0.3)), 0.0) == float("inf")
    assert stands_out([], 0.0) == float("inf")


def levels_of(*parts: np.ndarray) -> list:
    return [block_level(b) for b in blocks_of(np.concatenate(parts))]


def test_a_crisis_phrase_is_weighed_against_the_loudest_of_the_seconds_before_it_began():
    """A line of talk as loud as the phrase 3 s before it: the phrase stands out by nothing. The same line
    further back than TALK_BEFORE_S: by the room's hiss, far. A fan 12 dB under it: by about that."""
    phrase, hiss = tone(1.5, 0.3), noise(TALK_BEFORE_S + 1.0, 0.0003)
    talk_before = levels_of(tone(1.0, 0.3), noise(3.0, 0.0003), phrase, noise(0.5, 0.0003))
    assert abs(over_sound_before(talk_before, 2.0, 0.5)) < 1
    long_ago = levels_of(tone(1.0, 0.3), hiss, phrase, noise(0.5, 0.0003))
    assert over_sound_before(long_ago, 2.0, 0.5) > 50
    fan = 0.3 / np.sqrt(2) * 10 ** (-12 / 20)
    over_fan = levels_of(noise(4.0, fan, seed=1), phrase + noise(1.5, fan, seed=2), noise(0.5, fan, seed=3))
    assert 10 < over_sound_before(over_fan, 2.0, 0.5) < 14


def test_a_crisis_phrase_with_nothing_kept_before_it_stands_out():
    assert over_sound_before(levels_of(tone(1.5, 0.3)), 1.5, 0.0) == float("inf")
