import random
import re

import pytest

from voicecoach.understand.router import NAMES, CONTROLS
from voicecoach.practices.schema import (BREATH_CUES, Breathe, Cue, Light, Pause, PracticeError, Say, builtin_dir,
                                         load_library, load_practice, parse_practice)

RESPONSES = {"none": "not_understood", "stop": "goodbye"}


def test_every_practice_file_loads():
    library = load_library()
    assert len(library) == len(list(builtin_dir().glob("*.toml")))
    for practice in library.values():
        assert practice.all_lines()


def test_every_intent_has_a_practice_or_a_response():
    library = load_library()
    intents = {p.intent for p in library.values()}
    for name in NAMES:
        if name in CONTROLS and name != "stop":
            continue  # controls act on the playing practice
        assert name in intents or RESPONSES.get(name) in library, name


def test_options_of_the_practices_with_slots():
    library = load_library()
    assert set(library["soothing_touch"].option_names) == {"hand_on_heart", "self_hug", "cup_face"}
    assert set(library["obstacle"].option_names) == {"feels_fake", "off_the_hook", "not_deserving", "no_time"}


def test_any_picks_an_option_and_a_seed_makes_it_repeatable():
    touch = load_library()["soothing_touch"]
    scripts = [touch.script("any", random.Random(seed)) for seed in range(12)]
    assert scripts[3] == touch.script("any", random.Random(3))
    first_lines = {s[4].variants[0] for s in scripts}
    assert len(first_lines) > 1  # several options and variants come up


def test_chosen_option_is_used():
    touch = load_library()["soothing_touch"]
    lines = " ".join(s.variants[0] for s in touch.script("cup_face", random.Random(1)) if isinstance(s, Say))
    assert "face" in lines or "cheeks" in lines


def test_no_line_has_more_than_two_sentences_between_pauses():
    for practice in load_library().values():
        for line in practice.all_lines():
            assert len(re.findall(r"[.!?](\s|$)", line)) <= 2, line


def test_tone_has_no_guilt_or_jargon():
    banned = re.compile(r"\b(you should|you must|disorder|symptoms?|diagnos\w*|lol|haha)\b", re.I)
    for practice in load_library().values():
        for line in practice.all_lines():
            assert not banned.search(line), line


def test_crisis_message_is_filled_from_config():
    from voicecoach.config import SafetyConfig
    from voicecoach.safety import crisis_values

    crisis = load_library()["crisis_support"]
    uk = " ".join(s.variants[0] for s in crisis.script(values=crisis_values(SafetyConfig(country="GB")))
                  if isinstance(s, Say))
    assert "Samaritans" in uk and "9 9 9" in uk and "{" not in uk
    mine = crisis_values(SafetyConfig(call_line="my nurse line", emergency_line="123"))
    text = " ".join(s.variants[0] for s in crisis.script(values=mine) if isinstance(s, Say))
    assert "my nurse line" in text and "1 2 3" in text


def test_break_has_the_three_parts_in_order():
    lines = [s.variants[0].lower() for s in load_library()["self_compassion_break"].script("any", random.Random(0))
             if isinstance(s, Say)]
    text = " | ".join(lines)
    assert text.index("moment of suffering") < text.index("suffering is a part of life") < text.index("may i be kind")


@pytest.mark.parametrize("body, problem", [
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{say=[]}]', "step 1: say must be"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{say="Hi."}, {pause=-1}]', "step 2: pause must be"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{cue="gong"}]', "cue 'gong' is unknown"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{light="disco"}]', "light 'disco' is unknown"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{sing="la"}]', "unknown step 'sing'"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{say="One. Two. Three."}]', "more than two sentences"),
    ('title="X"\nintent="help"\nsteps=[{say="Hi."}]', "'name' is missing"),
    ('name="x"\ntitle="X"\nintent="help"\nstep=[{say="Hi."}]', "unknown key(s) step"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{say="Hi."}', "cannot read it"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{breathe=0}]', "step 1: breathe must be"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{breathe=3, cued=4}]', "step 1: breathe must be"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{say="Hi."}]\n[bedside]\nsteps=[{say="Hi."}, {pause=0}]',
     "[bedside]: steps step 2: pause must be"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{say="Hi."}]\n[long]\nfade_db=-40\nsteps=[{say="Hi."}]',
     "[long]: fade_db must be a number from -20 to 0"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{say="Hi."}]\n[long]\nstep=[{say="Hi."}]',
     "[long]: unknown key(s) step"),
    ('name="x"\ntitle="X"\nintent="help"\nsteps=[{say="Hi."}]\n[huge]\nsteps=[{say="Hi."}]', "unknown key(s) huge"),
])
def test_bad_practice_files_name_the_file_step_and_problem(tmp_path, body, problem):
    path = tmp_path / "broken.toml"
    path.write_text(body)
    with pytest.raises(PracticeError) as info:
        load_practice(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_steps_parse_to_types():
    practice = parse_practice("t", {"name": "t", "title": "T", "intent": "help",
                                    "steps": [{"say": "Hello."}, {"pause": 2}, {"cue": "chime"}]})
    assert practice.steps == (Say(("Hello.",)), Pause(2.0), Cue("chime"))


def test_longer_forms_are_data_and_a_missing_length_gives_the_nearest_shorter_one():
    library = load_library()
    touch, obstacle = library["soothing_touch"], library["obstacle"]
    assert touch.lengths == ("short", "long", "bedside")
    bedside = touch.form("bedside")
    assert bedside.length == "bedside" and bedside.fade_db < 0 and bedside.slow_to > 1
    assert library["self_compassion_break"].form("bedside").length == "long"
    assert obstacle.form("long") is obstacle and touch.form("short") is touch


def test_breathe_steps_parse_and_their_cues_are_prepared():
    practice = parse_practice("t", {"name": "t", "title": "T", "intent": "help",
                                    "steps": [{"breathe": 4, "cued": 2}, {"breathe": 2}]})
    assert practice.steps == (Breathe(4, 2), Breathe(2, 1))
    assert set(BREATH_CUES) <= set(practice.all_lines())


def test_a_fading_form_says_its_later_lines_slower_and_prepare_knows_which():
    bedside = load_library()["soothing_touch"].form("bedside")
    paced = dict(bedside.paced_lines())
    first = bedside.script("hand_on_heart", random.Random(0))
    said = [s.variants[0] for s in first if isinstance(s, Say)]
    assert paced[said[0]] == 1.0 and paced[said[-1]] == pytest.approx(bedside.slow_to)


def test_the_bedside_session_ends_in_silence_with_the_light_off_and_no_chime():
    bedside = load_library()["soothing_touch"].form("bedside")
    for option in bedside.option_names:
        steps = bedside.script(option, random.Random(0))
        last_say = max(i for i, s in enumerate(steps) if isinstance(s, Say))
        after = steps[last_say + 1:]
        assert Light("off") in after and not any(isinstance(s, (Cue, Say)) for s in after)
        assert sum(s.seconds for s in after if isinstance(s, Pause)) >= 60
        pauses = [s.seconds for s in steps if isinstance(s, Pause)]
        thirds = [pauses[:len(pauses) // 3], pauses[-len(pauses) // 3:]]
        assert sum(thirds[1]) / len(thirds[1]) > 2 * sum(thirds[0]) / len(thirds[0])  # the silences grow


def test_breath_cues_late_in_a_fading_form_are_prepared_at_their_slower_pace():
    bedside = load_library()["soothing_touch"].form("bedside")
    steps = bedside.script("self_hug", random.Random(0))
    late = [bedside.slowing(i, len(steps)) for i, s in enumerate(steps) if isinstance(s, Breathe) and s.cued]
    assert late[-1] > 1.0 and (BREATH_CUES[0], late[-1]) in bedside.paced_lines()
