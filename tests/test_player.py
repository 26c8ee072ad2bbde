"""The player and speaker with a tone voice: stop fades, pause, repeat, pace and volume."""
import numpy as np
import pytest

from voicecoach.audio.playback import Speaker
from voicecoach.config import load_config
from voicecoach.night import delivery_for
from voicecoach.practices.player import Player
from voicecoach.practices.schema import Cue, Light, Pause, Say
from voicecoach.practices.render_out import render_to_array
from voicecoach.speech.cache import PhraseCache
from voicecoach.speech.render import Renderer
from voicecoach.testing import ToneVoice

RATE = 16000
DAY = delivery_for(load_config(None), False)


def renderer(tmp_path):
    return Renderer(ToneVoice(), PhraseCache(tmp_path), RATE)


def pull(speaker, seconds, block=320):
    blocks, events = [], []
    for i in range(int(seconds * RATE / block)):
        out, ev = speaker.read(block, wait=True)
        blocks.append(out)
        events += [(i * block + at, name, data) for at, name, data in ev]
    return np.concatenate(blocks), events


def test_script_renders_with_pauses_and_events(tmp_path):
    script = [Light("breathe"), Cue("chime"), Say(("One two three.",)), Pause(1.5), Say(("Four five.",))]
    player = Player("p", script, renderer(tmp_path), DAY)
    speaker = Speaker(RATE, 1.0)
    speaker.play(player)
    audio, events = pull(speaker, 6)
    names = [e[1] for e in events]
    assert names == ["light", "cue", "said", "said", "finished"]
    said = [at for at, name, _ in events if name == "said"]
    gap = audio[said[0]:said[1]]
    assert (said[1] - said[0]) / RATE > 1.5  # the pause is really there
    assert np.max(np.abs(gap[-int(1.45 * RATE):])) == 0.0  # 1.5 s of silence before the next line
    assert np.max(np.abs(gap[: int(0.3 * RATE)])) > 0.1


def test_stop_fades_out_within_100_ms(tmp_path):
    player = Player("p", [Say(("one two three four five six seven eight nine ten",))], renderer(tmp_path), DAY)
    speaker = Speaker(RATE, 1.0)
    speaker.play(player)
    pull(speaker, 0.5)
    player.stop(fade_ms=60)
    after, events = pull(speaker, 0.3)
    loud = np.flatnonzero(np.abs(after) > 1e-4)
    assert loud[-1] / RATE < 0.1  # silent within 100 ms
    assert ("stopped" in [e[1] for e in events]) and player.stopped
    steps = np.abs(np.diff(after[: loud[-1] + 1]))
    assert steps.max() < 0.2  # a fade, not a click


def test_pause_and_resume(tmp_path):
    player = Player("p", [Say(("one two three four five six seven eight",))], renderer(tmp_path), DAY)
    speaker = Speaker(RATE, 1.0)
    speaker.play(player)
    pull(speaker, 0.3)
    player.pause()
    held, _ = pull(speaker, 1.0)
    assert np.max(np.abs(held)) == 0
    player.resume()
    rest, events = pull(speaker, 2.0)
    assert np.max(np.abs(rest)) > 0.1 and "finished" in [e[1] for e in events]


def repeat_in_the_pause(tmp_path, wait_before_repeat: float = 0.0):
    """Play two lines with a pause between; say "repeat" in the pause. What was said, and after."""
    import time

    script = [Say(("First line here.",)), Pause(3.0), Say(("Second line.",))]
    player = Player("p", script, renderer(tmp_path), DAY)
    speaker = Speaker(RATE, 1.0)
    speaker.play(player)
    _, first = pull(speaker, 1.5)
    time.sleep(wait_before_repeat)
    player.repeat()
    _, later = pull(speaker, 6)
    return player, [d["text"] for _, name, d in first + later if name == "said"], later


def test_repeat_says_the_last_line_again(tmp_path):
    _, said, _ = repeat_in_the_pause(tmp_path)
    assert said == ["First line here.", "First line here.", "Second line."]


def test_repeat_after_every_line_was_rendered_still_repeats_and_finishes(tmp_path):
    """The race CI once hit: the producer had rendered the last step before `repeat` came."""
    player, said, later = repeat_in_the_pause(tmp_path, wait_before_repeat=0.3)  # the end is already queued
    assert said == ["First line here.", "First line here.", "Second line."]
    assert [name for _, name, _ in later].count("finished") == 1 and player.finished
    player.close()
    assert not player.alive


def test_slower_stretches_later_lines(tmp_path):
    def length(factor):
        player = Player("p", [Pause(0.1), Say(("one two three four",)), Pause(1.0)], renderer(tmp_path), DAY)
        if factor:
            player.change_pace(factor)
        return len(render_to_array(player))
    assert length(1.15) > length(None) * 1.1 > length(1 / 1.15) * 1.1


def test_volume_changes_glide(tmp_path):
    player = Player("p", [Say(("one two three four five six seven eight nine",))], renderer(tmp_path), DAY)
    speaker = Speaker(RATE, 0.8)
    speaker.play(player)
    before, _ = pull(speaker, 0.6)
    speaker.set_volume(0.3)
    after, _ = pull(speaker, 0.6)
    assert np.max(np.abs(after[RATE // 10:])) < np.max(np.abs(before)) * 0.5


def test_starting_a_new_player_cuts_the_old_one(tmp_path):
    r = renderer(tmp_path)
    speaker = Speaker(RATE, 1.0)
    first = Player("a", [Say(("one two three four five six",))], r, DAY)
    speaker.play(first)
    pull(speaker, 0.2)
    speaker.play(Player("b", [Say(("seven",))], r, DAY))
    pull(speaker, 0.1)
    assert first.finished and first.stopped


class Hum:
    """A player that plays a steady tone for ever (its level: 0.5)."""

    finished = False
    alive = False

    def start(self):
        pass

    def read(self, frames, wait=False):
        return np.full(frames, 0.5, np.float32), []


def loudness_over_time(speaker, seconds, block=320):
    return np.array([np.max(np.abs(speaker.read(block)[0])) for _ in range(int(seconds * RATE / block))])


def test_talked_over_the_speaker_goes_soft_at_once_and_comes_back_slowly_once_they_are_quiet():
    from voicecoach.audio.playback import DUCK_GAIN, DUCK_HOLD_S, RISE_S

    speaker = Speaker(RATE, 0.8)
    speaker.play(Hum())
    loudness_over_time(speaker, 0.2)
    speaker.duck()  # a person talks over it ...
    talked_over = loudness_over_time(speaker, 0.4)
    speaker.duck()  # ... and on: it stays soft
    held = loudness_over_time(speaker, DUCK_HOLD_S - 0.1)
    rising = loudness_over_time(speaker, 0.1 + RISE_S + 0.1)
    full = 0.5 * 0.8
    assert talked_over[1:].max() == held.max() == pytest.approx(full * DUCK_GAIN, rel=1e-3)
    assert rising[-1] == pytest.approx(full, rel=1e-3)
    climb = np.diff(rising)
    assert (climb >= -1e-6).all() and climb.max() < full * 0.1  # no jump back to full loudness
    assert speaker.volume == 0.8  # the person's own setting is untouched
