"""Demo data for early warning (激化预警): a SIMULATED escalation process, then the model trained on it and
today's scores.

The generated year has repeat callers, but its petitions and 110 incidents fall at random.  This post-pass
walks the year's cases in time order and, for a case with risk factors, creates with probability

    p = 0.01 + 0.20·[an unsatisfied evaluation] + 0.06·min(reopenings, 2) + 0.08·[overdue]
        + 0.30·[threat, violence or self-harm words] + 0.15·[collective-action words]
        + 0.05·min(earlier contacts of the party in 90 days, 3) + 0.12·[the party already escalated]
        + 0.04·[a dispute category]                                        (at most 0.85)

a later matter by the same party at the same place, 3 to 80 days later: a petition (60 %), a 110 incident
(25 %) or a collective visit (15 %, a petition with collective words).  Each such matter may escalate again
(its own words and the earlier escalation count).  The matters are real cases: registered, dispatched to the
street office, handled, with their events, deadlines and evaluations (the demo's own case story).
The backtest on the demo therefore shows that the pipeline learns a planted process, not what a real city
will get (docs/warning.md).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from fengqiao.cases.models import Case, Channel, Party, PartyRole
from fengqiao.demo import load
from fengqiao.demo.categories import Leaf
from fengqiao.demo.history import Grid, Simulation, World
from fengqiao.demo.lifecycle import CaseState
from fengqiao.demo.story import Facts, run_case
from fengqiao.jurisdictions.models import Unit
from fengqiao.warning import data, services
from fengqiao.warning import model as escalation
from fengqiao.warning.features import DAY, History, Record
from fengqiao.warning.models import Alert, Score, ScoreEvent

MIN_DELAY, MAX_DELAY = 3, 80  # days between a case and the matter it escalates into
KINDS = [("petition", 0.60), ("police", 0.25), ("collective", 0.15)]
SCORE_DAYS = 45  # today's scores: open cases and those registered in the last 45 days
PETITION_TEXTS = [
    "当事人就“{title}”一事再次到信访部门反映，称此前多次反映未得到解决，对处理结果不满意，要求上级部门督办。",
    "来访人反映“{title}”问题，称已经找过街道和有关部门多次，至今没有结果，情绪激动，表示要继续越级上访。",
    "信访人称“{title}”长期未解决，对方拒不履行，要求相关部门尽快依法处理，否则将到市里上访。",
]
POLICE_TEXTS = [
    "报警人称因“{title}”与对方再次发生争执，双方情绪激动，现场有推搡，请求民警到场处置。",
    "报警人反映因“{title}”对方上门吵闹，扬言要报复，请求出警。",
    "报警人称因“{title}”纠纷双方发生口角并动手，要求派出所调解处理。",
]
COLLECTIVE_TEXTS = [
    "{place}群众十余人因“{title}”问题集体到区信访局上访，现场拉横幅，要求政府出面解决。",
    "{place}多户居民因“{title}”长期未解决，联名反映并聚集在街道办事处门口，要求给出说法。",
]


@dataclass(order=True)
class _Pending:
    at: float
    seq: int
    source_id: int
    kind: str
    generation: int


class _Texts:
    """Stands in for the demo's text pool: the escalated matter's words, naming the earlier matter."""

    def __init__(self) -> None:
        self.next: tuple[str, str] = ("", "")

    def case_text(self, rng: random.Random, top: str, second: str, leaf: str, district: str,
                  place: str) -> tuple[str, str, str]:
        return self.next[0], self.next[1], ""


def probability(values: dict[str, float], r: Record, escalated_before: bool) -> float:
    p = 0.01 + 0.20 * (len(r.unsatisfied) > 0) + 0.06 * min(len(r.unsatisfied), 2) + 0.08 * values["overdue"]
    p += 0.30 * any(k in r.signals for k in ("threat", "violence", "self_harm")) + 0.15 * ("collective" in r.signals)
    p += 0.05 * min(values["party_contacts"], 3) + 0.12 * escalated_before + 0.04 * values["dispute"]
    return min(p, 0.85)


def _grids() -> dict[int, Grid]:
    grids, _shapes, _pop = load.load_grids()
    return {g.id: g for g in grids}


def _world(org: Any, staff: Any, now: dt.datetime, texts: _Texts) -> World:
    return World(now=now, grids=[], leaves=[], org=org, staff=staff, texts=texts,  # type: ignore[arg-type]
                 categories=load.category_map(), unit_names=dict(Unit.objects.values_list("pk", "name")))


def create(org: Any, staff: Any, areas: dict[str, Any], rng: random.Random, now: dt.datetime,
           say: Callable[[str], None]) -> Counter[str]:
    """Simulate the escalations, train the model on the year, score today's cases; returns counts."""
    counts: Counter[str] = Counter()
    started = time.perf_counter()
    records = data.everything()
    if not records:
        return counts
    history = History(records)
    cases = {pk: row for pk, *row in Case.objects.values_list("pk", "title", "category_id", "grid_id", "lng", "lat",
                                                              "address", "urgency")}
    end = now.timestamp()
    queue: list[_Pending] = []
    escalated: set[str] = set()
    seq = 0
    for r in sorted(records, key=lambda x: x.at):
        if r.id not in cases or cases[r.id][2] is None:
            continue
        values = history.features(r, min(r.at + 7 * DAY, end), {}, 0.0)
        before = any(k in escalated for k in r.party_keys)
        if rng.random() < probability(values, r, before):
            at = r.at + rng.uniform(MIN_DELAY, MAX_DELAY) * DAY
            if at < end - 3600:
                kind = rng.choices([k for k, _w in KINDS], weights=[w for _k, w in KINDS])[0]
                seq += 1
                heapq.heappush(queue, _Pending(at, seq, r.id, kind, 1))
                escalated |= set(r.party_keys)
    planned = sorted(queue)
    # second generation: an escalated matter escalates again with its own (higher) chance
    more = []
    for item in planned:
        if rng.random() < 0.12 + 0.08 * (item.kind != "petition"):
            at = item.at + rng.uniform(MIN_DELAY, MAX_DELAY) * DAY
            if at < end - 3600:
                seq += 1
                more.append(_Pending(at, seq, item.source_id, rng.choices(["petition", "police"], [0.7, 0.3])[0], 2))
    planned = sorted(planned + more)
    parties: dict[int, tuple[str, str, str, str, str]] = {}  # decrypted only for the matters that escalate
    for party in Party.objects.filter(case_id__in=sorted({p.source_id for p in planned})).exclude(
            role=PartyRole.RESPONDENT).order_by("pk"):
        parties.setdefault(party.case_id, (PartyRole.APPLICANT.value, party.name, party.phone, party.id_number,
                                           party.address))
    say(f"  模拟激化：{len(planned)} 件后续信访、110 或集体访（其中二次激化 {len(more)} 件）")
    first_new = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    counts += _write(org, staff, now, rng, planned, cases, parties)
    say(f"  已写入 {counts['warning_cases']} 件（{time.perf_counter() - started:.0f} s）")
    # the model, trained on the year (the demo's process is simulated: see docs/warning.md)
    history = History([*records, *data.records(Case.objects.filter(pk__gte=first_new))])
    try:
        found = escalation.train_all(history, end, f"demo-{now:%Y%m%d}")
    except escalation.NotEnoughData as error:
        say(f"  模型未训练：{error}")
        return counts
    escalation.save(found)
    say(f"  模型：{found.figures['rows']} 个样本，其中激化 {found.figures['escalated']}"
        f"（{time.perf_counter() - started:.0f} s）")
    since = now - dt.timedelta(days=SCORE_DAYS)
    ids = [r.id for r in history.records if r.at >= since.timestamp()]
    counts["warning_scores"] = services.score_many(history, ids, now=now, found=found)
    counts["warning_alerts"] = Alert.objects.count()
    return counts


def _write(org: Any, staff: Any, now: dt.datetime, rng: random.Random, planned: list[_Pending],
           cases: dict[int, list[Any]], parties: dict[int, tuple[str, str, str, str, str]]) -> Counter[str]:
    if not planned:
        return Counter()
    texts = _Texts()
    world = _world(org, staff, now, texts)
    sim = Simulation(world, rng)
    grids = _grids()
    categories = world.categories
    first_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    times = [dt.datetime.fromtimestamp(p.at, tz=dt.UTC).replace(microsecond=0) for p in planned]
    codes = load._codes(rng, times)
    writers = load._Writers()
    batch = load._Batch()
    made: Counter[str] = Counter()
    for i, (item, at) in enumerate(zip(planned, times, strict=True)):
        title, category_id, grid_id, lng, lat, address, _urgency = cases[item.source_id]
        category = categories.get(category_id)
        grid = grids.get(grid_id)
        if category is None or grid is None:  # a matter filed under a second-level category: not simulated
            made["warning_escalations.skipped"] += 1
            continue
        second = category.parent.name if category.parent else ""
        top = category.parent.parent.name if category.parent and category.parent.parent else second
        leaf = Leaf(id=category.pk, top=top, second=second, name=category.name, units=(), very_urgent_prone=False)
        place = f"{grid.street[1]}{grid.community[1]}"
        channel = Channel.POLICE_110.value if item.kind == "police" else Channel.PETITION.value
        pool = {"petition": PETITION_TEXTS, "police": POLICE_TEXTS, "collective": COLLECTIVE_TEXTS}[item.kind]
        short = title[:30]
        texts.next = (f"{'集体访' if item.kind == 'collective' else '再次反映'}：{short}"[:60],
                      rng.choice(pool).format(title=short, place=place))
        facts = Facts(code=codes[i], channel=channel, leaf=leaf, urgency="urgent" if item.kind != "petition"
                      else "normal", grid=grid, lng=lng, lat=lat, registered_at=at)
        state = CaseState(id=first_id + i, now=now)
        run_case(sim, state, facts)
        facts.address = address or facts.address  # the same place as the matter it escalates
        if item.source_id in parties:
            facts.parties = [parties[item.source_id]]  # the same party
        batch.add(state, facts)
        made[f"warning_escalations.{item.kind}"] += 1
    batch.prepare(writers)
    with transaction.atomic():
        made += Counter({f"warning_{k}": v for k, v in writers.write(batch).items()})
    load.reset_sequences(Case)
    return made


def wipe(say: Callable[[str], None]) -> None:
    """Delete this part's demo rows (runs first in the demo's wipe); the cases go with the demo's cases."""
    for model_class in (Alert, ScoreEvent, Score):
        deleted = model_class.objects.all()._raw_delete(model_class.objects.db)
        say(f"  {model_class._meta.verbose_name_plural}: {deleted}")
    installed = escalation.load() if escalation.path().exists() else None
    if installed is not None and installed.version.startswith("demo-"):
        escalation.path().unlink(missing_ok=True)
        escalation.forget()
