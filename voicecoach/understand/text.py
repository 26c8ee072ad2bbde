"""Text as the understanding stages see it: lower case, no punctuation, contractions spelled out,
common recognition slips mended ("brake" -> "break"), and word stems for keyword matching."""
from __future__ import annotations

import re

CONTRACTIONS = {
    "i'm": "i am", "im": "i am", "i've": "i have", "ive": "i have", "i'd": "i would", "i'll": "i will",
    "don't": "do not", "dont": "do not", "doesn't": "does not", "doesnt": "does not", "can't": "can not",
    "cant": "can not", "cannot": "can not", "won't": "will not", "wont": "will not", "isn't": "is not",
    "it's": "it is", "that's": "that is", "thats": "that is", "what's": "what is", "whats": "what is",
    "let's": "let us", "lets": "let us", "you're": "you are", "youre": "you are", "we're": "we are",
    "wanna": "want to", "gonna": "going to", "gotta": "got to", "gimme": "give me", "didn't": "did not",
    "didnt": "did not", "wasn't": "was not", "ain't": "am not", "there's": "there is", "theres": "there is",
    "everything's": "everything is", "shouldn't": "should not", "couldn't": "could not", "wouldn't": "would not",
    "haven't": "have not", "i'd've": "i would have", "y'all": "you all", "ok": "okay", "o k": "okay",
    "he's": "he is", "hes": "he is", "she's": "she is", "shes": "she is", "they're": "they are",
    "theyre": "they are", "that'll": "that will", "you'll": "you will", "we'll": "we will", "kinda": "kind of",
    "sorta": "sort of", "lemme": "let me", "outta": "out of", "nobody's": "nobody is",
}
# Words a recognizer (or a hurried typist) puts in place of ours; mended before anything else looks.
SLIPS = {"brake": "break", "brakes": "breaks", "hart": "heart", "selfhug": "self hug", "soothe": "soothing"}
FILLERS = {"um", "uh", "erm", "er", "hmm", "mm", "ah", "uhm", "umm"}
SUFFIXES = ("ingly", "ing", "edly", "ed", "ies", "es", "s", "ly")
# The device's name said to it ("coach, I need you"): no part of what is asked, and left in it tilts meaning
# towards any example that has it ("hey coach I want to die").
ADDRESS = re.compile(r"^((hey|hi|okay|oh|right|so) )?coach\b ?|(?<!\bmy )(?<!\bthe )(?<!\ba )(?<!\bour )(?<!\bhis )"
                     r"(?<!\bher )(?<!\btheir )(?<!\bbus )\bcoach$")


def normalize(text: str) -> str:
    """Lower case, contractions expanded, punctuation and hesitations dropped, slips mended."""
    text = text.lower().replace("\u2019", "'").replace("-", " ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    words = [CONTRACTIONS.get(w, w) for w in text.split()]
    words = [SLIPS.get(w, w) for w in " ".join(words).replace("'", "").split() if w not in FILLERS]
    return re.sub(r"\b(my|your) self\b", r"\1self", " ".join(" ".join(words).split()))


def unaddressed(norm: str) -> str:
    """Normalized text without the device's name said to it, at its start or end."""
    return ADDRESS.sub("", norm).strip()


def stem(word: str) -> str:
    """A plain suffix stripper: hugging, hugs -> hug; breathing -> breath; enough for keyword cues."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
        word = word[:-1]  # hugg -> hug, stopp -> stop
    return word


def stems(text: str) -> list[str]:
    return [stem(w) for w in text.split()]
