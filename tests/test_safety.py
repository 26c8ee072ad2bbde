"""The crisis lines: only true things for every country, a caregiver's own lines, and a way to check them."""
import re
from importlib import resources

import pytest

from tests.conftest import run_cli
from voicecoach.config import SafetyConfig, SECTIONS
from voicecoach.practices.schema import PracticeError, Say, load_library, parse_practice
from voicecoach.safety import built_in, crisis_lines, spoken_number

COUNTRIES = ["US", "CA", "GB", "IE", "AU", "NZ"]


def spoken(safety: SafetyConfig) -> str:
    crisis = load_library()["crisis_support"]
    values = crisis_lines(safety).values()
    return " ".join(step.variants[0] for step in crisis.script(values=values) if isinstance(step, Say))


def test_every_country_of_the_config_has_checked_lines():
    choices = [f for f in SECTIONS["safety"]().__dataclass_fields__.values() if f.name == "country"][0]
    assert sorted(choices.metadata["choices"]) == sorted(built_in()) == sorted(COUNTRIES)
    raw = resources.files("voicecoach.safety").joinpath("lines.toml").read_text("utf-8")
    for country in COUNTRIES:
        section = raw.split(f"[{country}]")[1].split("\n[")[0]
        comments = " ".join(line for line in section.splitlines() if line.startswith("#"))
        assert re.search(r"[Cc]hecked \d{4}-\d\d-\d\d", comments), country  # where and when it was checked
        assert all(lines.call and lines.emergency for lines in built_in().values())


@pytest.mark.parametrize("country", COUNTRIES)
def test_no_country_says_text_without_a_text_number(country):
    lines = crisis_lines(SafetyConfig(country=country))
    words = spoken(SafetyConfig(country=country))
    assert ("text" in words) == (lines.text is not None), words
    assert "{" not in words and "}" not in words


@pytest.mark.parametrize("country", COUNTRIES)
def test_each_number_is_said_twice_and_nothing_else_is_a_number(country):
    lines = crisis_lines(SafetyConfig(country=country))
    words = spoken(SafetyConfig(country=country))
    for line in (lines.call, lines.text, lines.emergency):
        if line:
            assert words.count(line.spoken) >= 2, (line, words)
    said_digits = set(re.findall(r"\d+", words))
    allowed = {d for line in (lines.call, lines.text, lines.emergency) if line for d in re.findall(r"\d+", line.spoken)}
    assert said_digits <= allowed


def test_what_is_true_in_each_country():
    assert "text 1 1 6" not in spoken(SafetyConfig(country="GB"))  # Samaritans has had no text line since 2020
    assert "Shout, on 8 5 2 5 8" in spoken(SafetyConfig(country="GB"))
    assert "text to 5 0 8 0 8" in spoken(SafetyConfig(country="IE")) and "1 1 2" in spoken(SafetyConfig(country="IE"))
    australia = spoken(SafetyConfig(country="AU"))
    assert "call Lifeline, on 13, 11, 14" in australia and "text to Lifeline, on 0 4 7 7, 13, 11, 14" in australia
    assert "triple zero" in australia
    for country, number in (("US", "9 8 8"), ("CA", "9 8 8"), ("NZ", "1 7 3 7")):
        assert f"call or text {number}" in spoken(SafetyConfig(country=country))


def test_a_caregivers_own_lines():
    mine = SafetyConfig(country="GB", call_line="0800 123 456", call_name="the night nurse", text_line="",
                        emergency_line="112")
    words = spoken(mine)
    assert "call the night nurse, on 0 8 0 0, 1 2 3, 4 5 6" in words
    assert "text" not in words and "Samaritans" not in words and "9 9 9" not in words
    assert words.count("1 1 2") == 2


def test_an_empty_line_is_not_spoken():
    words = spoken(SafetyConfig(call_line="", text_line="", emergency_line=""))
    assert not re.search(r"\d|call|text", words)
    assert "someone near you" in words and "right here with you" in words
    only_text = spoken(SafetyConfig(country="AU", call_line=""))
    assert "call" not in only_text.replace("in an emergency", "").split("danger now,")[0]
    assert "send a text to Lifeline, on 0 4 7 7, 13, 11, 14, any time" in only_text


def test_the_older_keys_keep_their_meaning():
    # every installed device's config holds crisis_line = "" and emergency_number = "": the country's lines
    assert crisis_lines(SafetyConfig(country="GB", crisis_line="", emergency_number="")) == \
        crisis_lines(SafetyConfig(country="GB"))
    legacy = crisis_lines(SafetyConfig(crisis_line="0800 1111", emergency_number="112"))
    assert legacy.call.number == "0800 1111" and legacy.emergency.spoken == "1 1 2"
    newer_wins = crisis_lines(SafetyConfig(call_line="", crisis_line="0800 1111"))
    assert newer_wins.call is None


@pytest.mark.parametrize("written, said", [
    ("0800 123 456", "0 8 0 0, 1 2 3, 4 5 6"), ("988", "9 8 8"), ("+44 20-7946-0000", "plus 4 4, 2 0, 7 9 4 6, 0 0 0 0"),
    ("my nurse line", "my nurse line"),
])
def test_numbers_are_said_digit_by_digit(written, said):
    assert spoken_number(written) == said


def test_prepare_renders_only_the_lines_that_are_said():
    crisis = load_library()["crisis_support"]
    gb = crisis.all_lines(crisis_lines(SafetyConfig(country="GB")).values())
    us = crisis.all_lines(crisis_lines(SafetyConfig(country="US")).values())
    assert any("Shout" in line for line in gb) and not any("call or text" in line for line in gb)
    assert any("call or text" in line for line in us) and not any("send a text" in line for line in us)


def test_a_bad_condition_names_the_file_and_step():
    bad = {"name": "x", "title": "x", "intent": "x", "steps": [{"say": "hello", "when": "Not A Name"}]}
    with pytest.raises(PracticeError, match=r"x\.toml: steps step 1: when must be"):
        parse_practice("x.toml", bad)


def test_doctor_and_practice_show_what_will_be_said(tmp_path, shared_cache):
    config = tmp_path / "gb.toml"
    config.write_text('[safety]\ncountry = "GB"\n')
    doctor = run_cli("--config", str(config), "doctor", "--json")
    import json

    crisis = next(c for c in json.loads(doctor.stdout)["checks"] if c["name"] == "crisis")
    assert crisis["ok"] and "116 123" in crisis["detail"] and "Shout 85258" in crisis["detail"]
    out = tmp_path / "c.wav"
    practice = run_cli("--config", str(config), "practice", "crisis_support", "--out", str(out),
                       env={"VOICECOACH_CACHE_DIR": str(shared_cache)})
    assert practice.returncode == 0, practice.stderr
    assert "You can call Samaritans, on 1 1 6, 1 2 3" in practice.stdout and out.stat().st_size > 100_000
    assert "text 1 1 6" not in practice.stdout
