"""Labelled example sentences and their embeddings: what the router and the crisis detector compare with.

The vectors are computed once (`python -m voicecoach.understand.bank` after editing the examples) and
shipped beside the examples in `vectors.npz`, keyed by each sentence, so a device never spends
start-up time on them; a sentence without a stored vector is encoded on first use.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from .embed import Encoder, load_encoder
from .text import normalize

FILES = ("examples.tsv", "crisis_examples.tsv")
VECTORS = "vectors.npz"


@dataclass(frozen=True)
class Example:
    label: str  # an intent, or for the crisis detector "crisis" / "safe"
    slot: tuple[str, str] | None
    text: str


def read_examples(name: str) -> list[Example]:
    rows = resources.files("voicecoach.understand").joinpath(name).read_text("utf-8").splitlines()
    return [_example(row) for row in rows if row.strip() and not row.startswith("#")]


def _example(row: str) -> Example:
    label, text = row.split("\t")
    name, _, slot = label.partition(":")
    return Example(name, tuple(slot.split("=")) if slot else None, text.strip())


def key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class Bank:
    """Examples with unit vectors; `nearest` gives, per label, the closest example and its cosine."""

    def __init__(self, examples: list[Example], encoder: Encoder):
        self.examples = examples
        stored = _stored_vectors()
        texts = [normalize(e.text) for e in examples]  # as the router sees what it hears
        self.vectors = np.stack([stored[key(t)] if key(t) in stored else encoder(t) for t in texts]).astype(np.float32)
        self.labels = [e.label for e in examples]

    def nearest(self, vector: np.ndarray, labels=None) -> dict[str, tuple[float, Example]]:
        sims = self.vectors @ vector
        best: dict[str, tuple[float, Example]] = {}
        for i in np.argsort(-sims):
            label = self.labels[i]
            if label not in best and (labels is None or label in labels):
                best[label] = (float(sims[i]), self.examples[i])
        return best


@cache
def _stored_vectors() -> dict[str, np.ndarray]:
    """Read once per process: the router's and the crisis detector's banks share the file."""
    path = resources.files("voicecoach.understand").joinpath(VECTORS)
    if not path.is_file():
        return {}
    with np.load(str(path)) as data:
        return {k: data[k].astype(np.float32) for k in data.files}


def write_vectors(folder: Path) -> int:
    """Encode every example of every bank file and store the vectors (float16) beside them."""
    encoder = load_encoder()
    texts = {normalize(e.text) for name in FILES for e in read_examples(name)}
    np.savez_compressed(folder / VECTORS, **{key(t): encoder(t).astype(np.float16) for t in sorted(texts)})
    return len(texts)


if __name__ == "__main__":
    print(f"{write_vectors(Path(__file__).parent)} sentences encoded")
