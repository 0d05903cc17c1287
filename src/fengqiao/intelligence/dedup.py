"""Possible duplicates of a case: MinHash LSH bands kept in the database, then an exact check.

A case's text (title + description, normalised) is cut into shingles: character bigrams for Chinese,
words and word pairs for English.  Its MinHash (datasketch, NUM_PERM permutations, fixed seed) is cut
into BANDS bands of ROWS values; each band is hashed to a signed 64-bit integer stored in
``intelligence.CaseBand`` with the case's registration time and street.  Candidates of a case are the
cases that share at least one band hash, were registered within ``window`` days of it and lie in the same
street (or either has no known area) — one query on the (hash, registered_at) index — whose shingle
sets then have a Jaccard similarity of at least ``threshold``; plus the cases with a party of the same
phone (keyed hash) within the window: a repeat caller.  The exact check leaves out the shingles that a
large share of recent cases contain (:class:`CommonShingles`: templates, greetings, "我是…的居民"), so
reports written from one template are compared on what they say.  See docs/duplicates.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import time
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
from fengqiao.intelligence.models import CaseBand, CommonShingles
from fengqiao.kit import bulk, clock

log = logging.getLogger(__name__)

NUM_PERM = 32
# BANDS × ROWS ≤ NUM_PERM.  With 16 × 2 a pair at Jaccard 0.5 (the threshold) shares a band with
# p ≈ 0.990, at 0.6 with p ≈ 0.9993; true duplicates' Jaccard has its 10th percentile at 0.63 (bench).
# 32 × 2 raised that to 0.9999 but wrote twice the band rows (the import pipeline's biggest cost).
BANDS = 16
ROWS = 2
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


# --- boilerplate: shingles most cases share -----------------------------------------------------

COMMON_SAMPLE = 20_000  # newest cases counted
COMMON_SHARE = 0.05  # a shingle in at least this share of them is boilerplate
COMMON_MIN_CASES = 200  # fewer cases than this say nothing about what is common
COMMON_RELOAD_SECONDS = 300.0
_common_cache: tuple[float, frozenset[str]] | None = None


def refresh_common(sample: int = COMMON_SAMPLE, share: float = COMMON_SHARE) -> CommonShingles | None:
    """Count shingles over the newest ``sample`` cases; store those in ≥ ``share`` of them.  None (and
    nothing stored) when there are too few cases to tell."""
    global _common_cache
    rows = Case.objects.order_by("-registered_at").values_list("title", "description")[:sample]
    counts: dict[str, int] = {}
    total = 0
    for title, description in rows.iterator(chunk_size=2000):
        total += 1
        for s in shingles(case_text(title, description)):
            counts[s] = counts.get(s, 0) + 1
    if total < COMMON_MIN_CASES:
        return None
    floor = max(2, share * total)
    common = sorted(s for s, n in counts.items() if n >= floor)
    row = CommonShingles.objects.create(computed_at=clock.now(), sample_cases=total, min_share=share,
                                        shingles=common)
    CommonShingles.objects.exclude(pk=row.pk).delete()
    _common_cache = None
    return row


def common_shingles() -> frozenset[str]:
    """The boilerplate shingles in force (read at most every COMMON_RELOAD_SECONDS per process)."""
    global _common_cache
    now = time.monotonic()
    if _common_cache is None or now - _common_cache[0] > COMMON_RELOAD_SECONDS:
        row = CommonShingles.objects.order_by("-computed_at").values_list("shingles", flat=True).first()
        _common_cache = (now, frozenset(row or ()))
    return _common_cache[1]


def forget_common() -> None:
    global _common_cache
    _common_cache = None


def content_shingles(text: str) -> frozenset[str]:
    """The shingles of ``text`` without the boilerplate ones (all of them when nothing else is left)."""
    own = shingles(text)
    rest = own - common_shingles()
    return rest or own


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@cache
def _template() -> MinHash:
    """Permutations are drawn once per process, not once per MinHash (their cost dominates short texts)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED)


_SHINGLE_HASHES: dict[str, int] = {}
_SHINGLE_CACHE_MAX = 500_000  # Chinese bigrams repeat: a bounded memo saves a SHA-1 per shingle


def _shingle_hash(shingle: str) -> int:
    """datasketch's own 32-bit input hash (its ``hashfunc``), memoised."""
    found = _SHINGLE_HASHES.get(shingle)
    if found is None:
        if len(_SHINGLE_HASHES) >= _SHINGLE_CACHE_MAX:
            _SHINGLE_HASHES.clear()
        found = _SHINGLE_HASHES[shingle] = int(_template().hashfunc(shingle.encode()))
    return found


def _signatures(sets: Sequence[Iterable[str]]) -> tuple[np.ndarray, list[int]]:
    """MinHash values of many shingle sets at once: (non-empty sets × NUM_PERM) and their positions.

    The same values as ``MinHash.update_batch`` per set (datasketch's affine32 scheme: fmix pre-mix, then
    a·h + b in uint32), computed over all sets' shingles in one array and reduced per set with
    ``np.minimum.reduceat`` instead of one MinHash object per text — a test keeps the two equal.
    """
    from datasketch.minhash import _SCHEME_WIDTHS, _fmix

    template = _template()
    hashed: list[int] = []
    starts: list[int] = []
    where: list[int] = []
    for n, items in enumerate(sets):
        before = len(hashed)
        hashed.extend(_shingle_hash(s) for s in items)
        if len(hashed) > before:
            starts.append(before)
            where.append(n)
    if not hashed:
        return np.empty((0, NUM_PERM), dtype=np.uint32), []
    a, b = template.permutations
    hv = _fmix(template._hash_input_array(hashed), _SCHEME_WIDTHS[template.scheme])
    with np.errstate(over="ignore"):
        phv = hv[:, None] * a[None, :] + b[None, :]
    return np.minimum.reduceat(phv, np.asarray(starts), axis=0), where


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _bands(values: np.ndarray) -> np.ndarray:
    """Band hashes of MinHash rows (n × NUM_PERM uint32) → n × BANDS signed 64-bit integers.

    Each band's ROWS values are packed into one 64-bit word with the band number mixed in, then passed
    through the splitmix64 finaliser: vectorised, so a batch of texts costs a few array operations.
    """
    n = values.shape[0]
    packed = np.zeros((n, BANDS), dtype=np.uint64)
    grouped = values[:, :BANDS * ROWS].reshape(n, BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        for r in range(ROWS):
            packed = (packed * np.uint64(0x100000001B3)) ^ grouped[:, :, r]
        x = packed + (np.arange(BANDS, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return x.view(np.int64)


def band_hashes_many(sets: Sequence[Iterable[str]]) -> list[list[int]]:
    """The BANDS band hashes (signed 64-bit, band number mixed in) of each shingle set; [] when empty."""
    values, where = _signatures(sets)
    out: list[list[int]] = [[] for _ in sets]
    for n, hashes in zip(where, _bands(values).tolist(), strict=True):
        out[n] = hashes
    return out


def band_hashes(items: Iterable[str]) -> list[int]:
    """The band hashes of one shingle set; [] when empty."""
    return band_hashes_many([list(items)])[0]


def case_text(title: str, description: str) -> str:
    return f"{title}\n{description}"


# --- the index -----------------------------------------------------------------------------------

IndexRow = tuple[int, str, str, dt.datetime, int | None]  # case id, title, description, registered, street


def index_cases(case_ids: Sequence[int]) -> int:
    """(Re)write the bands of these cases: idempotent, one bulk insert per batch.  Returns rows written."""
    written = 0
    for start in range(0, len(case_ids), BATCH):
        ids = list(case_ids[start:start + BATCH])
        rows = list(Case.objects.filter(pk__in=ids).values_list("pk", "title", "description", "registered_at",
                                                                "street_id"))
        with transaction.atomic():
            CaseBand.objects.filter(case_id__in=ids).delete()
            written += index_new(rows)
    return written


def index_new(rows: Sequence[IndexRow]) -> int:
    """Bands of cases that have none yet (just registered), from values the caller already holds: no
    read-back, no delete — the import pipeline's path.  Returns rows written."""
    signatures = band_hashes_many([shingles(case_text(title, description)) for _pk, title, description, _at, _s
                                   in rows])
    fingerprinted = [(row, hashes) for row, hashes in zip(rows, signatures, strict=True) if hashes]
    if not fingerprinted:
        return 0
    if connection.vendor == "postgresql":
        _insert_expanded(fingerprinted)
    else:
        adapt = connection.ops.adapt_datetimefield_value
        _insert([(pk, band, h, adapt(at), street)
                 for (pk, _title, _description, at, street), hashes in fingerprinted
                 for band, h in enumerate(hashes)])
    return BANDS * len(fingerprinted)


def _insert(bands: Sequence[Any]) -> None:
    """One COPY / executemany per batch: the ORM's bulk_create spends ~30 µs a value preparing what is
    already plain integers here (measured: 64k rows in 12 s through bulk_create)."""
    bulk.insert_rows(CaseBand._meta.db_table, ["case_id", "band", "hash", "registered_at", "street_id"], bands)


def _insert_expanded(fingerprinted: Sequence[tuple[IndexRow, list[int]]]) -> None:
    """PostgreSQL: a batch's bands as five arrays, expanded to rows by the server (``unnest``): one
    parameter per column instead of one formatted COPY line per band row (16 a case)."""
    ids = [row[0] for row, _h in fingerprinted]
    table = connection.ops.quote_name(CaseBand._meta.db_table)
    sql = (
        f"INSERT INTO {table} (case_id, band, hash, registered_at, street_id) "
        "SELECT c.id, b.band, h.hash, c.at, c.street "
        "FROM unnest(%s::bigint[], %s::timestamptz[], %s::bigint[]) WITH ORDINALITY AS c(id, at, street, i) "
        "CROSS JOIN generate_series(0, %s - 1) AS b(band) "
        "JOIN unnest(%s::bigint[]) WITH ORDINALITY AS h(hash, n) ON h.n = (c.i - 1) * %s + b.band + 1"
    )
    flat = [h for _row, hashes in fingerprinted for h in hashes]
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, [row[3] for row, _h in fingerprinted], [row[4] for row, _h in fingerprinted],
                             BANDS, flat, BANDS])


def index_after_commit(row: IndexRow) -> None:
    """For ``transaction.on_commit`` after a registration, from the values the registration holds (one
    INSERT, no read-back: a new case has no bands yet).  A failure here never loses the case."""
    try:
        index_new([row])
    except Exception:  # fingerprints can be rebuilt with `fengqiao dedup index`
        log.exception("dedup: indexing case %s failed", row[0])


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
    own = content_shingles(case_text(case.title, case.description))
    limit_t = threshold()
    found: dict[int, Candidate] = {}
    for other in pool.select_related("duplicate_of").only(
        "pk", "code", "title", "description", "status", "duplicate_of__code", "duplicate_of__title",
    ):
        similarity = jaccard(own, content_shingles(case_text(other.title, other.description)))
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
