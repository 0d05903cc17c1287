"""The scan: the detector over cases not yet looked at (by the periodic job, resumable by case id) or
registered since a date (the command).  Idempotent: a case that already has a dispute is skipped, so a
re-run creates nothing twice.  Each flagged case is written in its own transaction (as the system)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction

from fengqiao.cases.models import Case
from fengqiao.cases.services._core import SYSTEM, lock_case
from fengqiao.kit import clock
from fengqiao.legal import reading
from fengqiao.legal.detector import detect, grade
from fengqiao.legal.models import Dispute, ScanMark
from fengqiao.legal.services import Assessed, record_flag
from fengqiao.legal.windows import windows_for

CHUNK = 2000
MARK = "periodic"


@dataclass
class ScanResult:
    scanned: int = 0
    flagged: int = 0
    routed: int = 0
    seconds: float = 0.0


def _scan_chunk(cases: list[Case], paths: dict[int, tuple[str, ...]], result: ScanResult) -> None:
    names = reading.respondents([c.pk for c in cases])
    found = []
    for case in cases:
        matter = reading.matter_of(case, paths, names.get(case.pk, ()))
        finding = detect(matter)
        if finding is not None:
            found.append((case, matter, finding))
    result.scanned += len(cases)
    if not found:
        return
    signals = reading.signals_of([c.pk for c, _m, _f in found])
    for case, matter, finding in found:
        grade(finding, matter, signals[case.pk])
        w = windows_for(f"{case.title}\n{case.description}", clock.localtime(case.registered_at).date())
        with transaction.atomic():
            locked = lock_case(case.pk)
            if Dispute.objects.filter(case=locked).exists():
                continue
            dispute = record_flag(locked, Assessed(finding, w.known_on, w.known_from_text, w.reconsider_by,
                                                   w.litigate_by), SYSTEM)
        result.flagged += 1
        result.routed += dispute.office_id is not None


def scan(*, since: dt.datetime | None = None, limit: int | None = None) -> ScanResult:
    """Cases registered since ``since`` (all of them when None) that have no dispute yet."""
    started = time.perf_counter()
    result = ScanResult()
    paths = reading.category_paths()
    qs = Case.objects.filter(legal_dispute__isnull=True).order_by("pk")
    if since is not None:
        qs = qs.filter(registered_at__gte=since)
    last = 0
    while True:
        cases = list(qs.filter(pk__gt=last).only("pk", "title", "description", "channel", "category_id",
                                                 "registered_at")[:CHUNK])
        if not cases:
            break
        if limit is not None:
            cases = cases[:max(0, limit - result.scanned)]
        _scan_chunk(cases, paths, result)
        last = cases[-1].pk if cases else last
        if not cases or (limit is not None and result.scanned >= limit):
            break
    result.seconds = time.perf_counter() - started
    return result


def scan_new() -> ScanResult:
    """The periodic job: the cases registered since the last run (by id), then the mark moves on."""
    started = time.perf_counter()
    mark, _created = ScanMark.objects.get_or_create(name=MARK)
    result = ScanResult()
    paths = reading.category_paths()
    while True:
        cases = list(Case.objects.filter(pk__gt=mark.last_case_id).order_by("pk")
                     .only("pk", "title", "description", "channel", "category_id", "registered_at")[:CHUNK])
        if not cases:
            break
        done = set(Dispute.objects.filter(case_id__in=[c.pk for c in cases]).values_list("case_id", flat=True))
        _scan_chunk([c for c in cases if c.pk not in done], paths, result)
        mark.last_case_id = cases[-1].pk
        mark.at = clock.now()
        mark.save(update_fields=["last_case_id", "at"])
    result.seconds = time.perf_counter() - started
    return result
