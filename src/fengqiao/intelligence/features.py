"""Features for routing text: Chinese word tokens (rjieba) + character n-grams, and categorical extras.

Nothing here knows any label set: the same features serve a 7-label category model and a 180-label
department model.  Text is normalised (NFKC, lower case, digits folded) so "１２３４５" and "12345" agree.
When a model is trained on several text columns (title, detail …) they arrive joined by ``SEPARATOR``;
the first one (the title) is then also vectorised on its own, so a word in the title counts apart from
the same word somewhere in a long detail.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import rjieba
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import OneHotEncoder

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_PUNCT_ONLY = re.compile(r"^[\W_]+$")
SEPARATOR = " | "


@dataclass(frozen=True)
class FeatureConfig:
    """What the vectoriser does; stored in the model artefact so serving builds the same features."""

    char_ngrams: tuple[int, int] = (1, 3)
    word_ngrams: tuple[int, int] = (1, 2)
    min_df: int = 2
    max_char_features: int | None = 400_000
    max_word_features: int | None = 300_000
    word_weight: float = 1.0
    char_weight: float = 1.0
    extra_weight: float = 0.5
    # the title (first of several text columns) as its own char + word block; off for one text column
    title_block: bool = False
    title_weight: float = 0.5
    extra_cols: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise(text: str) -> str:
    """NFKC, lower case, runs of digits → '0', collapsed white space."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """rjieba tokens of normalised text, without white space and pure punctuation."""
    return [t for t in rjieba.cut(text) if t.strip() and not _PUNCT_ONLY.match(t)]


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def title_of(normed: str) -> str:
    """The first of several joined text columns; empty when the text has one part (no title given)."""
    head, sep, _rest = normed.partition(SEPARATOR)
    return head if sep else ""


def _ngrams(toks: list[str], lo: int, hi: int) -> list[str]:
    grams: list[str] = []
    for n in range(lo, hi + 1):
        grams.extend(" ".join(toks[i:i + n]) for i in range(len(toks) - n + 1))
    return grams


class RouterFeatures:
    """Fit on training texts (+ extra columns), transform to one sparse matrix (rows L2-ish scaled)."""

    def __init__(self, config: FeatureConfig) -> None:
        self.config = config
        min_df = config.min_df
        self.char = TfidfVectorizer(
            analyzer="char", ngram_range=config.char_ngrams, sublinear_tf=True, min_df=min_df,
            max_features=config.max_char_features, dtype=np.float32,
        )
        self.word = TfidfVectorizer(
            analyzer=_identity, sublinear_tf=True, min_df=min_df,
            max_features=config.max_word_features, dtype=np.float32,
        )
        self.word_ngrams = config.word_ngrams
        self.extra = OneHotEncoder(handle_unknown="ignore", dtype=np.float32) if config.extra_cols else None
        self.title: tuple[TfidfVectorizer, TfidfVectorizer] | None = None
        if config.title_block:
            self.title = (
                TfidfVectorizer(analyzer="char", ngram_range=config.char_ngrams, sublinear_tf=True, min_df=min_df,
                                dtype=np.float32),
                TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=min_df, dtype=np.float32),
            )

    def _word_docs(self, normed: Sequence[str]) -> list[list[str]]:
        lo, hi = self.word_ngrams
        return [_ngrams(words(text), lo, hi) for text in normed]

    def _blocks(self, normed: list[str], extras: Sequence[Sequence[str]] | None, fit: bool) -> sp.csr_matrix:
        def vec(v: Any, docs: Any) -> Any:
            return v.fit_transform(docs) if fit else v.transform(docs)

        cfg = self.config
        parts = [vec(self.char, normed) * cfg.char_weight, vec(self.word, self._word_docs(normed)) * cfg.word_weight]
        title = getattr(self, "title", None)  # models saved before title blocks have none
        if title is not None:
            titles = [title_of(t) for t in normed]
            try:
                parts.append(vec(title[0], titles) * cfg.title_weight)
                parts.append(vec(title[1], self._word_docs(titles)) * cfg.title_weight)
            except ValueError:  # fitting: too few titles for a vocabulary (min_df) — no title block then
                if not fit:
                    raise
                self.title = None
                parts = parts[:2]
        if self.extra is not None:
            parts.append(vec(self.extra, self._extras(extras, len(normed))) * cfg.extra_weight)
        return sp.hstack(parts, format="csr", dtype=np.float32)

    def _extras(self, extras: Sequence[Sequence[str]] | None, n: int) -> np.ndarray:
        cols = len(self.config.extra_cols)
        if extras is None:
            return np.full((n, cols), "", dtype=object)
        arr = np.array([[(v or "").strip() for v in row] for row in extras], dtype=object)
        return arr.reshape(n, cols)

    def fit_transform(self, texts: Sequence[str], extras: Sequence[Sequence[str]] | None = None) -> sp.csr_matrix:
        return self._blocks([normalise(t) for t in texts], extras, fit=True)

    def transform(self, texts: Sequence[str], extras: Sequence[Sequence[str]] | None = None) -> sp.csr_matrix:
        return self._blocks([normalise(t) for t in texts], extras, fit=False)


def join_text(values: Iterable[str]) -> str:
    """Several text columns (subject, detail …) as one text, separated so n-grams do not bridge them."""
    return SEPARATOR.join(v.strip() for v in values if v and v.strip())
