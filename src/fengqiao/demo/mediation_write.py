"""The simulated mediations written in bulk: their cases (with parties, assignments, evaluations and the
hash-chained events) and the mediation tables, one prepared INSERT per table per chunk
(``demo.writer.Inserter``), in one transaction per chunk."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import models, transaction

from fengqiao.cases.models import Assignment, Case, CaseEvent, Evaluation, Party, PartyRole
from fengqiao.demo.load import ASSIGNMENT_COLUMNS, EVALUATION_COLUMNS, EVENT_COLUMNS, PARTY_COLUMNS
from fengqiao.demo.mediation_run import Draft, Outcome
from fengqiao.demo.writer import Inserter
from fengqiao.kit import pii
from fengqiao.mediation.models import Agreement, Confirmation, FollowUp, Mediation, Referral, RequestType, Session

_MISSING = object()


def columns(model: type[models.Model], *, with_id: bool) -> list[tuple[str, Any]]:
    """(attribute, default) of every concrete column; a column without a default must be given."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key and not with_id:
            continue
        default = f.get_default() if f.has_default() else (None if f.null else _MISSING)
        out.append((f.attname, default))
    return out


def as_row(values: dict[str, Any], cols: list[tuple[str, Any]]) -> tuple[Any, ...]:
    row = tuple(values.get(name, default) for name, default in cols)
    if _MISSING in row:
        missing = [name for (name, _d), v in zip(cols, row, strict=True) if v is _MISSING]
        raise ValueError(f"demo mediation row lacks required columns {missing}")
    return row


TABLES: dict[str, tuple[type[models.Model], bool]] = {
    "mediations": (Mediation, True), "sessions": (Session, False), "agreements": (Agreement, False),
    "confirmations": (Confirmation, False), "follow_ups": (FollowUp, False), "referrals": (Referral, False),
}


def case_values(d: Draft, o: Outcome) -> dict[str, Any]:
    """The case's columns, as ``demo.story.case_row`` (no category: an application names none)."""
    case = o.case
    registrar = case.events[0]
    online = d.channel == "mini_program"
    label = d.dtype.name
    title = f"{label}（{RequestType(o.mediation['request_type']).label}）" if online else \
        f"{label}：{o.mediation['demand'][:40]}"
    return {
        **case.fields, "id": case.id, "code": d.case_code, "channel": d.channel, "external_ref": None,
        "title": title[:200], "description": o.facts,
        "category_id": None, "urgency": "normal", "status": case.state.value,
        "address": f"{d.grid.district[1]}{d.grid.street[1]}{d.grid.community[1]}"[:200],
        "lng": d.point[0], "lat": d.point[1], "grid_id": d.grid.id, "community_id": d.grid.community[0],
        "street_id": d.grid.street[0], "district_id": d.grid.district[0], "registered_by_id": registrar[6],
        "registered_unit_id": registrar[8], "citizen_id": None, "registered_at": d.applied, "duplicate_of_id": None,
        "event_seq": case.seq, "event_head": case.head, "version": max(0, case.seq - 1),
    }


Rows = dict[str, list[tuple[Any, ...]]]
NAMES = ("cases", "events", "assignments", "evaluations", "parties", *TABLES)


class Writer:
    """Rows of many mediations: gathered and adapted for the database (``add``, ``prepare``: in a worker
    process), then written (``write``: in the process that holds the connection)."""

    def __init__(self) -> None:
        self.case_cols = columns(Case, with_id=True)
        self.inserters = {
            "cases": Inserter(Case, [name for name, _d in self.case_cols]),
            "events": Inserter(CaseEvent, EVENT_COLUMNS), "assignments": Inserter(Assignment, ASSIGNMENT_COLUMNS),
            "evaluations": Inserter(Evaluation, EVALUATION_COLUMNS), "parties": Inserter(Party, PARTY_COLUMNS)}
        self.cols = {name: columns(model, with_id=with_id) for name, (model, with_id) in TABLES.items()}
        for name, (model, _w) in TABLES.items():
            self.inserters[name] = Inserter(model, [c for c, _d in self.cols[name]])

    @staticmethod
    def new_rows() -> Rows:
        return {name: [] for name in NAMES}

    def add(self, rows: Rows, d: Draft, o: Outcome) -> None:
        case, mid = o.case, d.mediation_id
        rows["cases"].append(as_row(case_values(d, o), self.case_cols))
        rows["events"] += case.events
        rows["evaluations"] += case.evaluations
        rows["assignments"] += [(case.id, a.unit, a.role, a.status, a.dispatched_at, a.accepted_at, a.closed_at,
                                 a.return_reason) for a in case.assignments]
        for role, (name, phone, number, address) in ((PartyRole.APPLICANT, d.applicant),
                                                     (PartyRole.RESPONDENT, d.respondent)):
            rows["parties"].append((case.id, role.value, pii.encrypt(name), pii.encrypt(phone) if phone else "",
                                    pii.encrypt(number) if number else "", pii.encrypt(address) if address else "",
                                    pii.lookup_hash("phone", phone), pii.lookup_hash("id", number)))
        mediation = {**o.mediation, "applicant_phone_hash": pii.lookup_hash("phone", d.applicant[1])}
        rows["mediations"].append(as_row(mediation, self.cols["mediations"]))
        rows["sessions"] += [as_row({**s, "mediation_id": mid}, self.cols["sessions"]) for s in o.sessions]
        rows["follow_ups"] += [as_row({**f, "mediation_id": mid}, self.cols["follow_ups"]) for f in o.follow_ups]
        for name, one in (("agreements", o.agreement), ("confirmations", o.confirmation), ("referrals", o.referral)):
            if one is not None:
                rows[name].append(as_row({**one, "mediation_id": mid}, self.cols[name]))

    def prepare(self, rows: Rows) -> Rows:
        return {name: [self.inserters[name].prepare(row) for row in rows[name]] for name in NAMES}

    def write(self, rows: Rows) -> Counter[str]:
        """Prepared rows in one transaction, the tables in their order of reference."""
        counts: Counter[str] = Counter()
        with transaction.atomic():
            for name in ("cases", "parties", "assignments", "evaluations", "events", *TABLES):
                key = f"mediation.case_{name}" if name in NAMES[:5] else f"mediation.{name}"
                counts[key] = self.inserters[name].insert(rows[name], prepared=True)
        return counts
