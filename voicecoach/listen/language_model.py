"""The language model for open transcription of requests with PocketSphinx.

Our own phrasings (the router's examples, the crisis statements, the phrase table) make a trigram
model with Witten-Bell smoothing; its unigrams are mixed with the commonest words of general English
(from the full model the pocketsphinx wheel ships), so a request we never wrote down can still be
heard word by word, while our phrasings stay the likeliest. Written as ARPA text, which PocketSphinx reads.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from importlib import resources

START, END = "<s>", "</s>"
DOMAIN_WEIGHT = 0.7  # the share of our phrasings in the unigram mix; the rest is general English


def general_english() -> dict[str, float]:
    text = resources.files("voicecoach.listen.engines").joinpath("general_english.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return {word: 10 ** float(logp) for word, logp in rows}


class Counts:
    def __init__(self, sentences: list[str]):
        self.uni: Counter = Counter()
        self.bi: Counter = Counter()
        self.tri: Counter = Counter()
        for sentence in sentences:
            words = [START, START, *sentence.split(), END]
            self.uni.update(words[2:])
            self.bi.update(zip(words[1:], words[2:]))
            self.tri.update(zip(words, words[1:], words[2:]))

    def followers(self, table: Counter, width: int) -> tuple[dict, dict]:
        """Per history: how often it was seen, and how many different words followed it."""
        seen, kinds = defaultdict(int), defaultdict(int)
        for gram, count in table.items():
            seen[gram[:width]] += count
            kinds[gram[:width]] += 1
        return seen, kinds


def build_arpa(sentences: list[str], known=lambda word: True, domain_weight: float = DOMAIN_WEIGHT) -> str:
    """ARPA text for `sentences` (normalized, space-separated words); words that `known` rejects
    (not in the recognizer's dictionary) are dropped with the sentences that need them."""
    sentences = [s for s in dict.fromkeys(sentences) if s and all(known(w) for w in s.split())]
    counts = Counts(sentences)
    uni = _unigrams(counts, {w: p for w, p in general_english().items() if known(w)}, domain_weight)
    bi = _higher(counts.bi, counts.followers(counts.bi, 1), lambda gram: uni[gram[-1]])
    tri = _higher(counts.tri, counts.followers(counts.tri, 2), lambda gram: bi[0].get(gram[1:]) or
                  bi[1].get(gram[1:2], 1.0) * uni[gram[-1]])
    return _arpa(uni, bi, tri)


def _unigrams(counts: Counts, general: dict[str, float], weight: float) -> dict[str, float]:
    total = sum(counts.uni.values())
    mass = sum(general.values())
    words = set(counts.uni) | set(general)
    return {w: weight * counts.uni[w] / total + (1 - weight) * general.get(w, 0.0) / mass for w in words}


def _higher(table: Counter, followers: tuple[dict, dict], lower) -> tuple[dict, dict]:
    """Interpolated Witten-Bell: P(w|h) = (c(h,w) + T(h) P_lower(w)) / (c(h) + T(h)); the backoff
    weight of h is T(h) / (c(h) + T(h)), so unseen words get exactly their share."""
    seen, kinds = followers
    probs = {gram: (count + kinds[gram[:-1]] * lower(gram)) / (seen[gram[:-1]] + kinds[gram[:-1]])
             for gram, count in table.items()}
    backoff = {h: kinds[h] / (seen[h] + kinds[h]) for h in seen}
    return probs, backoff


def _arpa(uni: dict, bi: tuple, tri: tuple) -> str:
    bigrams, bi_backoff = bi
    trigrams = {g: p for g, p in tri[0].items() if g[:2] != (START, START)}  # a sentence starts on <s> alone
    tri_backoff = tri[1]
    lines = ["\\data\\", f"ngram 1={len(uni) + 1}", f"ngram 2={len(bigrams)}", f"ngram 3={len(trigrams)}", "",
             "\\1-grams:", f"-99.0000\t{START}\t{_log(bi_backoff.get((START,), 1.0))}"]
    lines += [f"{_log(p)}\t{w}\t{_log(bi_backoff.get((w,), 1.0))}" for w, p in sorted(uni.items())]
    lines += ["", "\\2-grams:"]
    lines += [f"{_log(p)}\t{' '.join(g)}\t{_log(tri_backoff.get(g, 1.0))}" for g, p in sorted(bigrams.items())]
    lines += ["", "\\3-grams:"]
    lines += [f"{_log(p)}\t{' '.join(g)}" for g, p in sorted(trigrams.items())]
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def _log(p: float) -> str:
    return f"{math.log10(p):.4f}" if p > 0 else "-99.0000"
