"""Demo data for administrative disputes (行政争议): the detector run over the demo's cases, and what the
legal offices did with what it found over the year.

Each district gets its own 司法局 as legal office (with a handler ``legal_<district>``), the city's 市司法局
is the fallback.  The detector (fengqiao.legal.detector) reads every case's title, description, category and
channel — respondents are not read here, for speed — and grades the risk with the case's own history
(repeat contacts counted per phone, unsatisfied evaluations, reopenings).  A finding rated 一般 or 重点 is
routed at once (as the offices are configured); of the 关注 ones older than a month, 45 % were routed by a
person and 30 % dismissed (younger: 15 % and 5 %).  Routed matters older than two weeks mostly got one or two
interventions; those older than six weeks mostly have an outcome, key risks more often going on to
reconsideration or litigation (invented shares).  Rows are written in bulk (kit.bulk); each step also goes on
the case's hash chain (``l_…`` events), appended after the case's own events.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.audit.chain import GENESIS, event_digest
from fengqiao.audit.models import Audience
from fengqiao.cases.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Case,
    CaseEvent,
    Evaluation,
    Party,
    Satisfaction,
)
from fengqiao.demo.geography import DISTRICTS
from fengqiao.demo.people import DEMO_DOMAIN, PASSWORD
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind
from fengqiao.kit import bulk, clock
from fengqiao.legal import reading
from fengqiao.legal.detector import Finding, Matter, Signals, detect, grade
from fengqiao.legal.models import Dispute, DisputeEvent, Intervention, LegalOffice, ScanMark
from fengqiao.legal.reasons import Reason, texts
from fengqiao.legal.states import ACT_LABELS, KIND_LABELS, OUTCOME_LABELS, Kind, LState, Outcome, Risk
from fengqiao.legal.windows import windows_for

PLACEHOLDER = "甲乙区"  # the case's district name, while the detector's verdict is shared between cases
CHUNK = 5000
NOTES = {
    Kind.OPINION: "就{agency}的{act}出具法律意见，指出程序和依据上的问题，建议依法处理。",
    Kind.COORDINATE: "组织{agency}与当事人当面协调，听取双方意见，商定处理方案。",
    Kind.EXPLAIN: "向当事人释法明理，说明相关法律规定和复议、诉讼等救济途径及期限。",
    Kind.CORRECT: "向{agency}发出建议纠错函，建议对{act}予以复查、依法纠正。",
}
OUTCOME_NOTES = {
    Outcome.RESOLVED: "经协调，{agency}已作出处理，当事人表示认可，争议化解。",
    Outcome.WITHDRAWN: "当事人撤回诉求，不再申请复议或起诉。",
    Outcome.RECONSIDERATION: "当事人已向复议机关申请行政复议，已移交行政复议机构。",
    Outcome.LITIGATION: "当事人已向人民法院提起行政诉讼，法制机构跟踪应诉。",
}
# outcome weights for (risk), among decided matters
OUTCOME_WEIGHTS = {
    Risk.WATCH: [(Outcome.RESOLVED, 0.72), (Outcome.WITHDRAWN, 0.16), (Outcome.RECONSIDERATION, 0.09),
                 (Outcome.LITIGATION, 0.03)],
    Risk.GENERAL: [(Outcome.RESOLVED, 0.62), (Outcome.WITHDRAWN, 0.13), (Outcome.RECONSIDERATION, 0.17),
                   (Outcome.LITIGATION, 0.08)],
    Risk.KEY: [(Outcome.RESOLVED, 0.48), (Outcome.WITHDRAWN, 0.08), (Outcome.RECONSIDERATION, 0.27),
               (Outcome.LITIGATION, 0.17)],
}


@dataclass
class Chain:
    """A case's chain head while events are appended to it."""

    state: str
    seq: int
    head: str
    last_at: dt.datetime
    events: int = 0


def _offices(org: Any, areas: dict[str, Area]) -> tuple[dict[int, tuple[Unit, int]], tuple[Unit, int]]:
    """Each district's 司法局 (made here) with its handler, and the city's (市司法局, its demo handler)."""
    city_unit: Unit = org.city["sfj"]
    units = [Unit(code=f"{d.code}-SFJ", name=f"{d.name}司法局", short_name=f"{d.name[:2]}司法局",
                  kind=UnitKind.LEGAL_OFFICE, level=Level.DISTRICT, area=areas[d.code]) for d in DISTRICTS
             if d.code in areas]
    Unit.objects.bulk_create(units)
    made = {u.code: u for u in Unit.objects.filter(code__in=[u.code for u in units])}
    password = make_password(PASSWORD)
    users = [User(username=f"legal_{d.slug}", display_name=f"{d.name}司法局法制员",
                  email=f"legal_{d.slug}@{DEMO_DOMAIN}", is_staff=True, password=password)
             for d in DISTRICTS if d.code in areas]
    User.objects.bulk_create(users)
    ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
    Membership.objects.bulk_create([Membership(user_id=ids[f"legal_{d.slug}"], role=Role.HANDLER,
                                               unit=made[f"{d.code}-SFJ"]) for d in DISTRICTS if d.code in areas])
    LegalOffice.objects.bulk_create(
        [LegalOffice(area=areas["3212"], unit=city_unit, auto_route_from=Risk.GENERAL)]
        + [LegalOffice(area=areas[d.code], unit=made[f"{d.code}-SFJ"], auto_route_from=Risk.GENERAL)
           for d in DISTRICTS if d.code in areas])
    handler = Membership.objects.filter(unit=city_unit, role=Role.HANDLER).values_list("user_id", flat=True).first()
    by_district = {areas[d.code].pk: (made[f"{d.code}-SFJ"], ids[f"legal_{d.slug}"]) for d in DISTRICTS
                   if d.code in areas}
    return by_district, (city_unit, handler or 0)


def _detect_all(say: Callable[[str], None]) -> list[tuple[dict[str, Any], Matter, Finding]]:
    """The detector over every case (a verdict shared by cases whose texts differ only in the district);
    the text columns of every case first, the rest only for the cases found."""
    paths = reading.category_paths()
    names = dict(Area.objects.filter(level=Level.DISTRICT).values_list("pk", "name"))
    memo: dict[tuple[str, str, str, int], Finding | None] = {}
    hits: list[tuple[int, str, str, str, Finding]] = []
    last, read = 0, 0
    while True:
        rows = list(Case.objects.filter(pk__gt=last).order_by("pk").values_list(
            "pk", "title", "description", "channel", "category_id", "district_id")[:CHUNK])
        if not rows:
            break
        last = rows[-1][0]
        read += len(rows)
        for pk, real_title, real_text, channel, category_id, district_id in rows:
            district = names.get(district_id, "")
            title, text = real_title, real_text
            if district:
                title, text = title.replace(district, PLACEHOLDER), text.replace(district, PLACEHOLDER)
            key = (title, text, channel, category_id or 0)
            if key not in memo:
                memo[key] = detect(Matter(title=title, text=text, channel=channel,
                                          categories=paths.get(category_id or 0, ())))
            shared = memo[key]
            if shared is None:
                continue
            hits.append((pk, real_title, real_text, channel, Finding(
                act_type=shared.act_type, agency=shared.agency.replace(PLACEHOLDER, district),
                agency_kind=shared.agency_kind, score=shared.score,
                evidence=[_in_district(e, district) for e in shared.evidence])))
    say(f"  行政争议识别：读取 {read} 件案件（{len(memo)} 种不同文本），识别 {len(hits)} 件")
    cols = ("pk", "registered_at", "district_id", "street_id", "community_id", "grid_id", "event_seq", "event_head",
            "dispatched_at", "accepted_at", "replied_at", "closed_at", "status", "reopen_count")
    rest: dict[int, dict[str, Any]] = {}
    ids = [h[0] for h in hits]
    for start in range(0, len(ids), CHUNK):
        rest.update((r["pk"], r) for r in Case.objects.filter(pk__in=ids[start:start + CHUNK]).values(*cols))
    found = []
    for pk, title, text, channel, finding in hits:
        row = {**rest[pk], "title": title, "description": text}
        found.append((row, Matter(title=title, text=text, channel=channel), finding))
    return found


def _in_district(item: Reason, district: str) -> Reason:
    """A shared verdict's evidence item with the case's district in its words (an agency's name)."""
    return {k: v.replace(PLACEHOLDER, district) if isinstance(v, str) else v for k, v in item.items()}


def _signals(found: list[tuple[dict[str, Any], Matter, Finding]]) -> dict[int, Signals]:
    """Each found case's history in a few grouped queries: other cases of the same phone (counted per phone),
    reports merged into it, unsatisfied evaluations, reopenings."""
    per_phone = dict(Party.objects.exclude(phone_hash="").values_list("phone_hash")
                     .annotate(n=Count("case_id", distinct=True)).order_by())
    ids = [row["pk"] for row, _m, _f in found]
    phones: dict[int, set[str]] = {}
    for start in range(0, len(ids), CHUNK):
        for case_id, phone_hash in Party.objects.filter(case_id__in=ids[start:start + CHUNK]).exclude(
                phone_hash="").values_list("case_id", "phone_hash"):
            phones.setdefault(case_id, set()).add(phone_hash)
    merged = dict(Case.objects.filter(duplicate_of__isnull=False).values_list("duplicate_of_id")
                  .annotate(n=Count("pk")).order_by())
    unsatisfied = dict(Evaluation.objects.filter(rating=Satisfaction.UNSATISFIED).values_list("case_id")
                       .annotate(n=Count("pk")).order_by())
    return {row["pk"]: Signals(repeat_contacts=sum(per_phone.get(h, 1) - 1 for h in phones.get(row["pk"], ()))
                               + merged.get(row["pk"], 0), unsatisfied=unsatisfied.get(row["pk"], 0),
                               reopened=row["reopen_count"]) for row, _m, _f in found}


def _at(after: dt.datetime, days: float, now: dt.datetime) -> dt.datetime:
    return min(now, after + dt.timedelta(days=days))


def create(org: Any, staff: Any, areas: dict[str, Area], rng: random.Random, now: dt.datetime,
           say: Callable[[str], None]) -> Counter[str]:
    """Write this part's demo rows; returns counts for the build report."""
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    with transaction.atomic():
        by_district, (city_unit, city_handler) = _offices(org, areas)
        found = _detect_all(say)
        signals = _signals(found)
        _write(found, signals, by_district, (city_unit, city_handler), rng, now, counts)
        ScanMark.objects.update_or_create(name="periodic", defaults={
            "last_case_id": Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0, "at": now})
    say(f"  行政争议：{counts['legal.disputes']} 件，交办 {counts['legal.routed']} 件，介入 "
        f"{counts['legal.interventions']} 次，用时 {time.perf_counter() - started:.1f} 秒")
    return counts


def _write(found: list[tuple[dict[str, Any], Matter, Finding]], signals: dict[int, Signals],
           by_district: dict[int, tuple[Unit, int]], city: tuple[Unit, int], rng: random.Random,
           now: dt.datetime, counts: Counter[str]) -> None:
    disputes: list[Dispute] = []
    plans: list[list[tuple[str, str, str, dt.datetime, int | None, str, dict[str, Any]]]] = []
    chains: dict[int, Chain] = {}
    interventions: list[tuple[int, str, str, int, int | None, dt.datetime]] = []
    assignments: list[Assignment] = []
    for row, matter, finding in found:
        grade(finding, matter, signals[row["pk"]])
        w = windows_for(f"{row['title']}\n{row['description']}", clock.localtime(row["registered_at"]).date())
        office, handler = by_district.get(row["district_id"], city)
        flagged_at = _at(row["registered_at"], 10 / 1440, now)
        d = Dispute(case_id=row["pk"], act_type=finding.act_type.value, agency=finding.agency[:100],
                    agency_kind=finding.agency_kind, evidence=finding.evidence, risk=finding.risk.value,
                    risk_points=finding.risk_points, risk_reasons=finding.risk_reasons, known_on=w.known_on,
                    known_from_text=w.known_from_text, reconsider_by=w.reconsider_by, litigate_by=w.litigate_by,
                    status=LState.FLAGGED.value, district_id=row["district_id"], street_id=row["street_id"],
                    community_id=row["community_id"], grid_id=row["grid_id"], registered_at=row["registered_at"],
                    flagged_at=flagged_at)
        data = {"act_type": d.act_type, "risk": d.risk, "agency": d.agency}
        steps: list[tuple[str, str, str, dt.datetime, int | None, str, dict[str, Any]]] = [
            ("flag", "", "flagged", flagged_at, None, "；".join(texts(finding.evidence, translate=False)), data)]
        auto = finding.risk in (Risk.GENERAL, Risk.KEY)
        draw = rng.random()
        age = (now - flagged_at).days
        watched = age > 30  # a 关注 flag a month old has been looked at: routed, dismissed, or still watched
        if auto or draw < (0.45 if watched else 0.15):
            routed_at = flagged_at if auto else _at(flagged_at, rng.uniform(1, 5), now)
            d.office_id, d.routed_at, d.status = office.pk, routed_at, LState.ROUTED.value
            steps.append(("route", "flagged", "routed", routed_at, None if auto else handler,
                          "风险等级达到「一般」，自动交办" if auto else "", {"unit_name": office.name}))
            assignments.append(Assignment(case_id=row["pk"], unit_id=office.pk, role=AssignmentRole.ASSIST,
                                          status=AssignmentStatus.ACCEPTED, dispatched_at=routed_at,
                                          accepted_at=routed_at))
            at = routed_at
            if age > 14 and rng.random() < 0.95:
                for _n in range(1 + (rng.random() < 0.45)):
                    at = _at(at, rng.uniform(2, 12), now)
                    kind = rng.choices(list(Kind), weights=[0.3, 0.35, 0.25, 0.1])[0]
                    note = NOTES[kind].format(agency=d.agency, act=ACT_LABELS[finding.act_type])
                    steps.append(("intervene", d.status, "intervening", at, handler, note, {"kind": kind.value}))
                    interventions.append((len(disputes), kind.value, note, office.pk, handler, at))
                    d.status = LState.INTERVENING.value
                if age > 42 and rng.random() < 0.85:
                    outcome = rng.choices([o for o, _w in OUTCOME_WEIGHTS[finding.risk]],
                                          weights=[x for _o, x in OUTCOME_WEIGHTS[finding.risk]])[0]
                    at = _at(at, rng.uniform(5, 30), now)
                    d.status, d.outcome, d.concluded_at = LState.CONCLUDED.value, outcome.value, at
                    steps.append(("conclude", "intervening", "concluded", at, handler,
                                  OUTCOME_NOTES[outcome].format(agency=d.agency),
                                  {"outcome": outcome.value, "from": "pending"}))
                    assignments[-1].status, assignments[-1].closed_at = AssignmentStatus.DONE, at
        elif draw < (0.75 if watched else 0.2) and age > 3:
            at = _at(flagged_at, rng.uniform(1, 6), now)
            d.status = LState.DISMISSED.value
            steps.append(("dismiss", "flagged", "dismissed", at, handler, "经核实，系民事纠纷，不涉及行政行为。", {}))
        disputes.append(d)
        plans.append(steps)
        chains[row["pk"]] = Chain(state=row["status"], seq=row["event_seq"], head=row["event_head"] or GENESIS,
                                  last_at=max(t for t in (row["registered_at"], row["dispatched_at"],
                                                          row["accepted_at"], row["replied_at"], row["closed_at"])
                                              if t is not None))
    bulk.insert(Dispute, disputes)
    made = dict(Dispute.objects.values_list("case_id", "pk"))
    events, case_events = [], []
    for d, steps in zip(disputes, plans, strict=True):
        pk = made[d.case_id]
        chain = chains[d.case_id]
        for seq, (action, before, after, at, actor, note, data) in enumerate(steps, start=1):
            events.append(DisputeEvent(dispute_id=pk, seq=seq, action=action, from_state=before, to_state=after,
                                       actor_id=actor, at=at, note=note, data=data))
            case_events.append(_case_event(chain, d, action, at, actor, note, data, now))
    bulk.insert(DisputeEvent, events)
    bulk.insert(Intervention, [Intervention(dispute_id=made[disputes[i].case_id], kind=k, note=n, unit_id=u, by_id=b,
                                            at=a) for i, k, n, u, b, a in interventions])
    bulk.insert(Assignment, assignments)
    bulk.insert(CaseEvent, case_events)
    if chains:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Case._meta.db_table} SET event_seq = %s, event_head = %s, version = version + %s "
                "WHERE id = %s", [(c.seq, c.head, c.events, case_id) for case_id, c in chains.items()])
    counts["legal.disputes"] = len(disputes)
    counts["legal.routed"] = sum(1 for d in disputes if d.office_id is not None)
    counts["legal.interventions"] = len(interventions)
    counts["legal.events"] = len(events)
    counts.update(f"legal.outcome.{d.outcome}" for d in disputes if d.status == LState.CONCLUDED)


CASE_ACTIONS = {"flag": "l_flagged", "route": "l_routed", "intervene": "l_intervened", "conclude": "l_concluded",
                "dismiss": "l_dismissed"}


def _case_event(chain: Chain, d: Dispute, action: str, at: dt.datetime, actor: int | None, note: str,
                data: dict[str, Any], now: dt.datetime) -> CaseEvent:
    """The step on the case's chain, after the case's own events (its time never goes back)."""
    at = min(now, max(at, chain.last_at))
    chain.last_at = at
    extra: dict[str, Any] = dict(data)
    if action == "intervene":
        extra["kind_label"] = str(KIND_LABELS[Kind(data["kind"])])
    if action == "conclude":
        extra = {"outcome": data["outcome"], "outcome_label": str(OUTCOME_LABELS[Outcome(data["outcome"])])}
    event = CaseEvent(case_id=d.case_id, seq=chain.seq + 1, action=CASE_ACTIONS[action], from_state=chain.state,
                      to_state=chain.state,
                      at=at, actor_id=actor, actor_role=Role.HANDLER.value if actor else "system",
                      unit_id=d.office_id if actor else None, audience=Audience.INTERNAL.value, note=note,
                      data=extra, prev_hash=chain.head)
    chain.seq, chain.events = chain.seq + 1, chain.events + 1
    event.hash = event_digest(event.prev_hash, event.chain_fields())
    chain.head = event.hash
    return event


def wipe(say: Callable[[str], None]) -> None:
    """Delete this part's demo rows (runs first in the demo's wipe)."""
    for model in (DisputeEvent, Intervention, Dispute, LegalOffice, ScanMark):
        deleted = model.objects.all()._raw_delete(model.objects.db)
        say(f"  {model._meta.verbose_name_plural}: {deleted}")
