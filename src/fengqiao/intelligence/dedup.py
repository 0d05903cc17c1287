"""Possible duplicates of a case: MinHash LSH bands kept in the database, then an exact check.

A case's text (title + description, normalised) is cut into shingles: character bigrams for Chinese,
words and word pairs for English.  Its MinHash (datasketch, NUM_PERM permutations, fixed seed) is cut
into BANDS bands of ROWS values; each band is hashed to a signed 64-bit integer stored in
``intelligence.CaseBand`` with the case's registration time and street.  Candidates of a case are the
cases that share at least one band hash, were registered within ``window`` days of it and lie in the same
street (or either has no known area) — one query on the (hash, registered_at) index — whose shingle
sets then have a Jaccard similarity of at least ``threshold``; plus the cases with a party of the same
phone (keyed hash) within the window: a repeat caller.  See docs/duplicates.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import re
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
from datasketch import MinHash
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from fengqiao.cases.models import Case, Party
from fengqiao.cases.states import State
from fengqiao.intelligence.models import CaseBand
from fengqiao.kit import bulk

log = logging.getLogger(__name__)

NUM_PERM = 64
BANDS = 32
ROWS = 2  # BANDS × ROWS ≤ NUM_PERM; with 32 × 2 a pair at Jaccard 0.3 shares a band with p ≈ 0.95
SEED = 20260
BATCH = 1000

# politeness and framing that every report shares and that says nothing about the matter
STOP_PHRASES = (
    "尊敬的领导", "尊敬的", "领导您好", "领导你好", "您好", "你好", "请问", "市民反映", "来电反映", "来电人反映",
    "群众反映", "网友反映", "反映", "谢谢", "感谢", "麻烦", "请求", "希望", "有关部门", "相关部门", "尽快",
    "处理一下", "帮忙", "非常", "望", "请",
)
ENGLISH_STOP = frozenset({"a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "or", "is", "are", "was",
                          "be", "by", "with", "from", "this", "that", "it"})
_STOP_RE = re.compile("|".join(sorted(map(re.escape, STOP_PHRASES), key=len, reverse=True)))
_DATE_GLUE = re.compile(r"(?<=\d)[年月./\-](?=\d)")
_NOT_WORD = re.compile(r"[^\w]+|_")
_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")

Reason = Literal["text", "phone"]


@dataclass(frozen=True)
class Candidate:
    case_id: int
    code: str
    title: str
    similarity: float
    reason: Reason


def window_days() -> int:
    return int(getattr(settings, "DEDUP_WINDOW_DAYS", 7))


def threshold() -> float:
    return float(getattr(settings, "DEDUP_THRESHOLD", 0.5))


# --- text → shingles → bands ---------------------------------------------------------------------

def normalise(text: str) -> str:
    """Full-width → half-width, lower case, stop phrases out, dates glued, punctuation and spaces out."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _STOP_RE.sub(" ", text)
    text = _DATE_GLUE.sub("", text)
    return _NOT_WORD.sub(" ", text).strip()


def is_chinese(text: str) -> bool:
    letters = sum(1 for ch in text if ch.isalpha())
    return letters > 0 and len(_CJK.findall(text)) * 3 >= letters


def shingles(text: str) -> frozenset[str]:
    """Character bigrams of Chinese text; words and word pairs of other (English) text."""
    norm = normalise(text)
    if is_chinese(norm):
        compact = norm.replace(" ", "")
        if len(compact) < 2:
            return frozenset([compact]) if compact else frozenset()
        return frozenset(compact[i:i + 2] for i in range(len(compact) - 1))
    words = [w for w in _WORD.findall(norm) if w not in ENGLISH_STOP]
    return frozenset(words) | frozenset(f"{a} {b}" for a, b in itertools.pairwise(words))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@cache
def _template() -> MinHash:
    """Permutations are drawn once per process, not once per MinHash (their cost dominates short texts)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED)


def band_hashes(items: Iterable[str]) -> list[int]:
    """The BANDS band hashes (signed 64-bit, band number mixed in) of a shingle set; [] when empty."""
    data = [s.encode() for s in items]
    if not data:
        return []
    template = _template()
    mh = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=template.permutations, scheme=template.scheme)
    mh.update_batch(data)
    values = mh.hashvalues
    out = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].astype(np.uint64).tobytes()
        digest = hashlib.blake2b(struct.pack(">h", band) + chunk, digest_size=8).digest()
        out.append(int.from_bytes(digest, "big", signed=True))
    return out


def case_text(title: str, description: str) -> str:
    return f"{title}\n{description}"


# --- the index -----------------------------------------------------------------------------------

def index_cases(case_ids: Sequence[int]) -> int:
    """(Re)write the bands of these cases: idempotent, one bulk insert per batch.  Returns rows written."""
    written = 0
    for start in range(0, len(case_ids), BATCH):
        ids = list(case_ids[start:start + BATCH])
        rows = Case.objects.filter(pk__in=ids).values_list("pk", "title", "description", "registered_at",
                                                           "street_id")
        adapt = connection.ops.adapt_datetimefield_value
        bands = [
            (pk, band, h, adapt(at), street)
            for pk, title, description, at, street in rows
            for band, h in enumerate(band_hashes(shingles(case_text(title, description))))
        ]
        with transaction.atomic():
            CaseBand.objects.filter(case_id__in=ids).delete()
            _insert(bands)
        written += len(bands)
    return written


def _insert(bands: Sequence[Any]) -> None:
    """One COPY / executemany per batch: the ORM's bulk_create spends ~30 µs a value preparing what is
    already plain integers here (measured: 64k rows in 12 s through bulk_create)."""
    bulk.insert_rows(CaseBand._meta.db_table, ["case_id", "band", "hash", "registered_at", "street_id"], bands)


def index_after_commit(case_id: int) -> None:
    """For ``transaction.on_commit`` after a registration: a failure here never loses the case."""
    try:
        index_cases([case_id])
    except Exception:  # fingerprints can be rebuilt with `fengqiao dedup index`
        log.exception("dedup: indexing case %s failed", case_id)


# --- the search ----------------------------------------------------------------------------------

def _period(case: Case, days: int) -> tuple[dt.datetime, dt.datetime]:
    span = dt.timedelta(days=days)
    return case.registered_at - span, case.registered_at + span


def text_matches(case: Case, *, days: int | None = None) -> list[int]:
    """Ids of cases sharing a band with ``case`` in the period and area (before the exact check)."""
    hashes = band_hashes(shingles(case_text(case.title, case.description)))
    if not hashes:
        return []
    start, end = _period(case, window_days() if days is None else days)
    rows = CaseBand.objects.filter(hash__in=hashes, registered_at__range=(start, end)).exclude(case_id=case.pk)
    if case.street_id is not None:
        rows = rows.filter(Q(street_id=case.street_id) | Q(street_id__isnull=True))
    return sorted(set(rows.values_list("case_id", flat=True)))


def phone_matches(case: Case, *, days: int | None = None) -> list[int]:
    """Ids of cases in the period with a party whose phone (keyed hash) is one of this case's."""
    phones = [h for h in Party.objects.filter(case=case).values_list("phone_hash", flat=True) if h]
    if not phones:
        return []
    start, end = _period(case, window_days() if days is None else days)
    return sorted(set(
        Party.objects.filter(phone_hash__in=phones, case__registered_at__range=(start, end))
        .exclude(case_id=case.pk).values_list("case_id", flat=True)
    ))


def candidates(case: Case, limit: int = 5, *, within: Q | None = None) -> list[Candidate]:
    """Possible duplicates of ``case``, most similar first.  ``within`` narrows them (the actor's scope).

    A merged candidate stands for its primary; cancelled cases are never offered.
    """
    text_ids = text_matches(case)
    phone_ids = set(phone_matches(case))
    pool = Case.objects.filter(pk__in=sorted(set(text_ids) | phone_ids)).exclude(status=State.CANCELLED)
    if within is not None:
        pool = pool.filter(within)
    own = shingles(case_text(case.title, case.description))
    limit_t = threshold()
    found: dict[int, Candidate] = {}
    for other in pool.select_related("duplicate_of").only(
        "pk", "code", "title", "description", "status", "duplicate_of__code", "duplicate_of__title",
    ):
        similarity = jaccard(own, shingles(case_text(other.title, other.description)))
        reason: Reason = "text" if similarity >= limit_t else "phone"
        if reason == "phone" and other.pk not in phone_ids:
            continue
        target = other.duplicate_of if other.duplicate_of_id else other
        if target is None or target.pk == case.pk or target.pk == case.duplicate_of_id:
            continue
        best = found.get(target.pk)
        if best is None or similarity > best.similarity:
            found[target.pk] = Candidate(target.pk, target.code, target.title, round(similarity, 3), reason)
    ranked = sorted(found.values(), key=lambda c: (c.reason != "text", -c.similarity, c.case_id))
    return ranked[:limit]
