import dataclasses

import pytest

from voicecoach.config import SECTIONS, ConfigError, config_reference, load_config
from tests.conftest import run_cli


def write(tmp_path, text):
    path = tmp_path / "voicecoach.toml"
    path.write_text(text)
    return path


def test_no_file_gives_defaults():
    config = load_config(None)
    assert config.button.pin == 17 and config.light.pin == 18
    assert config.asr.engine == "auto" and config.asr.wake_phrases == ["hey coach"]


def test_values_are_read_and_ints_become_floats(tmp_path):
    config = load_config(write(tmp_path, '[audio]\nvolume = 1\n[night]\nalways = true\nstart = "22:30"\n'))
    assert config.audio.volume == 1.0 and isinstance(config.audio.volume, float)
    assert config.night.always is True and config.night.start == "22:30"


@pytest.mark.parametrize("text, words", [
    ("[audio]\nvolum = 0.5\n", ["audio.volum", "did you mean 'audio.volume'"]),
    ("[nigth]\nalways = true\n", ["nigth", "did you mean 'night'"]),
    ("[audio]\nvolume = 1.5\n", ["audio.volume", "0.0 to 1.0"]),
    ("[audio]\nvolume = \"loud\"\n", ["audio.volume", "must be a number"]),
    ("[night]\nstart = \"9pm\"\n", ["night.start", "HH:MM"]),
    ("[asr]\nengine = \"whisper\"\n", ["asr.engine", "auto, vosk, pocketsphinx"]),
    ("[button]\npin = 40\n", ["button.pin", "0 to 27"]),
    ("[night]\nalways = 1\n", ["night.always", "true or false"]),
    ("[asr]\nwake_phrases = []\n", ["asr.wake_phrases", "non-empty list"]),
    ("[audio\nvolume = 0.5\n", ["not valid TOML"]),
])
def test_errors_name_file_key_and_what_is_allowed(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_cli_exits_2_without_traceback(tmp_path):
    path = write(tmp_path, "[audio]\nvolume = 3\n")
    result = run_cli("--config", str(path), "intent", "hello")
    assert result.returncode == 2
    assert "audio.volume" in result.stderr and "Traceback" not in result.stderr


def test_missing_config_file_is_named(tmp_path):
    result = run_cli("--config", str(tmp_path / "nope.toml"), "practice", "--list")
    assert result.returncode == 2 and "nope.toml" in result.stderr and "no such" in result.stderr


def test_reference_lists_every_key():
    reference = config_reference()
    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            assert f"`{section}.{f.name}`" in reference


def test_docs_config_reference_is_current():
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "CONFIG.md").read_text()
    assert config_reference() in text


def test_unwritable_output_is_a_clear_error(tmp_path):
    result = run_cli("say", "Hello.", "--out", str(tmp_path / "no-such-dir" / "x.wav"))
    assert result.returncode == 1 and "cannot write" in result.stderr and "Traceback" not in result.stderr
