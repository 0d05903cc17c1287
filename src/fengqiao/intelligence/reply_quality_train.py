"""Training and measuring the reply quality model on a CSV of messages with replies and hand labels.

Columns (tipdm2020 ``messages_with_replies.csv``): 留言主题, 留言详情, 答复意见, ``syu_可解释性`` (0/1, all rows),
``rollbear_完整性`` and ``rollbear_可解释性`` (0/1 on some rows, blank elsewhere).

``measure(rows, folds)`` is the k-fold measurement used by ``fengqiao reply_quality eval`` and
``bench/reply_quality.py``: each score beside a baseline on the same folds, and ms per reply.
"""

from __future__ import annotations

import csv
import math
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from fengqiao.intelligence import reply_quality as rq

EXPLANATION_LABEL = "syu_可解释性"
COMPLETENESS_LABEL = "rollbear_完整性"
EXPLANATION_CHECK = "rollbear_可解释性"
SEED = 20260


class DataError(ValueError):
    """A file that cannot be trained on, with a message naming the column or row."""


@dataclass
class Row:
    message: str
    reply: str
    explanation: int | None
    completeness: int | None
    explanation_check: int | None


def _label(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return 1 if float(value) >= 0.5 else 0
    except ValueError:
        return None


def read_csv(path: str | Path) -> list[Row]:
    raw = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError(f"{path}: 不是 UTF-8 或 GB18030 编码的 CSV 文件")
    reader = csv.DictReader(text.splitlines())
    needed = {"留言详情", "答复意见"}
    missing = needed - set(reader.fieldnames or [])
    if missing:
        raise DataError(f"{path}: 缺少列 {'、'.join(sorted(missing))}")
    rows = []
    for record in reader:
        reply = (record.get("答复意见") or "").strip()
        if not reply:
            continue
        message = f"{record.get('留言主题') or ''}。{record.get('留言详情') or ''}"
        rows.append(Row(message, reply, _label(record.get(EXPLANATION_LABEL)),
                        _label(record.get(COMPLETENESS_LABEL)), _label(record.get(EXPLANATION_CHECK))))
    if not rows:
        raise DataError(f"{path}: 没有含答复意见的行")
    return rows


def fit_idf(texts: list[str]) -> tuple[dict[str, float], float]:
    df: Counter[str] = Counter()
    for text in texts:
        df.update(set(rq.terms(rq.normalise(text))))
    n = len(texts)
    idf = {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items() if c >= 2}
    return idf, math.log(1 + n) + 1.0


def _dense(rows: list[Row], idf: dict[str, float] | None, default_idf: float) -> np.ndarray:
    return np.asarray([rq.dense_vector(rq.dense_features(r.message, r.reply, idf, default_idf)) for r in rows])


def _fit_explanation(replies: list[str], dense: np.ndarray, y: list[int]) -> tuple[Any, Any]:
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=50_000)
    X = sp.hstack([vec.fit_transform(replies), sp.csr_matrix(dense)]).tocsr()
    clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
    clf.fit(X, y)
    return vec, clf


def _completeness_clf() -> Any:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # no class weights: its probability keeps the labelled share of complete replies (76 %) as its prior
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.3, max_iter=2000))


def train(rows: list[Row]) -> rq.ReplyQualityModel:
    started = time.perf_counter()
    labelled = [r for r in rows if r.explanation is not None]
    if len({r.explanation for r in labelled}) < 2:
        raise DataError(f"列 {EXPLANATION_LABEL} 需要 0 和 1 两种标注")
    idf, default_idf = fit_idf([r.message for r in rows])
    dense = _dense(labelled, idf, default_idf)
    vec, clf = _fit_explanation([rq.normalise(r.reply) for r in labelled], dense,
                                [int(r.explanation or 0) for r in labelled])
    model = rq.ReplyQualityModel(idf=idf, default_idf=default_idf, explanation_vectorizer=vec, explanation_clf=clf)
    comp_rows = [r for r in rows if r.completeness is not None]
    if len({r.completeness for r in comp_rows}) == 2:
        model.completeness_clf = _completeness_clf().fit(
            _dense(comp_rows, idf, default_idf), [int(r.completeness or 0) for r in comp_rows])
    import sklearn

    model.meta = {"rows": len(rows), "explanation_rows": len(labelled), "completeness_rows": len(comp_rows),
                  "sklearn": sklearn.__version__, "train_seconds": round(time.perf_counter() - started, 1)}
    return model


# ---------------------------------------------------------------- measurement

def _binary(y: list[int], p: np.ndarray, cut: float = 0.5) -> dict[str, float]:
    pred = (p >= cut).astype(int)
    return {"auc": round(float(roc_auc_score(y, p)), 4),
            "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
            "accuracy": round(float(accuracy_score(y, pred)), 4)}


def _length_baseline(train_len: np.ndarray, y_train: list[int], test_len: np.ndarray) -> np.ndarray:
    clf = LogisticRegression(class_weight="balanced").fit(np.log1p(train_len).reshape(-1, 1), y_train)
    return np.asarray(clf.predict_proba(np.log1p(test_len).reshape(-1, 1))[:, 1])


def measure_explanation(rows: list[Row], folds: int) -> tuple[dict[str, Any], np.ndarray]:
    data = [r for r in rows if r.explanation is not None]
    y = np.asarray([int(r.explanation or 0) for r in data])
    lengths = np.asarray([len(r.reply) for r in data], dtype=float)
    ours, base = np.zeros(len(data)), np.zeros(len(data))
    rules = np.asarray([rq.explanation_rule(rq.dense_features(r.message, r.reply)) for r in data])
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(lengths, y):
        tr = [data[i] for i in train_idx]
        idf, default_idf = fit_idf([r.message for r in tr])
        vec, clf = _fit_explanation([rq.normalise(r.reply) for r in tr], _dense(tr, idf, default_idf),
                                    list(y[train_idx]))
        te = [data[i] for i in test_idx]
        X = sp.hstack([vec.transform([rq.normalise(r.reply) for r in te]),
                       sp.csr_matrix(_dense(te, idf, default_idf))]).tocsr()
        ours[test_idx] = clf.predict_proba(X)[:, 1]
        base[test_idx] = _length_baseline(lengths[train_idx], list(y[train_idx]), lengths[test_idx])
    majority = int(Counter(y.tolist()).most_common(1)[0][0])
    out = {"n": len(data), "positive_share": round(float(y.mean()), 4), "ours": _binary(list(y), ours),
           "rules_only": _binary(list(y), rules),
           "baseline_length": _binary(list(y), base),
           "baseline_majority": {"accuracy": round(float((y == majority).mean()), 4),
                                 "macro_f1": round(float(f1_score(y, np.full(len(y), majority), average="macro")), 4)}}
    # agreement with the second annotator where she labelled (out-of-fold predictions)
    idx = [i for i, r in enumerate(data) if r.explanation_check is not None]
    if idx:
        check = [int(data[i].explanation_check or 0) for i in idx]
        pred = (ours[idx] >= 0.5).astype(int)
        out["vs_rollbear"] = {
            "n": len(idx), "accuracy": round(float(accuracy_score(check, pred)), 4),
            "kappa": round(float(cohen_kappa_score(check, pred)), 4),
            "auc": round(float(roc_auc_score(check, ours[idx])), 4) if len(set(check)) == 2 else None,
            "syu_vs_rollbear_accuracy": round(float(np.mean([data[i].explanation == data[i].explanation_check
                                                            for i in idx])), 4)}
    return out, ours


def measure_completeness(rows: list[Row], folds: int) -> dict[str, Any]:
    data = [r for r in rows if r.completeness is not None]
    y = np.asarray([int(r.completeness or 0) for r in data])
    if len(set(y.tolist())) < 2:
        return {"n": len(data), "note": "too few labels"}
    feats = [rq.dense_features(r.message, r.reply) for r in data]
    rules = np.asarray([rq.completeness_rule(f) for f in feats])
    dense = np.asarray([rq.dense_vector(f) for f in feats])
    lengths = np.asarray([len(r.reply) for r in data], dtype=float)
    learned, base = np.zeros(len(data)), np.zeros(len(data))
    for train_idx, test_idx in StratifiedKFold(min(folds, int(np.bincount(y).min())), shuffle=True,
                                               random_state=SEED).split(dense, y):
        clf = _completeness_clf().fit(dense[train_idx], y[train_idx])
        learned[test_idx] = clf.predict_proba(dense[test_idx])[:, 1]
        base[test_idx] = _length_baseline(lengths[train_idx], list(y[train_idx]), lengths[test_idx])
    blend = 0.5 * rules + 0.5 * learned * np.asarray([f["length_factor"] for f in feats])
    return {"n": len(data), "positive_share": round(float(y.mean()), 4),
            "rules_auc": round(float(roc_auc_score(y, rules)), 4),
            "ours_auc": round(float(roc_auc_score(y, blend)), 4),
            "baseline_length_auc": round(float(roc_auc_score(y, base)), 4)}


def measure_relevance(rows: list[Row]) -> dict[str, Any]:
    """No relevance labels exist: a reply to its own message against the same reply to another message
    (shuffled pairs) — the AUC of telling them apart, ours vs plain word-overlap (Jaccard)."""
    rng = random.Random(SEED)
    idf, default_idf = fit_idf([r.message for r in rows])
    others = list(range(len(rows)))
    rng.shuffle(others)
    ours: list[float] = []
    base: list[float] = []
    y: list[int] = []
    for i, r in enumerate(rows):
        j = others[i] if others[i] != i else (i + 1) % len(rows)
        for message, label in ((r.message, 1), (rows[j].message, 0)):
            f = rq.dense_features(message, r.reply, idf, default_idf)
            ours.append(rq.relevance_rule(f))
            a, b = set(rq.terms(message)), set(rq.terms(r.reply))
            base.append(len(a & b) / len(a | b) if a | b else 0.0)
            y.append(label)
    true_scores = np.asarray(ours)[np.asarray(y) == 1]
    return {"pairs": len(y), "ours_auc": round(float(roc_auc_score(y, ours)), 4),
            "baseline_jaccard_auc": round(float(roc_auc_score(y, base)), 4),
            "true_pairs_below_threshold": round(float((true_scores < rq.threshold()).mean()), 4)}


def measure(rows: list[Row], folds: int = 5) -> dict[str, Any]:
    started = time.perf_counter()
    explanation, _ = measure_explanation(rows, folds)
    result: dict[str, Any] = {"rows": len(rows), "folds": folds, "explanation": explanation,
                              "completeness": measure_completeness(rows, folds),
                              "relevance": measure_relevance(rows)}
    model = train(rows)
    sample = rows[::5]
    t0 = time.perf_counter()
    scores = [rq.score_with(model, r.message, r.reply) for r in sample]
    result["ms_per_reply"] = round((time.perf_counter() - t0) * 1000 / len(sample), 2)
    result["weak_share"] = round(sum(s.weak for s in scores) / len(scores), 4)
    lows = [min(s.relevance, s.completeness, s.explanation) for s in scores]
    result["weak_share_by_threshold"] = {str(cut): round(sum(v < cut for v in lows) / len(lows), 4)
                                         for cut in (0.3, 0.4, 0.5)}
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def evaluate(model: rq.ReplyQualityModel, rows: list[Row]) -> dict[str, Any]:
    """An installed/trained model on a labelled file (no refitting)."""
    t0 = time.perf_counter()
    scores = [rq.score_with(model, r.message, r.reply) for r in rows]
    ms = (time.perf_counter() - t0) * 1000 / len(rows)
    out: dict[str, Any] = {"n": len(rows), "ms_per_reply": round(ms, 2),
                           "weak_share": round(sum(s.weak for s in scores) / len(rows), 4)}
    for name, attr, label in (("explanation", "explanation", "explanation"),
                              ("completeness", "completeness", "completeness"),
                              ("explanation_vs_rollbear", "explanation", "explanation_check")):
        pairs = [(getattr(r, label), getattr(s, attr)) for r, s in zip(rows, scores, strict=True)
                 if getattr(r, label) is not None]
        if len({p[0] for p in pairs}) == 2:
            out[name] = {"n": len(pairs), **_binary([p[0] for p in pairs], np.asarray([p[1] for p in pairs]))}
    return out
