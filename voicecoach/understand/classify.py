"""A linear classifier over sentence embeddings: softmax regression with L2, fitted in numpy.

Fitted at start-up from the example bank (a few hundred sentences: well under a second), so what
the router believes is always the examples it ships with, and nothing is stored that could go stale.
"""
from __future__ import annotations

import numpy as np


class Softmax:
    def __init__(self, labels: list[str], weights: np.ndarray, bias: np.ndarray):
        self.labels = labels
        self.weights = weights
        self.bias = bias

    @classmethod
    def fit(cls, vectors: np.ndarray, labels, l2: float = 1e-3, steps: int = 300, rate: float = 2.0,
            scale: float = 8.0) -> "Softmax":
        """Full-batch gradient descent; `scale` sharpens unit-length inputs. Deterministic."""
        names = sorted(set(labels))
        index = {name: i for i, name in enumerate(names)}
        y = np.zeros((len(labels), len(names)), np.float32)
        y[np.arange(len(labels)), [index[label] for label in labels]] = 1.0
        x = vectors * scale
        w = np.zeros((x.shape[1], len(names)), np.float32)
        b = np.zeros(len(names), np.float32)
        for _ in range(steps):
            p = _softmax(x @ w + b)
            grad = (p - y) / len(x)
            w -= rate * (x.T @ grad + l2 * w)
            b -= rate * grad.sum(axis=0)
        return cls(names, w * scale, b)

    def probabilities(self, vector: np.ndarray, allowed) -> dict[str, float]:
        """Probability of each allowed label (renormalized over them)."""
        logits = vector @ self.weights + self.bias
        keep = [i for i, name in enumerate(self.labels) if name in allowed]
        p = _softmax(logits[keep][None, :])[0]
        return {self.labels[i]: float(pi) for i, pi in zip(keep, p)}


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
