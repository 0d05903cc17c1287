"""Verify the case event chains and seal their heads with anchors.

``verify()`` walks every case's events in order and finds: an event whose content no longer matches its
hash (edited), a gap or a broken link (deleted or re-ordered), a chain whose end is not the head the case
row holds (the newest events deleted), and an anchored head that is gone (a whole case removed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef

from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.audit.models import Anchor, AnchorEntry
from fengqiao.kit import clock

if TYPE_CHECKING:
    from fengqiao.cases.models import CaseEvent

CHUNK = 2000


@dataclass
class Report:
    cases: int = 0
    events: int = 0
    anchors: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _events_by_case(case_ids: list[int]) -> Iterator[tuple[int, list[CaseEvent]]]:
    from fengqiao.cases.models import CaseEvent

    rows = CaseEvent.objects.filter(case_id__in=case_ids).order_by("case_id", "seq")
    current: int | None = None
    bucket: list[CaseEvent] = []
    for event in rows.iterator(chunk_size=CHUNK):
        if event.case_id != current:
            if current is not None:
                yield current, bucket
            current, bucket = event.case_id, []
        bucket.append(event)
    if current is not None:
        yield current, bucket


def verify(progress: Callable[[int], None] | None = None, limit_problems: int = 1000) -> Report:
    from fengqiao.cases.models import Case, CaseEvent

    report = Report()
    heads = Case.objects.order_by("pk").values_list("pk", "code", "event_seq", "event_head")
    last_pk = 0
    while True:
        chunk = list(heads.filter(pk__gt=last_pk)[:CHUNK])
        if not chunk:
            break
        last_pk = chunk[-1][0]
        expected = {pk: (code, seq, head) for pk, code, seq, head in chunk}
        seen: set[int] = set()
        for case_id, events in _events_by_case(list(expected)):
            seen.add(case_id)
            code, seq, head = expected[case_id]
            report.events += len(events)
            _check_chain(code, events, seq, head, report)
        for case_id, (code, seq, _head) in expected.items():
            if case_id not in seen and seq:
                report.problems.append(f"{code}: 全部 {seq} 条事件已被删除")
        report.cases += len(chunk)
        if progress:
            progress(len(chunk))
        if len(report.problems) >= limit_problems:
            break
    orphans = CaseEvent.objects.exclude(case_id__in=Case.objects.values("pk")).count()
    if orphans:
        report.problems.append(f"{orphans} 条事件所属的案件已不存在")
    _check_anchors(report)
    return report


def _check_chain(code: str, events: list[CaseEvent], seq: int, head: str, report: Report) -> None:
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            report.problems.append(f"{code}: 第 {expected_seq} 条事件缺失（链断裂）")
            return
        if event.prev_hash != prev:
            report.problems.append(f"{code}: 第 {expected_seq} 条事件的前序哈希不符（事件被删除或替换）")
            return
        digest = event_digest(prev, event.chain_fields())
        if digest != event.hash:
            report.problems.append(f"{code}: 第 {expected_seq} 条事件的内容被修改")
            return
        prev = digest
    if len(events) != seq or prev != (head or GENESIS):
        report.problems.append(f"{code}: 事件链末端与案件记录不符（应有 {seq} 条，现有 {len(events)} 条）")


def _check_anchors(report: Report) -> None:
    from fengqiao.cases.models import CaseEvent

    prev = GENESIS
    for anchor in Anchor.objects.order_by("pk"):
        entries = list(
            AnchorEntry.objects.filter(anchor=anchor).order_by("stream_id").values_list("stream_id", "seq", "hash")
        )
        if _anchor_digest(prev, entries) != anchor.hash or anchor.prev_hash != prev:
            report.problems.append(f"锚点 #{anchor.pk} 被修改")
        missing = []
        for start in range(0, len(entries), CHUNK):
            part = entries[start : start + CHUNK]
            found = {
                (case_id, seq): h
                for case_id, seq, h in CaseEvent.objects.filter(
                    case_id__in=[e[0] for e in part]
                ).values_list("case_id", "seq", "hash")
            }
            missing += [e for e in part if found.get((e[0], e[1])) != e[2]]
        if missing:
            report.problems.append(f"锚点 #{anchor.pk} 封存的 {len(missing)} 个案件事件已不存在或被改动")
        prev = anchor.hash
        report.anchors += 1


def _anchor_digest(prev: str, entries: list[tuple[int, int, str]]) -> str:
    sha = hashlib.sha256(prev.encode())
    for case_id, seq, h in entries:
        sha.update(f"|{case_id}:{seq}:{h}".encode())
    return sha.hexdigest()


@transaction.atomic
def anchor() -> Anchor | None:
    """Seal the heads of every case whose chain moved since the last anchor.  None if nothing moved."""
    from fengqiao.cases.models import Case

    last = Anchor.objects.select_for_update().order_by("-pk").first()
    prev = last.hash if last else GENESIS
    # a head moved when no anchor has sealed it yet (not "an event newer than the last anchor": imported
    # events carry their original, older time, and an event committed late carries an earlier one)
    sealed = AnchorEntry.objects.filter(stream_id=OuterRef("pk"), seq=OuterRef("event_seq"),
                                        hash=OuterRef("event_head"))
    moved = Case.objects.filter(event_seq__gt=0).exclude(Exists(sealed))
    entries = sorted(moved.values_list("pk", "event_seq", "event_head"))
    if not entries:
        return None
    now = clock.now()
    created = Anchor.objects.create(at=now, prev_hash=prev, hash=_anchor_digest(prev, entries), entries=len(entries))
    AnchorEntry.objects.bulk_create(
        [AnchorEntry(anchor=created, stream_id=c, seq=s, hash=h) for c, s, h in entries], batch_size=2000
    )
    return created
