"""The hand-labelled pairs that measure hot-issue grouping (there are no gold groups in the TipDM file).

``sample_pairs`` draws message pairs stratified by a neutral similarity — character-bigram TF-IDF cosine
of subject + detail, not the grouping's own features — so that easy and hard pairs are both in the set.
We read each pair and labelled it 1 (same problem) or 0; the file keeps message ids and labels only
(bench/data/hot_pairs.csv), never the text.  ``pairwise`` scores a grouping on those pairs.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from fengqiao.intelligence import hot_cluster as hc

# similarity strata (lower bounds) and pairs drawn from each
STRATA = (0.0, 0.15, 0.25, 0.35, 0.5)
PER_STRATUM = 80
PAIRS_FILE = Path(__file__).resolve().parents[3] / "bench" / "data" / "hot_pairs.csv"


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    stratum: int
    similarity: float
    label: int | None  # 1 same problem, 0 not, None not labelled yet


def neutral_similarity(messages: Sequence[hc.Message]) -> tuple[TfidfVectorizer, sp.csr_matrix]:
    vec = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, dtype=np.float32)
    x = vec.fit_transform([hc.normalise(f"{m.subject} {m.detail}") for m in messages])
    return vec, x


def sample_pairs(messages: Sequence[hc.Message], seed: int = 2020, per_stratum: int = PER_STRATUM) -> list[Pair]:
    """``per_stratum`` random pairs from each similarity stratum (the lowest stratum: uniformly random pairs)."""
    rng = random.Random(seed)
    _vec, x = neutral_similarity(messages)
    i, j, s = hc.similar_pairs(x, STRATA[1])
    out: list[Pair] = []
    n = len(messages)
    seen: set[tuple[int, int]] = set()
    while len(out) < per_stratum:  # stratum 0: random pairs below the first bound
        a, b = sorted(rng.sample(range(n), 2))
        sim = float((x[a] @ x[b].T).toarray()[0, 0])
        if sim < STRATA[1] and (a, b) not in seen:
            seen.add((a, b))
            out.append(Pair(messages[a].id, messages[b].id, 0, round(sim, 3), None))
    for k, lo in enumerate(STRATA[1:], start=1):
        hi = STRATA[k + 1] if k + 1 < len(STRATA) else 1.01
        idx = np.flatnonzero((s >= lo) & (s < hi))
        for p in rng.sample(list(idx), min(per_stratum, len(idx))):
            out.append(Pair(messages[int(i[p])].id, messages[int(j[p])].id, k, round(float(s[p]), 3), None))
    return out


def write_pairs(pairs: Sequence[Pair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["a", "b", "stratum", "similarity", "label"])
        for p in pairs:
            w.writerow([p.a, p.b, p.stratum, p.similarity, "" if p.label is None else p.label])


def read_pairs(path: Path = PAIRS_FILE) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Pair(r["a"], r["b"], int(r["stratum"]), float(r["similarity"]),
                     int(r["label"]) if r["label"].strip() else None) for r in csv.DictReader(f)]


@dataclass(frozen=True)
class Scores:
    pairs: int
    positives: int
    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float:
        found = self.true_pos + self.false_pos
        return self.true_pos / found if found else 0.0

    @property
    def recall(self) -> float:
        return self.true_pos / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"pairs": self.pairs, "positives": self.positives, "precision": round(self.precision, 3),
                "recall": round(self.recall, 3), "f1": round(self.f1, 3)}


def pairwise(messages: Sequence[hc.Message], groups: Sequence[Sequence[int]], pairs: Sequence[Pair]) -> Scores:
    """Pairwise precision/recall of ``groups`` on the labelled pairs: a pair is predicted "same" when both
    messages are in one group."""
    where = {}
    for g, members in enumerate(groups):
        for m in members:
            where[messages[m].id] = g
    tp = fp = fn = pos = count = 0
    for p in pairs:
        if p.label is None or p.a not in where or p.b not in where:
            continue
        count += 1
        same = where[p.a] == where[p.b]
        pos += p.label
        tp += int(same and p.label == 1)
        fp += int(same and p.label == 0)
        fn += int(not same and p.label == 1)
    return Scores(pairs=count, positives=pos, true_pos=tp, false_pos=fp, false_neg=fn)
