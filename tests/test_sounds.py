"""How a transcript sounds: PocketSphinx's English dictionary looked up in place, and nearness in phones."""
import os

import pocketsphinx

from voicecoach.understand.sounds import MIN_PHONES, Pronunciations, SoundsLike, english, phones_of

DICTIONARY = os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict")


def test_every_word_of_the_dictionary_is_found_with_its_first_pronunciation():
    first = {}
    with open(DICTIONARY, encoding="utf-8") as f:
        for line in f:
            word, _, phones = line.strip().partition(" ")
            first.setdefault(word.split("(")[0], tuple(phones.split()))
    words = english()
    assert [w for w, phones in first.items() if words.phones(w) != phones] == []
    assert words.phones("zzzzqq") is None and words.phones("") is None and words.phones("a(2)") is None


def test_a_small_dictionary_with_a_last_line_unended(tmp_path):
    path = tmp_path / "small.dict"
    path.write_text("able EY B AH L\nable(2) EY B L\nbe B IY\ncan K AE N\ncan't K AE N T", encoding="utf-8")
    words = Pronunciations(str(path))
    assert words.phones("able") == ("EY", "B", "AH", "L")
    assert words.phones("can") == ("K", "AE", "N") and words.phones("can't") == ("K", "AE", "N", "T")
    assert words.phones("ab") is None and words.phones("cannot") is None and words.phones("zed") is None
    assert phones_of("Be able, zed", words) == ("B", "IY", "EY", "B", "AH", "L", "z", "e", "d")


def test_misheard_crisis_statements_sound_near_them_and_requests_do_not():
    sounds = SoundsLike(["I want to be dead", "I'm going to kill myself"])
    near, statement = sounds.nearest("i am going to feel my sale")
    assert statement == "i am going to kill myself" and near > 0.7
    assert sounds.nearest("i want to be to")[1] == "i want to be dead"
    assert sounds.nearest("i need a break")[0] < 0.5
    assert sounds.nearest("the a") == (0.0, "")  # under MIN_PHONES
    assert len(phones_of("the a", sounds.words)) < MIN_PHONES
