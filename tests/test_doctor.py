"""`voicecoach doctor` on this machine, and what a damaged model or a missing voice does to a device."""
import json

import pytest

from conftest import piper_speech, run_cli, save, scene, silence
from test_alsa_playback import alsa_home


def doctor(*args, env=None):
    result = run_cli(*args, "doctor", "--json", env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, {c["name"]: c for c in json.loads(result.stdout)["checks"]}


@pytest.fixture
def sound_card(tmp_path):
    """ALSA's file plugin as the sound card, and an empty models folder."""
    home = alsa_home(tmp_path)
    return {"HOME": str(home), "VOICECOACH_MODELS_DIR": str(tmp_path / "models"),
            "VOICECOACH_BOOT_CONFIG": str(tmp_path / "boot.toml")}


def broken_vosk_model(folder):
    (folder / "am").mkdir(parents=True)
    (folder / "am" / "final.mdl").write_bytes(b"\x00B<TransitionModel> not really" * 10)
    (folder / "conf").mkdir()
    (folder / "conf" / "model.conf").write_text("--sample-frequency=16000\n")
    return folder


def test_every_check_has_the_promised_fields_and_nothing_blocks_with_a_sound_card(sound_card):
    code, checks = doctor(env=sound_card)
    expected = {"libraries", "config", "boot file", "speaker", "microphone", "engine", "wake", "echo", "voice", "cache", "gpio", "night",
                "crisis", "service", "understand"}
    assert set(checks) == expected
    for check in checks.values():
        assert set(check) >= {"name", "ok", "detail", "fix"} and check["detail"]
        assert check["ok"] or check["fix"], check
    assert checks["speaker"]["ok"] and "48000" in checks["speaker"]["detail"]
    assert checks["microphone"]["ok"] and checks["voice"]["ok"] and checks["libraries"]["ok"]
    assert not checks["engine"]["ok"] and "models fetch" in checks["engine"]["fix"]  # no Vosk model yet
    assert not checks["gpio"]["ok"] and not checks["gpio"]["blocking"]  # no GPIO here: not fatal
    assert code == 0


def test_a_missing_speaker_blocks_and_says_how_to_fix_it(sound_card, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[audio]\noutput_device = "NoSuchCard"\n')
    code, checks = doctor("--config", str(config), env=sound_card)
    assert code == 1
    assert not checks["speaker"]["ok"] and checks["speaker"]["blocking"]
    assert "NoSuchCard" in checks["speaker"]["detail"] and "voicecoach devices" in checks["speaker"]["fix"]


def test_a_bad_config_and_a_bad_boot_file_are_named(sound_card, tmp_path):
    (tmp_path / "boot.toml").write_text("[light]\npin = 99\n")
    config = tmp_path / "c.toml"
    config.write_text("[audio]\nvolume = 'high'\n")
    code, checks = doctor("--config", str(config), env=sound_card)
    assert code == 1 and checks["config"]["blocking"] and "audio.volume" in checks["config"]["detail"]
    assert not checks["boot file"]["ok"] and "light.pin" in checks["boot file"]["detail"]


def test_a_damaged_vosk_model_and_a_missing_voice_fail_their_checks_but_do_not_block(sound_card, tmp_path):
    broken_vosk_model(tmp_path / "models" / "vosk-model-small-en-us-0.15")
    config = tmp_path / "c.toml"
    config.write_text('[asr]\nengine = "vosk"\n[voice]\nname = "en_US-lessac-medium"\n')
    code, checks = doctor("--config", str(config), env=sound_card)
    assert not checks["engine"]["ok"] and "damaged" in checks["engine"]["fix"]
    assert not checks["voice"]["ok"] and "default voice is used instead" in checks["voice"]["detail"]
    assert "models fetch --voice en_US-lessac-medium" in checks["voice"]["fix"]
    assert code == 0


def a_minimal_image(folder):
    """A `vosk` that fails to load as the real one does on a minimal Bookworm image: its library links
    libatomic.so.1, which is not there (the loader's own error, for a path that does not exist)."""
    (folder / "vosk.py").write_text('import ctypes\nctypes.CDLL("/no/such/dir/libatomic.so.1")\n')
    return str(folder)


def test_a_missing_system_library_is_named_with_the_package_that_brings_it(sound_card, tmp_path):
    broken_vosk_model(tmp_path / "models" / "vosk-model-small-en-us-0.15")
    config = tmp_path / "c.toml"
    config.write_text('[asr]\nengine = "vosk"\n')
    env = {**sound_card, "PYTHONPATH": a_minimal_image(tmp_path)}
    code, checks = doctor("--config", str(config), env=env)
    libraries = checks["libraries"]
    assert not libraries["ok"] and not libraries["blocking"]  # PocketSphinx stands in for Vosk
    assert "libatomic.so.1 is missing" in libraries["detail"] and "Vosk" in libraries["detail"]
    assert libraries["fix"] == "run: sudo apt install libatomic1"
    assert checks["engine"]["fix"] == "run: sudo apt install libatomic1"  # not "the model is damaged"
    assert code == 0


def test_with_a_damaged_model_and_a_missing_voice_the_device_still_answers(tmp_path, joe, shared_cache):
    broken_vosk_model(tmp_path / "models" / "vosk-model-small-en-us-0.15")
    config = tmp_path / "c.toml"
    config.write_text('[asr]\nengine = "vosk"\n[voice]\nname = "en_US-lessac-medium"\n')
    wav = save(tmp_path / "in.wav", scene(silence(1.0), piper_speech(joe, "I need a break."), silence(1.5)))
    result = run_cli("--config", str(config), "simulate", str(wav), "--json",
                     env={"VOICECOACH_MODELS_DIR": str(tmp_path / "models"), "VOICECOACH_LOG": "warning",
                          "VOICECOACH_CACHE_DIR": str(shared_cache)})
    assert result.returncode == 0, result.stderr
    assert "cannot be loaded" in result.stderr and "falling back to PocketSphinx" in result.stderr
    assert "using the default voice instead" in result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(e["event"] == "practice_started" and e["practice"] == "self_compassion_break" for e in events)


def test_echo_check_times_the_canceller_and_names_the_duplex_mode(sound_card):
    code, checks = doctor(env=sound_card)
    assert checks["echo"]["ok"] and "% of a core" in checks["echo"]["detail"]
    assert "full duplex" in checks["echo"]["detail"]


def test_wake_check_names_the_first_pass_and_a_phrase_the_network_was_not_trained_on_goes_to_pocketsphinx(sound_card, tmp_path):
    code, checks = doctor(env=sound_card)
    assert checks["wake"]["ok"] and checks["wake"]["detail"].startswith("PocketSphinx finds hey coach")
    assert "wake network checks what PocketSphinx does not hear" in checks["wake"]["detail"]
    network = tmp_path / "network.toml"
    network.write_text('[asr]\nwake_detector = "network"\n')
    code, checks = doctor("--config", str(network), env=sound_card)
    assert checks["wake"]["ok"] and "wake network listens for 'hey coach' while anyone talks" in checks["wake"]["detail"]
    other = tmp_path / "other.toml"
    other.write_text('[asr]\nwake_detector = "network"\nwake_phrases = ["hello speaker"]\n')
    code, checks = doctor("--config", str(other), env=sound_card)
    assert checks["wake"]["ok"] and checks["wake"]["detail"].startswith("PocketSphinx finds hello speaker")
    assert "no wake network" in checks["wake"]["detail"]
