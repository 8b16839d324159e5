"""Per-target profiles: the texts a target is recognised by, and its small classifier.

A target's *profile texts* (zero-shot: no examples needed) are ``"name: description"``,
each sentence of the description and each keyword; a text's score against the target is
the mean of its top three cosine similarities to those texts (measured better than one
whole-profile vector or the single best text: see README_SECTION.md).

A target with *example texts* (its forget set: questions about the topic, given at
registration or proposed by enrichment) also gets a :class:`Classifier`: an L2-regularised,
class-balanced logistic regression over embeddings, its examples against general *keep*
text. It is fitted by a few Newton steps in numpy (tens of milliseconds for a few hundred
examples) and refitted warm-started from the previous weights when examples change.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from alu.domain import Target

__all__ = ["TOP_K", "Classifier", "fingerprint", "fit_classifier", "profile_texts"]

TOP_K = 3
"""Zero-shot score: mean of the top ``TOP_K`` similarities to the profile texts."""

_SENT = re.compile(r"(?<=[.!?;])\s+")


def profile_texts(target: Target) -> list[str]:
    """The texts a target is recognised by (deduplicated, order kept)."""
    texts: list[str] = []
    desc = target.description.strip()
    head = f"{target.name}: {desc}" if desc else target.name
    texts.append(head)
    if desc:
        parts = [p.strip() for p in _SENT.split(desc) if len(p.split()) >= 3]
        if len(parts) > 1:
            texts.extend(parts)
    texts.extend(k for k in target.keywords if k.strip())
    if target.kind != "person":  # a person's bare name is the matcher's job
        texts.extend(a for a in target.aliases[:4])
    return list(dict.fromkeys(texts))


def fingerprint(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\x00")
    return h.hexdigest()[:24]


@dataclass(frozen=True)
class Classifier:
    """``sigmoid(x·w + b)``: the probability that a text is about the target."""

    w: np.ndarray  # float32, (dims,)
    b: float
    n_pos: int
    n_neg: int

    def score(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(x @ self.w + self.b)))


def fit_classifier(
    positives: np.ndarray,
    keep: np.ndarray,
    *,
    l2: float = 0.3,
    warm: Classifier | None = None,
    max_iter: int = 20,
    tol: float = 1e-3,
) -> Classifier:
    """Logistic regression of ``positives`` (the target's examples) against ``keep``.

    Classes are weighted to equal mass, the bias is not regularised; Newton steps (float32
    products, float64 solve) until the largest weight step is under ``tol`` (about 8 steps
    cold, 2-3 from a warm start).
    """
    pos = np.asarray(positives, dtype=np.float32)
    neg = np.asarray(keep, dtype=np.float32)
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("a classifier needs at least one example and some keep text")
    X = np.vstack([pos, neg])
    X = np.hstack([X, np.ones((len(X), 1), dtype=np.float32)])
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    sw = np.where(y == 1, 0.5 / len(pos), 0.5 / len(neg)) * len(X)
    d = X.shape[1]
    reg = np.full(d, l2)
    reg[-1] = 0.0
    w = np.zeros(d)
    if warm is not None and warm.w.shape[0] == d - 1:
        w[:-1], w[-1] = warm.w, warm.b
    for _ in range(max_iter):
        z = np.clip(X @ w.astype(np.float32), -30, 30).astype(np.float64)
        p = 1.0 / (1.0 + np.exp(-z))
        g = (X.T @ (sw * (p - y)).astype(np.float32)).astype(np.float64) + reg * w
        Xw = X * (sw * p * (1 - p)).astype(np.float32)[:, None]
        H = (Xw.T @ X).astype(np.float64) + np.diag(reg + 1e-9)
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < tol:
            break
    return Classifier(w=w[:-1].astype(np.float32), b=float(w[-1]), n_pos=len(pos), n_neg=len(neg))


def split_sentences(text: str, *, min_words: int = 4, max_words: int = 60) -> list[str]:
    """Sentences of ``text``: short fragments joined to the next, long ones windowed."""
    raw = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text or "") if s.strip()]
    out: list[str] = []
    carry = ""
    for s in raw:
        s = f"{carry} {s}".strip() if carry else s
        if len(s.split()) < min_words:
            carry = s
            continue
        carry = ""
        words = s.split()
        if len(words) <= max_words:
            out.append(s)
        else:
            step = max_words * 3 // 4
            for i in range(0, len(words) - max_words // 4, step):
                out.append(" ".join(words[i : i + max_words]))
    if carry:
        if out and len(carry.split()) < min_words:
            out[-1] = f"{out[-1]} {carry}"
        else:
            out.append(carry)
    return out


_OPTION_LINE = re.compile(r"^\s*[\(\[]?[A-Da-d][\.\)\]:]\s+\S", re.M)
_INLINE_OPTIONS = re.compile(r"\s\(A\)\s.*\(B\)\s", re.S)


def mc_stem(question: str) -> str | None:
    """The stem of a multiple-choice question (the text before its lettered options:
    ``A.``/``A)``/``(A)`` lines, or inline ``(A) … (B) …``), or None when it has none."""
    lines = list(_OPTION_LINE.finditer(question))
    if len(lines) >= 2:
        stem = question[: lines[0].start()].strip()
    elif m := _INLINE_OPTIONS.search(question):
        stem = question[: m.start()].strip()
    else:
        return None
    return stem if len(stem.split()) >= 3 else None


def chunk_texts(texts: dict[str, str], *, max_chunks: int = 24, mc_stems: bool = True) -> list[tuple[str, str]]:
    """``(source, chunk)`` pairs to embed for one query.

    The question whole (splitting it by sentence raised false flags on MMLU at equal
    recall) and, for a multiple-choice question, its stem alone: a topic's examples are
    questions, and the options and "answer with the letter" shift the whole block towards
    the keep side's multiple-choice text, so the stem is what scores like an example. Then
    the draft's sentences and the window's sentences (the most recent kept under the cap):
    one hazardous sentence in a long draft counts on its own instead of being diluted.
    ``mc_stems=False``: no stem chunk (the behaviour before it, for the bench's baseline).
    """
    out: list[tuple[str, str]] = []
    q = (texts.get("question") or "").strip()
    if q:
        out.append(("question", q))
        if mc_stems and (stem := mc_stem(q)):
            out.append(("question", stem))
    draft = split_sentences(texts.get("draft") or "")
    window = split_sentences(texts.get("window") or "")
    room = max(0, max_chunks - len(out))
    out.extend(("draft", s) for s in draft[:room])
    room = max(0, max_chunks - len(out))
    if room:
        out.extend(("window", s) for s in window[-room:])
    seen: set[str] = set()
    uniq = []
    for src, c in out:
        if c not in seen:
            seen.add(c)
            uniq.append((src, c))
    return uniq


def examples_texts(examples: Sequence[str] | None) -> list[str]:
    return list(dict.fromkeys(" ".join(e.split()) for e in (examples or ()) if e and e.strip()))
