"""A wake phrase must stand out from the sound before it (listen/foreground.py)."""
import numpy as np

from conftest import blocks_of, noise, silence
from voicecoach.listen.foreground import STANDS_OUT_DB, stands_out


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
