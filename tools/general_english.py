"""Write voicecoach/listen/engines/general_english.tsv: the commonest English words with their unigram
log10 probabilities, from the full language model that the pocketsphinx wheel ships.

The request language model mixes these with our own phrasings (voicecoach/listen/language_model.py),
so a sentence that is not among our examples can still be transcribed. Run again after a pocketsphinx
upgrade: python tools/general_english.py [WORDS]
"""
import math
import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "voicecoach" / "listen" / "engines" / "general_english.tsv"
LOG_BASE = 1.0001  # pocketsphinx's log math


def main(words: int = 3000) -> None:
    from pocketsphinx import NGramModel, get_model_path

    lm = NGramModel.readfile(get_model_path("en-us/en-us.lm.bin"))
    with open(get_model_path("en-us/cmudict-en-us.dict"), encoding="utf-8") as fh:
        vocabulary = {line.split()[0] for line in fh if line.strip() and "(" not in line.split()[0]}
    probs = [(w, lm.prob([w]) * math.log10(LOG_BASE)) for w in sorted(vocabulary) if w.replace("'", "").isalpha()]
    found = sorted((wp for wp in probs if wp[1] > -20), key=lambda wp: -wp[1])[:words]
    OUT.write_text("# word\tlog10 probability (pocketsphinx en-us.lm.bin unigrams; tools/general_english.py)\n"
                   + "".join(f"{w}\t{p:.4f}\n" for w, p in found), encoding="utf-8")
    print(f"{len(found)} words -> {OUT}", flush=True)
    os._exit(0)  # freeing the model crashes this pocketsphinx build


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
