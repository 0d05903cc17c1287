"""The escalation model: a logistic regression on the features (interpretable: a reason is a feature's
positive contribution, coefficient × standardised value), calibrated by Platt scaling (a one-feature logistic
regression on its score) fitted on the last quarter of the training period; Platt rather than isotonic
regression, whose top bin says "100 %" as soon as a handful of training rows all escalated.  Saved like the
router's models, ``DATA_DIR/models/escalation.joblib`` (written beside and renamed), loaded once per process
and reloaded when the file changes; never downloaded.

``backtest`` splits by time: train on snapshots whose whole horizon ended before the split, test on the
snapshots after it whose horizon has ended by now (the split falls at ``split`` of the span left once one
horizon is set aside); it measures a baseline (the number of earlier contacts of the same party) on the same
test rows.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from django.conf import settings
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

from fengqiao.warning.features import DAY, HORIZON_DAYS, NAMES, SNAPSHOT_DAYS, History, Record, snapshot, vector

FILE = "escalation.joblib"
MIN_ROWS = 40


class NotEnoughData(Exception):
    pass


@dataclass
class EscalationModel:
    version: str
    scaler: StandardScaler
    logit: LogisticRegression
    calibrator: LogisticRegression
    category_rate: dict[str, float]
    prior: float
    horizon_days: int = HORIZON_DAYS
    snapshot_days: int = SNAPSHOT_DAYS
    figures: dict[str, Any] = field(default_factory=dict)

    def raw(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(self.logit.decision_function(self.scaler.transform(X)))

    def proba(self, X: np.ndarray) -> np.ndarray:
        return platt(self.calibrator, self.raw(X))

    def contributions(self, x: np.ndarray) -> dict[str, float]:
        """Each feature's push on the log-odds against an average case (coefficient × standardised value)."""
        z = self.scaler.transform(x.reshape(1, -1))[0]
        return {name: float(c * v) for name, c, v in zip(NAMES, self.logit.coef_[0], z, strict=True)}


def category_rates(records: list[Record], labels: np.ndarray,
                   smoothing: float = 20.0) -> tuple[dict[str, float], float]:
    """The share of escalations per top-level category, shrunk to the overall share (training rows only)."""
    prior = float(labels.mean()) if len(labels) else 0.0
    totals: dict[str, list[float]] = {}
    for r, y in zip(records, labels, strict=True):
        t = totals.setdefault(r.top, [0.0, 0.0])
        t[0] += float(y)
        t[1] += 1
    return {k: (pos + smoothing * prior) / (n + smoothing) for k, (pos, n) in totals.items()}, prior


@dataclass
class Rows:
    records: list[Record]
    as_of: np.ndarray
    labels: np.ndarray


def rows(history: History, now: float, *, horizon_days: int = HORIZON_DAYS, start: float | None = None,
         end: float | None = None) -> Rows:
    """One snapshot per case (merged and cancelled ones are history, not rows) whose snapshot is in
    [start, end) and whose horizon has ended by ``now``."""
    picked, moments, labels = [], [], []
    for r in history.records:
        s = snapshot(r, now)
        if s + horizon_days * DAY > now or (start is not None and s < start) or (end is not None and s >= end):
            continue
        picked.append(r)
        moments.append(s)
        labels.append(history.label(r, s, horizon_days))
    return Rows(picked, np.asarray(moments), np.asarray(labels, dtype=int))


BASELINES = {"party_contacts": "earlier contacts of the same party (90 days)",
             "place_contacts": "earlier requests at the same place (90 days)"}


def matrix(history: History, part: Rows, rates: dict[str, float], prior: float,
           baseline: str = "party_contacts") -> tuple[np.ndarray, np.ndarray]:
    """Features (model input) and the baseline score (by default: earlier contacts of the same party)."""
    X, base = [], []
    for r, s in zip(part.records, part.as_of, strict=True):
        values = history.features(r, float(s), rates, prior)
        X.append(vector(values))
        base.append(values[baseline])
    return np.asarray(X, dtype=float).reshape(-1, len(NAMES)), np.asarray(base, dtype=float)


def fit(history: History, train: Rows, version: str, horizon_days: int = HORIZON_DAYS) -> EscalationModel:
    if len(train.labels) < MIN_ROWS or len(set(train.labels.tolist())) < 2:
        raise NotEnoughData(f"{len(train.labels)} rows, {int(train.labels.sum())} escalated: too few to train")
    order = np.argsort(train.as_of, kind="stable")
    cut = int(len(order) * 0.75)
    fit_idx, cal_idx = order[:cut], order[cut:]
    if len(set(train.labels[fit_idx].tolist())) < 2:
        fit_idx, cal_idx = order, order
    fit_part = Rows([train.records[i] for i in fit_idx], train.as_of[fit_idx], train.labels[fit_idx])
    rates, prior = category_rates(fit_part.records, fit_part.labels)
    X, _base = matrix(history, train, rates, prior)
    scaler = StandardScaler().fit(X[fit_idx])
    logit = LogisticRegression(C=0.5, max_iter=2000).fit(scaler.transform(X[fit_idx]), train.labels[fit_idx])
    raw = np.asarray(logit.decision_function(scaler.transform(X[cal_idx])))
    return EscalationModel(version=version, scaler=scaler, logit=logit,
                           calibrator=fit_platt(raw, train.labels[cal_idx]), category_rate=rates, prior=prior,
                           horizon_days=horizon_days)


def fit_platt(scores: np.ndarray, labels: np.ndarray) -> LogisticRegression:
    """P(escalation | score) as a logistic curve of the score (Platt scaling)."""
    if len(set(labels.tolist())) < 2:
        raise NotEnoughData("the calibration rows are all of one outcome")
    return LogisticRegression(C=1e4, max_iter=1000).fit(scores.reshape(-1, 1), labels)


def platt(calibrator: LogisticRegression, scores: np.ndarray) -> np.ndarray:
    return np.asarray(calibrator.predict_proba(np.asarray(scores, dtype=float).reshape(-1, 1))[:, 1])


# --- measures -----------------------------------------------------------------------------------------------
def auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    if len(set(labels.tolist())) < 2:
        return None
    return float(roc_auc_score(labels, scores))


def precision_at(labels: np.ndarray, scores: np.ndarray, k: int = 100) -> float | None:
    """The share of escalations among the ``k`` highest scores (ties in their row order)."""
    if not len(labels):
        return None
    top = np.argsort(-scores, kind="stable")[: min(k, len(labels))]
    return float(labels[top].mean())


def calibration_error(labels: np.ndarray, proba: np.ndarray, bins: int = 10) -> float | None:
    """Expected calibration error over ``bins`` equal-width probability bins."""
    if not len(labels):
        return None
    edges = np.minimum((proba * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        mask = edges == b
        if mask.any():
            total += mask.sum() / len(labels) * abs(float(proba[mask].mean()) - float(labels[mask].mean()))
    return float(total)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def figures(labels: np.ndarray, scores: np.ndarray, proba: np.ndarray) -> dict[str, float | None]:
    return {"auc": _round(auc(labels, scores)), "precision_at_100": _round(precision_at(labels, scores)),
            "calibration_error": _round(calibration_error(labels, proba))}


def backtest(history: History, now: float, *, horizon_days: int = HORIZON_DAYS, split: float = 0.5,
             baseline: str = "party_contacts") -> dict[str, Any]:
    """Train before the split, test after it; the model and the baseline on the same test rows."""
    everyone = rows(history, now, horizon_days=horizon_days)
    if not len(everyone.as_of):
        raise NotEnoughData("no case has a complete horizon yet")
    first, last = float(everyone.as_of.min()), float(everyone.as_of.max())
    gap = horizon_days * DAY  # a training row's horizon must end before the test period starts
    if last - first <= gap:
        raise NotEnoughData(f"the history spans less than the horizon ({horizon_days} days) plus a test period")
    cut = first + gap + (last - first - gap) * split
    train = rows(history, cut, horizon_days=horizon_days)  # its horizon ended before the split
    test = rows(history, now, horizon_days=horizon_days, start=cut)
    model = fit(history, train, "backtest", horizon_days)
    X, base = matrix(history, test, model.category_rate, model.prior, baseline)
    if not len(test.labels):
        raise NotEnoughData("no test rows after the split")
    proba = model.proba(X)
    raw = model.raw(X)
    # the baseline, calibrated the same way (Platt scaling on the training rows' baseline)
    _Xt, base_train = matrix(history, train, model.category_rate, model.prior, baseline)
    base_cal = fit_platt(base_train, train.labels)
    mine = figures(test.labels, raw, proba)
    base_figures = figures(test.labels, base, platt(base_cal, base))
    return {
        **mine, "horizon_days": horizon_days, "snapshot_days": SNAPSHOT_DAYS,
        "split_at": dt.datetime.fromtimestamp(cut, tz=dt.UTC).isoformat(timespec="seconds"),
        "train_rows": len(train.labels), "train_escalated": int(train.labels.sum()),
        "test_rows": len(test.labels), "test_escalated": int(test.labels.sum()),
        "baseline": {"name": BASELINES[baseline], **base_figures},
        "weights": {n: round(float(c), 3) for n, c in zip(NAMES, model.logit.coef_[0], strict=True)},
    }


def train_all(history: History, now: float, version: str, horizon_days: int = HORIZON_DAYS) -> EscalationModel:
    """The model to install: every snapshot whose horizon has ended."""
    data = rows(history, now, horizon_days=horizon_days)
    model = fit(history, data, version, horizon_days)
    model.figures = {"rows": len(data.labels), "escalated": int(data.labels.sum())}
    return model


# --- storage ------------------------------------------------------------------------------------------------
def path() -> Path:
    return Path(settings.DATA_DIR) / "models" / FILE


def save(model: EscalationModel, out: Path | None = None) -> Path:
    """Write beside the target and rename, so a serving process never loads half a file."""
    out = out or path()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".tmp", delete=False) as fh:
        tmp = Path(fh.name)
    try:
        joblib.dump(model, tmp, compress=3)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    forget()
    return out


_cache: dict[str, tuple[float, EscalationModel]] = {}
_lock = threading.Lock()


def load() -> EscalationModel | None:
    """The installed model, reloaded when its file changes; None when none is installed."""
    where = path()
    try:
        mtime = where.stat().st_mtime
    except FileNotFoundError:
        _cache.clear()
        return None
    with _lock:
        hit = _cache.get(str(where))
        if hit is not None and hit[0] == mtime:
            return hit[1]
        model = joblib.load(where)
        if not isinstance(model, EscalationModel):
            raise TypeError(f"{where} is not an escalation model")
        _cache[str(where)] = (mtime, model)
        return model


def forget() -> None:
    with _lock:
        _cache.clear()
