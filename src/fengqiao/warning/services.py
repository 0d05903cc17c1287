"""Writes of early warning: score a case (one case on demand, or many at once), grade it by the thresholds,
record one event per change, and alert the case's lead unit and its street office once per case per grade
(the alert also written on the case's own event chain, so its history shows it).

The caller owns the transaction (a request, a job); messages go to the outbox and are sent after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fengqiao.accounts.models import Membership
from fengqiao.accounts.roles import Role
from fengqiao.audit.models import Audience
from fengqiao.cases.models import Case
from fengqiao.cases.services._core import SYSTEM
from fengqiao.cases.services.hosted import event_for
from fengqiao.cases.states import FINAL_STATES
from fengqiao.jurisdictions.models import Unit, UnitKind
from fengqiao.kit import clock
from fengqiao.notifications import services as notifications
from fengqiao.notifications.models import Channel
from fengqiao.warning import data, lexicon
from fengqiao.warning import model as escalation
from fengqiao.warning.features import FEATURES, History, Record, vector
from fengqiao.warning.models import CASE_EVENTS, GRADE_ORDER, Alert, Grade, Score, ScoreEvent, Threshold

ALERT_GRADES = frozenset({Grade.GENERAL, Grade.KEY})
MIN_CONTRIBUTION = 0.05  # log-odds; smaller pushes are not shown as reasons
MAX_REASONS = 5
KIND = "warning"


def thresholds() -> list[tuple[Grade, float]]:
    """(grade, lowest probability), highest grade first."""
    rows = [(Grade(g), p) for g, p in Threshold.objects.values_list("grade", "min_probability")]
    return sorted(rows, key=lambda row: -GRADE_ORDER[row[0]])


def grade_for(probability: float, table: Sequence[tuple[Grade, float]] | None = None) -> Grade:
    for grade, low in table if table is not None else thresholds():
        if probability >= low:
            return grade
    return Grade.NONE


def _reason_text(name: str, value: float, words: Sequence[str] = (), *, translate: bool = False) -> str:
    template = _(FEATURES[name]) if translate else FEATURES[name]
    text = template.format(n=round(value), p=f"{value:.0%}")
    return text + "（" + "、".join(words[:4]) + "）" if words else text


def reason_text(reason: dict[str, Any]) -> str:
    """A stored reason in the reader's language: from its feature and value where the row has them (rows
    scored before 2026-11-30 have only their Chinese text)."""
    if reason.get("key") in FEATURES and "value" in reason:
        return _reason_text(reason["key"], float(reason["value"]), reason.get("words") or [], translate=True)
    return str(reason.get("text", ""))


def explain(model: escalation.EscalationModel, values: dict[str, float], x: np.ndarray,
            record: Record) -> list[dict[str, Any]]:
    """The strongest positive contributions, in Chinese, with the words found for text signals."""
    pushes = sorted(((c, n) for n, c in model.contributions(x).items() if c >= MIN_CONTRIBUTION and values[n] > 0),
                    reverse=True)
    out = []
    for weight, name in pushes[:MAX_REASONS]:
        words = record.signals.get(name) or []
        if name in lexicon.MODULES:
            found = record.modules.get(name, {})
            words = [str(lexicon.signal_label(s)) for s in found]
        out.append({"key": name, "text": _reason_text(name, values[name], words), "weight": round(weight, 3),
                    "value": round(float(values[name]), 4), "words": list(words[:4])})
    return out


def _signals(record: Record) -> list[str]:
    keys = list(record.signals)
    for module in record.modules.values():
        keys += list(module)
    return keys


def _recipients(case: Case) -> dict[int, list[int]]:
    """Unit id → user ids (every staff member of the unit): the lead unit and the street office of the
    case's street."""
    units: list[int] = []
    if case.lead_unit_id is not None:
        units.append(case.lead_unit_id)
    if case.street_id is not None:
        units += list(Unit.objects.filter(kind=UnitKind.STREET_OFFICE, area_id=case.street_id, active=True)
                      .values_list("pk", flat=True))
    out: dict[int, list[int]] = {u: [] for u in dict.fromkeys(units)}
    members = Membership.objects.filter(unit_id__in=list(out)).exclude(role=Role.CITIZEN)
    for unit_id, user_id in members.values_list("unit_id", "user_id").distinct():
        out[unit_id].append(user_id)
    return out


def alert(case: Case, score: Score) -> int:
    """Tell the lead unit and the street office about a 一般 / 重点 grade, once per case, grade and unit;
    returns how many messages were queued (0 when every unit already had this grade's alert)."""
    if score.grade not in ALERT_GRADES:
        return 0
    now = clock.now()
    queued = 0
    with translation.override("zh-hans"):
        subject = _("激化预警（%(grade)s）：%(code)s") % {"grade": Grade(score.grade).label, "code": case.code}
        body = _("%(title)s。激化几率 %(p)s。原因：%(why)s") % {
            "title": case.title, "p": f"{score.probability:.0%}",
            "why": "；".join(r["text"] for r in score.reasons) or _("综合评分")}
    alerted: list[int] = []
    for unit_id, users in _recipients(case).items():
        made = Alert.objects.filter(case=case, grade=score.grade, unit_id=unit_id).exists()
        if made:
            continue
        Alert.objects.create(case=case, grade=score.grade, unit_id=unit_id, at=now, recipients=len(users))
        alerted.append(unit_id)
        queued += notifications.queue([
            notifications.Draft(dedup_key=f"warn:{case.pk}:{score.grade}:u{user}", channel=Channel.IN_APP,
                                subject=subject, body=body, kind=KIND, recipient_id=user, unit_id=unit_id,
                                case_id=case.pk)
            for user in sorted(set(users))
        ])
        ScoreEvent.objects.create(case=case, action="alert", at=now, probability=score.probability,
                                  from_grade=score.grade, to_grade=score.grade,
                                  data={"unit": unit_id, "recipients": len(set(users))})
    if alerted:
        _on_case_chain(case, score, alerted)
    return queued


def _on_case_chain(case: Case, score: Score, units: list[int]) -> None:
    """The alert on the case's own event chain (``w_key`` / ``w_general``, internal), so the case's history
    shows it.  Writing it moves the case's version; a score that was current stays current."""
    names = dict(Unit.objects.filter(pk__in=units).values_list("pk", "name"))
    with translation.override("zh-hans"):
        note = _("激化几率 %(p)s。原因：%(why)s") % {
            "p": f"{score.probability:.0%}", "why": "；".join(r["text"] for r in score.reasons[:3]) or _("综合评分")}
    event_for(case.pk, SYSTEM, CASE_EVENTS[Grade(score.grade)], audience=Audience.INTERNAL, note=note,
              data={"grade": score.grade, "probability": round(score.probability, 4),
                    "alerted_unit_names": [names[u] for u in units if u in names]})
    Score.objects.filter(pk=score.pk, case_version=score.case_version,
                         case__version=score.case_version + 1).update(case_version=score.case_version + 1)


def _store(case: Case, record: Record, probability: float, reasons: list[dict[str, Any]], version: str,
           table: Sequence[tuple[Grade, float]], now: dt.datetime) -> Score:
    grade = grade_for(probability, table)
    old = Score.objects.filter(case=case).first()
    values = {"probability": probability, "grade": grade.value, "reasons": reasons, "signals": _signals(record),
              "rental": "rental" in record.modules, "family": "family" in record.modules,
              "party_key": record.party_keys[0] if record.party_keys else "", "place_key": record.place[:200],
              "model_version": version, "case_version": case.version, "scored_at": now}
    if old is None:
        score = Score.objects.create(case=case, **values)
    else:
        score = old
        before_grade, before_p = old.grade, old.probability
        for name, value in values.items():
            setattr(score, name, value)
        score.save()
    before = before_grade if old is not None else ""
    if old is None or before != grade or abs(before_p - probability) >= 0.01:
        ScoreEvent.objects.create(case=case, action="regrade" if old is not None and before != grade else "score",
                                  at=now, probability=round(probability, 4), from_grade=before, to_grade=grade.value,
                                  data={"model": version, "reasons": [r["key"] for r in reasons]})
    alert(case, score)
    return score


def score_case(case: Case, *, now: dt.datetime | None = None) -> Score | None:
    """Score one case against its history as of now; None when no model is installed."""
    found = escalation.load()
    if found is None:
        return None
    now = now or clock.now()
    own, history_rows = data.around(case, now)
    history = History(history_rows)
    values = history.features(own, now.timestamp(), found.category_rate, found.prior)
    x = np.asarray(vector(values), dtype=float)
    probability = float(found.proba(x.reshape(1, -1))[0])
    with transaction.atomic():
        return _store(case, own, probability, explain(found, values, x, own), found.version, thresholds(), now)


def score_many(history: History, ids: Sequence[int], *, now: dt.datetime | None = None,
               found: escalation.EscalationModel | None = None) -> int:
    """Score the cases ``ids`` against a history already loaded (a job, the demo); returns how many.
    Cases never scored are written in bulk (their score and its event); the others one by one."""
    found = found or escalation.load()
    if found is None or not ids:
        return 0
    now = now or clock.now()
    wanted = set(ids)
    picked = [r for r in history.records if r.id in wanted]
    table = thresholds()
    values = [history.features(r, now.timestamp(), found.category_rate, found.prior) for r in picked]
    X = np.asarray([vector(v) for v in values], dtype=float).reshape(-1, len(FEATURES))
    proba = found.proba(X) if len(picked) else np.zeros(0)
    scored = set(Score.objects.filter(case_id__in=[r.id for r in picked]).values_list("case_id", flat=True))
    versions = dict(Case.objects.filter(pk__in=[r.id for r in picked]).values_list("pk", "version"))
    fresh: list[Score] = []
    events: list[ScoreEvent] = []
    for r, v, x, p in zip(picked, values, X, proba, strict=True):
        reasons = explain(found, v, x, r)
        if r.id in scored:
            with transaction.atomic():
                _store(Case.objects.get(pk=r.id), r, float(p), reasons, found.version, table, now)
            continue
        grade = grade_for(float(p), table)
        fresh.append(Score(case_id=r.id, probability=float(p), grade=grade.value, reasons=reasons,
                           signals=_signals(r), rental="rental" in r.modules, family="family" in r.modules,
                           party_key=r.party_keys[0] if r.party_keys else "", place_key=r.place[:200],
                           model_version=found.version, case_version=versions.get(r.id, 0), scored_at=now))
        events.append(ScoreEvent(case_id=r.id, action="score", at=now, probability=round(float(p), 4),
                                 from_grade="", to_grade=grade.value,
                                 data={"model": found.version, "reasons": [x["key"] for x in reasons]}))
    with transaction.atomic():
        Score.objects.bulk_create(fresh, batch_size=2000)
        ScoreEvent.objects.bulk_create(events, batch_size=2000)
        alerting = [s.case_id for s in fresh if s.grade in ALERT_GRADES]
        by_case = {s.case_id: s for s in Score.objects.filter(case_id__in=alerting)}
        for case in Case.objects.filter(pk__in=alerting):
            alert(case, by_case[case.pk])
    return len(picked)


def due(limit: int = 500) -> list[int]:
    """Cases to (re)score: not final, and never scored or changed since their score."""
    from django.db.models import F, Q

    return list(Case.objects.exclude(status__in=[s.value for s in FINAL_STATES])
                .filter(Q(warning_score__isnull=True) | ~Q(warning_score__case_version=F("version")))
                .order_by("-registered_at").values_list("pk", flat=True)[:limit])


def score_due(limit: int = 500) -> int:
    """The periodic job's work: score the cases that are due, one transaction each."""
    if escalation.load() is None:
        return 0
    done = 0
    for pk in due(limit):
        case = Case.objects.filter(pk=pk).first()
        if case is not None and score_case(case) is not None:
            done += 1
    return done
