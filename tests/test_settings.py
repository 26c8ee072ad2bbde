"""Settings at run time: provisioning from the boot partition, the last good settings kept, reload."""
from pathlib import Path

import pytest

from voicecoach.config import ConfigError
from voicecoach.device.settings import LAST_GOOD, Settings, waiting_for_restart


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def places(tmp_path):
    main = write(tmp_path / "etc" / "voicecoach.toml", "[audio]\nvolume = 0.5\n")
    return main, tmp_path / "boot" / "voicecoach.toml", tmp_path / "state"


def test_a_valid_boot_file_is_imported_and_wins_over_the_main_file(places):
    main, boot, state = places
    write(boot, '[audio]\nvolume = 0.3\n[safety]\ncountry = "GB"\n')
    loaded = Settings(str(main), boot, state).load()
    assert loaded.imported and not loaded.problems
    assert loaded.config.audio.volume == 0.3 and loaded.config.safety.country == "GB"
    boot.unlink()  # the card's file is gone after the first boot; the device keeps what it imported
    again = Settings(str(main), boot, state).load()
    assert again.config.audio.volume == 0.3 and not again.imported


def test_a_bad_boot_file_is_reported_and_ignored(places):
    main, boot, state = places
    write(boot, "[audio]\nvolum = 0.3\n")
    loaded = Settings(str(main), boot, state).load()
    assert loaded.config.audio.volume == 0.5
    assert len(loaded.problems) == 1
    assert "audio.volum" in loaded.problems[0] and "did you mean 'audio.volume'" in loaded.problems[0]
    assert "boot partition was ignored" in loaded.problems[0]
    assert not (state / "provisioned.toml").exists()


def test_a_broken_main_file_keeps_the_last_good_settings_across_a_restart(places):
    main, boot, state = places
    Settings(str(main), boot, state).load()
    write(main, "[audio]\nvolume = 7\n")
    fresh = Settings(str(main), boot, state).load()  # a new process: only the saved copy is left
    assert fresh.config.audio.volume == 0.5 and fresh.config.source.endswith(LAST_GOOD)
    assert "out of range" in fresh.problems[0] and "keeping the last good settings" in fresh.problems[0]


def test_a_reload_of_a_broken_file_keeps_what_is_running(places):
    main, boot, state = places
    settings = Settings(str(main), boot, state)
    settings.load()
    write(main, "[audio\nvolume = 0.9\n")
    assert settings.load().config.audio.volume == 0.5
    write(main, "[audio]\nvolume = 0.9\n")
    assert settings.load().config.audio.volume == 0.9


def test_broken_settings_with_nothing_good_ever_kept_are_an_error(places):
    main, boot, state = places
    write(main, "[audio]\nvolume = true\n")
    with pytest.raises(ConfigError, match="audio.volume"):
        Settings(str(main), boot, state).load()


def test_keys_that_need_a_restart_are_named(places):
    main, boot, state = places
    old = Settings(str(main), boot, state).load().config
    write(main, '[audio]\nvolume = 0.9\noutput_device = "USB"\n[button]\npin = 27\n')
    new = Settings(str(main), boot, state).load().config
    assert waiting_for_restart(old, new) == ["audio.output_device", "button.pin"]


def test_a_reload_applies_volume_night_and_wake_phrases_to_a_running_session(places):
    from voicecoach.session import apply_config, build_session
    from voicecoach.config import load_config
    from voicecoach.hardware.light import NoLight
    from voicecoach.testing import ScriptedEngine, ToneVoice

    main, boot, state = places
    session = build_session(load_config(main), 16000, NoLight(), lambda *a: None, engine=ScriptedEngine([]),
                            voice=ToneVoice())
    write(main, '[audio]\nvolume = 0.9\n[asr]\nwake_phrases = ["hello friend"]\n[night]\nalways = true\n')
    apply_config(session, load_config(main))
    assert session.coaching.delivery().night
    assert session.speaker.volume == pytest.approx(0.9 * 0.6)
    assert "hello friend" in session.spotter.wake_phrases
    assert session.spotter.ignore == session.is_own_voice


def test_a_reload_while_someone_is_speaking_hands_pocketsphinx_to_the_new_spotter():
    """The old spotter still has an utterance open in the engine's decoder; the new one must still begin
    its own (a decoder cannot change its search inside an utterance) and hear the new wake phrase."""
    import dataclasses

    import numpy as np

    from tests.conftest import blocks_of, espeak, silence
    from voicecoach.config import load_config
    from voicecoach.hardware.light import NoLight
    from voicecoach.session import apply_config, build_session
    from voicecoach.testing import ToneVoice

    reported = []
    config = load_config(None)
    session = build_session(config, 16000, NoLight(), lambda name, data: reported.append((name, data)),
                            voice=ToneVoice())
    before = np.concatenate([silence(1.0), espeak("hey coach, I think I need a break")])
    after = np.concatenate([silence(1.5), espeak("hello friend"), silence(1.0), espeak("stop"), silence(1.5)])
    cut = int(1.6 * 16000)  # in the middle of the first sentence
    for block in blocks_of(before[:cut]):
        session.hear(block)
    assert session.spotter.recognizers["idle"]._open
    apply_config(session, dataclasses.replace(config, asr=dataclasses.replace(config.asr,
                                                                              wake_phrases=("hello friend",))))
    for block in blocks_of(np.concatenate([before[cut:], after])):
        session.hear(block)
    heard = [data["mode"] for name, data in reported if name == "transcript"]
    intents = [data["intent"] for name, data in reported if name == "intent"]
    assert heard == ["request"] and intents == ["stop"]  # woken by the new phrase, then heard
