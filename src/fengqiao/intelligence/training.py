"""Training, evaluation and cross-validation of router models, and reading labelled CSV files.

Hyper-parameters are fixed here (chosen once by cross-validation on tipdm2020, see docs/router.md), never
tuned on an evaluation fold.  The only thing fitted on held-out rows is the softmax temperature, and those
rows come out of the training data.
"""

from __future__ import annotations

import csv
import io
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.svm import LinearSVC

from fengqiao.intelligence.features import FeatureConfig, RouterFeatures, join_text, words
from fengqiao.intelligence.router import LinearScorer, RouterModel, softmax

SVM_C = 1.0
# liblinear's own default stopping tolerance for the dual solver (sklearn's 1e-4 is far stricter): the same
# 5-fold predictions on tipdm2020 at a third of the time, and what keeps hundreds of labels trainable
SVM_TOL = 0.1
# NB-SVM (Wang & Manning 2012): per label, features scaled by the log-count ratio of binarised counts in
# and out of the label (smoothing NB_ALPHA), a one-vs-rest linear SVM on them; blended with the plain SVM
# (z-scored scores added, weight NB_WEIGHT).  5-fold macro-F1 on tipdm2020 in docs/router.md.
# It costs one more binary fit per label (about three times the SVM's time), so it is used only up to
# NB_MAX_LABELS labels; a many-label (department) model is the plain SVM.
NB_ALPHA = 1.0
NB_WEIGHT = 1.0
NB_MAX_LABELS = 40
# classes × features float32 weights of both models stay under ~160 MB: many labels → fewer features
WEIGHT_BUDGET = 40_000_000
CALIBRATION_SHARE = 0.1
# above this many rows the model fitted on 90 % is kept (the 10 % only calibrate): half the training time
REFIT_MAX_ROWS = 20_000


class DataError(ValueError):
    """A labelled file that cannot be used, with a message naming the column or the reason."""


@dataclass
class Dataset:
    texts: list[str]
    labels: list[str]
    extras: list[list[str]]
    text_cols: list[str]
    label_col: str
    extra_cols: list[str]
    skipped: int = 0  # rows without text or label


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError("file is neither UTF-8 nor GB18030")


def split_cols(spec: str | Sequence[str] | None) -> list[str]:
    if spec is None:
        return []
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    return [c.strip() for c in items if c and c.strip()]


def read_csv(path: str | Path, text_cols: str | Sequence[str], label_col: str,
             extra_cols: str | Sequence[str] | None = None) -> Dataset:
    """Rows with non-empty text and label; several text columns are joined.  UTF-8 (BOM or not) or GB18030."""
    tcols, ecols = split_cols(text_cols), split_cols(extra_cols)
    if not tcols:
        raise DataError("--text-col: name at least one column")
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from e
    reader = csv.DictReader(io.StringIO(_decode(raw), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in [*tcols, label_col, *ecols] if c not in header]
    if missing:
        raise DataError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(header)})")
    data = Dataset([], [], [], tcols, label_col, ecols)
    for row in reader:
        text = join_text(row.get(c) or "" for c in tcols)
        label = (row.get(label_col) or "").strip()
        if not text or not label:
            data.skipped += 1
            continue
        data.texts.append(text)
        data.labels.append(label)
        data.extras.append([(row.get(c) or "").strip() for c in ecols])
    if not data.texts:
        raise DataError(f"{path}: no row has both text ({', '.join(tcols)}) and label ({label_col})")
    return data


def feature_config(n_labels: int, extra_cols: Sequence[str], text_cols: int = 1) -> FeatureConfig:
    """Fixed features; the vocabulary is capped only when many labels would make the weights too big."""
    cap = WEIGHT_BUDGET // (max(n_labels, 1) * (2 if _nb_weight(n_labels) else 1))
    title = text_cols > 1
    if cap >= 1_000_000:
        return FeatureConfig(max_char_features=None, max_word_features=None, extra_cols=tuple(extra_cols),
                             title_block=title)
    return FeatureConfig(max_char_features=int(cap * 0.6), max_word_features=int(cap * 0.4),
                         extra_cols=tuple(extra_cols), title_block=title)


def _svm(X: Any, y: np.ndarray) -> LinearSVC:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)  # "more classes than half the rows": fine here
        return LinearSVC(C=SVM_C, class_weight="balanced", tol=SVM_TOL, max_iter=2000,
                         random_state=0).fit(X, y)


def _fit_svm(X: Any, y: np.ndarray) -> LinearScorer:
    svm = _svm(X, y)
    return LinearScorer.of(svm.coef_, svm.intercept_, svm.classes_)


def _nb_weight(n_labels: int) -> float:
    return NB_WEIGHT if n_labels <= NB_MAX_LABELS else 0.0


def _fit_nb(X: Any, y: np.ndarray, weight: float) -> LinearScorer | None:
    """NB-SVM, one label at a time; the ratios are folded into the weights (coef = r ∘ w)."""
    if not weight:
        return None
    X = sp.csr_matrix(X, dtype=np.float32)
    present = X.copy()
    present.data[:] = 1.0
    total = np.asarray(present.sum(axis=0), dtype=np.float64).ravel()
    classes = np.unique(y)
    coef = np.zeros((len(classes), X.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(classes), dtype=np.float32)
    for k, label in enumerate(classes):
        inside = y == label
        p = NB_ALPHA + np.asarray(present[inside].sum(axis=0), dtype=np.float64).ravel()
        q = NB_ALPHA + total - (p - NB_ALPHA)
        r = (np.log(p / p.sum()) - np.log(q / q.sum())).astype(np.float32)
        scaled = sp.csr_matrix((X.data * r[X.indices], X.indices, X.indptr), shape=X.shape)
        svm = _svm(scaled, inside.astype(np.int8))
        coef[k] = svm.coef_.ravel() * r
        intercept[k] = svm.intercept_[0]
    return LinearScorer.of(coef, intercept, classes)


def _calibration_split(y: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """About 10 % of rows (at least one per label that has ≥ 3) for fitting the temperature."""
    if len(y) < 30:
        return None
    idx = np.arange(len(y))
    counts = Counter(y.tolist())
    stratify = y if min(counts.values()) >= 2 else None
    try:
        fit, held = train_test_split(idx, test_size=CALIBRATION_SHARE, random_state=0, stratify=stratify)
    except ValueError:  # more labels than held-out rows: plain random split
        fit, held = train_test_split(idx, test_size=CALIBRATION_SHARE, random_state=0)
    if len(set(y[fit].tolist())) < 2:
        return None
    return fit, held


def _temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that minimises the held-out negative log-likelihood."""
    def nll(t: float) -> float:
        p = softmax(scores, t)[np.arange(len(truth)), truth]
        return float(-np.log(np.clip(p, 1e-12, None)).mean())
    return float(minimize_scalar(nll, bounds=(0.05, 10.0), method="bounded").x)


def train(data: Dataset, *, progress: Any = None) -> RouterModel:
    """Fit features, SVM (+ complement NB) and the temperature on ``data``."""
    labels = sorted(set(data.labels))
    if len(labels) < 2:
        raise DataError(f"column {data.label_col}: need at least two different labels, found {len(labels)}")
    started = time.perf_counter()
    config = feature_config(len(labels), data.extra_cols, len(data.text_cols))
    features = RouterFeatures(config)
    X = features.fit_transform(data.texts, data.extras if data.extra_cols else None)
    index = {lab: i for i, lab in enumerate(labels)}
    y = np.array([index[lab] for lab in data.labels])
    nb_weight = _nb_weight(len(labels))
    model = RouterModel(features=features, svm=None, nb=None, labels=labels, config=config, nb_weight=nb_weight)
    split = _calibration_split(y)
    if split is not None:
        fit, held = split
        model.svm, model.nb = _fit_svm(X[fit], y[fit]), _fit_nb(X[fit], y[fit], nb_weight)
        scores = _scores_for(model, X[held], classes=model.svm.classes_, n=len(labels))
        model.temperature = _temperature(scores, y[held])
    if split is None or len(y) <= REFIT_MAX_ROWS or len(model.svm.classes_) < len(labels):
        model.svm, model.nb = _fit_svm(X, y), _fit_nb(X, y, nb_weight)
    model.meta = {
        "sklearn": sklearn.__version__, "rows": len(y), "labels": len(labels), "features": X.shape[1],
        "text_cols": data.text_cols, "label_col": data.label_col, "extra_cols": data.extra_cols,
        "train_seconds": round(time.perf_counter() - started, 2), "svm_c": SVM_C, "nb_weight": nb_weight,
    }
    return model


def _scores_for(model: RouterModel, X: Any, *, classes: np.ndarray, n: int) -> np.ndarray:
    """Scores over all ``n`` labels from a model fitted on a subset of them (others get −inf-ish)."""
    from fengqiao.intelligence.router import zscore

    s = np.asarray(model.svm.decision_function(X), dtype=np.float64)
    if s.ndim == 1:
        s = np.column_stack([-s, s])
    s = zscore(s)
    if model.nb is not None and model.nb_weight:
        s = s + model.nb_weight * zscore(np.asarray(model.nb.decision_function(X), dtype=np.float64))
    full = np.full((X.shape[0], n), -1e3)
    full[:, classes] = s
    return full


def evaluate(model: RouterModel, data: Dataset) -> dict[str, Any]:
    """accuracy, macro-F1, top-3 accuracy, n and milliseconds per item (features included)."""
    started = time.perf_counter()
    proba = model.predict_proba(data.texts, data.extras if model.config.extra_cols else None)
    elapsed = time.perf_counter() - started
    labels = np.array(model.labels)
    top3 = labels[np.argsort(-proba, axis=1)[:, :3]]
    truth = np.array(data.labels)
    pred = top3[:, 0]
    return {
        "accuracy": round(float(accuracy_score(truth, pred)), 4),
        "macro_f1": round(float(f1_score(truth, pred, average="macro", zero_division=0)), 4),
        "top3_accuracy": round(float(np.mean([t in row for t, row in zip(truth, top3, strict=True)])), 4),
        "n": len(truth),
        "ms_per_item": round(1000 * elapsed / len(truth), 3),
        "unknown_labels": sorted(set(truth.tolist()) - set(model.labels))[:20],
    }


def folds(labels: Sequence[str], k: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified k folds when every label has ≥ k rows; otherwise stratified with a warning silenced,
    and plain shuffled folds when even that cannot be done (e.g. all labels singletons)."""
    y = np.array(labels)
    if len(y) < k:
        raise DataError(f"{len(y)} rows cannot make {k} folds")
    idx = np.zeros(len(y))
    counts = Counter(labels)
    if max(counts.values()) >= k:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return list(StratifiedKFold(k, shuffle=True, random_state=0).split(idx, y))
    return list(KFold(k, shuffle=True, random_state=0).split(idx))


def subset(data: Dataset, rows: np.ndarray) -> Dataset:
    return replace(data, texts=[data.texts[i] for i in rows], labels=[data.labels[i] for i in rows],
                   extras=[data.extras[i] for i in rows], skipped=0)


def _mean(results: list[dict[str, Any]], key: str) -> float:
    return round(float(np.mean([r[key] for r in results])), 4)


def baseline(train_data: Dataset, test_data: Dataset) -> dict[str, Any]:
    """The published baseline: rjieba word TF-IDF + LinearSVC (defaults), on the same texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    started = time.perf_counter()
    vec = TfidfVectorizer(analyzer=words)
    svm = LinearSVC().fit(vec.fit_transform(train_data.texts), train_data.labels)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    scores = svm.decision_function(vec.transform(test_data.texts))
    elapsed = time.perf_counter() - started
    if scores.ndim == 1:
        scores = np.column_stack([-scores, scores])
    top3 = svm.classes_[np.argsort(-scores, axis=1)[:, :3]]
    truth = np.array(test_data.labels)
    return {
        "accuracy": float(accuracy_score(truth, top3[:, 0])),
        "macro_f1": float(f1_score(truth, top3[:, 0], average="macro", zero_division=0)),
        "top3_accuracy": float(np.mean([t in row for t, row in zip(truth, top3, strict=True)])),
        "ms_per_item": 1000 * elapsed / len(truth), "train_seconds": train_seconds,
    }


def cross_validate(data: Dataset, k: int = 5, *, with_baseline: bool = True) -> dict[str, Any]:
    """k-fold figures for our model and (same folds, same run) the TF-IDF + LinearSVC baseline."""
    ours, base = [], []
    for train_rows, test_rows in folds(data.labels, k):
        tr, te = subset(data, train_rows), subset(data, test_rows)
        started = time.perf_counter()
        model = train(tr)
        result = evaluate(model, te)
        result["train_seconds"] = time.perf_counter() - started - result["ms_per_item"] * len(te.texts) / 1000
        ours.append(result)
        if with_baseline:
            base.append(baseline(tr, te))
    keys = ["accuracy", "macro_f1", "top3_accuracy", "ms_per_item", "train_seconds"]
    out: dict[str, Any] = {"n": len(data.texts), "folds": k, "labels": len(set(data.labels)),
                           "ours": {key: _mean(ours, key) for key in keys},
                           "ours_macro_f1_per_fold": [r["macro_f1"] for r in ours]}
    if with_baseline:
        out["baseline_tfidf_linearsvc"] = {key: _mean(base, key) for key in keys}
    return out


# ---- labelled data from the case table (the demo, a city's own history) -----------------------------

EXPORT_COLUMNS = ["code", "title", "description", "label", "label_name", "district", "street"]


def case_rows(what: str, *, limit: int | None = None) -> list[dict[str, str]]:
    """Closed cases as labelled rows: label = category code (``what="category"``) or lead unit code
    (``"unit"``), with district and street names as extra columns.  A system-level read for training
    (no actor: like ``audit verify``, it sees the whole table), newest first when ``limit`` samples."""
    from fengqiao.cases.models import Case
    from fengqiao.cases.states import State

    if what not in ("category", "unit"):
        raise DataError(f"--what: expected category or unit, got {what!r}")
    rel = "category" if what == "category" else "lead_unit"
    qs = (Case.objects.filter(status=State.CLOSED, **{f"{rel}__isnull": False})
          .order_by("-registered_at")
          .values_list("code", "title", "description", f"{rel}__code", f"{rel}__name",
                       "district__name", "street__name"))
    if limit:
        qs = qs[:limit]
    return [dict(zip(EXPORT_COLUMNS, [v or "" for v in row], strict=True)) for row in qs.iterator(chunk_size=5000)]


def write_rows(rows: list[dict[str, str]], out: str | Path) -> None:
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def rows_dataset(rows: list[dict[str, str]], extra_cols: Sequence[str]) -> Dataset:
    data = Dataset([], [], [], ["title", "description"], "label", list(extra_cols))
    for row in rows:
        text = join_text([row["title"], row["description"]])
        if text and row["label"]:
            data.texts.append(text)
            data.labels.append(row["label"])
            data.extras.append([row[c] for c in extra_cols])
    return data


# what each demo model sees besides the text
DEMO_EXTRAS = {"category": [], "unit": ["district", "street"]}
