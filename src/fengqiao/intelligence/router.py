"""Routing suggestions: which category a matter is, and which unit should lead it.

``RouterModel`` is the trained artefact (features + a linear SVM blended with an NB-SVM, and a softmax
temperature fitted on held-out rows so its probabilities mean something).
``suggest`` / ``suggest_many`` serve the two installed models, ``DATA_DIR/models/category.joblib`` and
``unit.joblib``, loaded once per process and reloaded when a file changes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from django.conf import settings

from fengqiao.intelligence.features import FeatureConfig, RouterFeatures

DEFAULT_CONFIDENCE = 0.6
MODEL_NAMES = ("category", "unit")


def zscore(scores: np.ndarray) -> np.ndarray:
    """Per-row standardised scores, so two models' scores can be added."""
    sd = scores.std(axis=1, keepdims=True)
    return (scores - scores.mean(axis=1, keepdims=True)) / np.where(sd > 0, sd, 1.0)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / max(temperature, 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


@dataclass
class LinearScorer:
    """Per-label linear scores ``X · weights + intercept``: the SVM, and the NB-SVM with its log-count
    ratios folded into the weights.  Weights are stored features × labels, C-contiguous, so a sparse
    product reads them in place (sklearn's ``X @ coef_.T`` copies the whole matrix on every call)."""

    weights: np.ndarray  # (features, labels) float32
    intercept: np.ndarray  # (labels,) float32
    classes_: np.ndarray  # label indices, as sklearn's ``classes_``

    @classmethod
    def of(cls, coef: np.ndarray, intercept: np.ndarray, classes: np.ndarray) -> LinearScorer:
        """From sklearn's (labels, features) ``coef_``; a two-label model's single row becomes two."""
        coef, intercept = np.asarray(coef, dtype=np.float32), np.asarray(intercept, dtype=np.float32).ravel()
        if coef.shape[0] == 1 and len(classes) == 2:
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        return cls(np.ascontiguousarray(coef.T), intercept, np.asarray(classes))

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(X @ self.weights) + self.intercept


@dataclass
class RouterModel:
    """A trained router: label names, feature config and the fitted pieces (persisted with joblib)."""

    features: RouterFeatures
    svm: Any  # LinearScorer (models saved before it: sklearn LinearSVC)
    nb: LinearScorer | None  # NB-SVM, blended with weight ``nb_weight``, or None
    labels: list[str]
    config: FeatureConfig
    nb_weight: float = 0.0
    temperature: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)  # sklearn version, rows, columns, timings

    def scores(self, texts: Sequence[str], extras: Sequence[Sequence[str]] | None = None) -> np.ndarray:
        X = self.features.transform(texts, extras)
        s = np.asarray(self.svm.decision_function(X), dtype=np.float64)
        if s.ndim == 1:  # two labels: sklearn gives one column
            s = np.column_stack([-s, s])
        s = zscore(s)
        if self.nb is not None and self.nb_weight:
            s = s + self.nb_weight * zscore(np.asarray(self.nb.decision_function(X), dtype=np.float64))
        return s

    def predict_proba(self, texts: Sequence[str], extras: Sequence[Sequence[str]] | None = None) -> np.ndarray:
        return softmax(self.scores(texts, extras), self.temperature)

    def extras_from(self, extra: Mapping[str, str] | None) -> list[str]:
        extra = extra or {}
        return [str(extra.get(col) or "") for col in self.config.extra_cols]

    def top(self, proba: np.ndarray, k: int = 3) -> list[list[tuple[str, float]]]:
        order = np.argsort(-proba, axis=1)[:, :k]
        return [[(self.labels[j], float(row[j])) for j in idx] for row, idx in zip(proba, order, strict=True)]


@dataclass(frozen=True)
class Suggestion:
    """Top-3 categories and units as (row id, name, probability); ``confident`` when top-1 is sure enough."""

    categories: list[tuple[int, str, float]]
    units: list[tuple[int, str, float]]
    confident: bool


def models_dir() -> Path:
    return Path(settings.DATA_DIR) / "models"


def confidence_threshold() -> float:
    raw = os.environ.get("FENGQIAO_ROUTER_CONFIDENCE") or getattr(settings, "ROUTER_CONFIDENCE", None)
    try:
        return float(raw) if raw is not None else DEFAULT_CONFIDENCE
    except ValueError:
        return DEFAULT_CONFIDENCE


@dataclass
class _Loaded:
    path: Path
    mtime: float
    model: RouterModel
    rows: dict[str, tuple[int, str]]  # label → (row id, display name); labels with no row are left out


_cache: dict[str, _Loaded] = {}
_lock = threading.Lock()


def _row_map(kind: str, labels: list[str]) -> dict[str, tuple[int, str]]:
    """Labels → Category / Unit rows: by code if the label is a code, else by name (active rows first)."""
    from fengqiao.cases.models import Category
    from fengqiao.jurisdictions.models import Unit

    manager = Category.objects if kind == "category" else Unit.objects
    rows = list(manager.filter(active=True).values_list("pk", "code", "name")) + list(
        manager.filter(active=False).values_list("pk", "code", "name"))
    by_code = {code: (pk, name) for pk, code, name in rows}
    by_name: dict[str, tuple[int, str]] = {}
    for pk, _code, name in rows:
        by_name.setdefault(name, (pk, name))
    return {lab: hit for lab in labels if (hit := by_code.get(lab) or by_name.get(lab)) is not None}


def load(kind: str) -> _Loaded | None:
    """The installed model of a kind ("category" or "unit"), reloaded when its file changes."""
    path = models_dir() / f"{kind}.joblib"
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        _cache.pop(kind, None)
        return None
    with _lock:
        hit = _cache.get(kind)
        if hit is not None and hit.path == path and hit.mtime == mtime:
            return hit
        model = joblib.load(path)
        if not isinstance(model, RouterModel):
            raise TypeError(f"{path} is not a router model")
        loaded = _Loaded(path=path, mtime=mtime, model=model, rows=_row_map(kind, model.labels))
        _cache[kind] = loaded
        return loaded


def forget() -> None:
    """Drop the loaded models (tests; after installing a model with the same mtime)."""
    with _lock:
        _cache.clear()


def _ranked(loaded: _Loaded | None, texts: Sequence[str], extras: Sequence[Mapping[str, str] | None],
            ) -> list[list[tuple[int, str, float]]]:
    if loaded is None:
        return [[] for _ in texts]
    model = loaded.model
    proba = model.predict_proba(texts, [model.extras_from(e) for e in extras])
    out = []
    for row in proba:
        ranked = []
        for j in np.argsort(-row):
            hit = loaded.rows.get(model.labels[j])
            if hit is not None:
                ranked.append((hit[0], hit[1], float(row[j])))
                if len(ranked) == 3:
                    break
        out.append(ranked)
    return out


def suggest_many(texts: Sequence[str], extras: Sequence[Mapping[str, str] | None] | None = None,
                 ) -> list[Suggestion | None]:
    """Suggestions for many texts at once (the importer); None for each when no model is installed."""
    if extras is None:
        extras = [None] * len(texts)
    if len(extras) != len(texts):
        raise ValueError("extras must have one entry per text")
    cat, unit = load("category"), load("unit")
    if cat is None and unit is None:
        return [None] * len(texts)
    threshold = confidence_threshold()
    cats, units = _ranked(cat, texts, extras), _ranked(unit, texts, extras)
    result: list[Suggestion | None] = []
    for c, u in zip(cats, units, strict=True):
        top1 = [r[0][2] for r in (c, u) if r]
        result.append(Suggestion(categories=c, units=u, confident=bool(top1) and min(top1) >= threshold))
    return result


def suggest(text: str, extra: dict[str, str] | None = None) -> Suggestion | None:
    """Top-3 categories and lead units for one text; None when no model is installed or text is empty."""
    if not (text or "").strip():
        return None
    return suggest_many([text], [extra])[0]
