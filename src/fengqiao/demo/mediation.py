"""The demo's mediation (解纷码, issue 6): its organisations and mediator pool, a year of mediations written
in bulk on their cases' hash chains, and what ``--reset`` removes.  The mediations open today that were
made through the real services are ``mediation_live``'s.

Every mediation is a case.  About four in ten were applied for in the citizen app (channel mini_program:
registered by the citizen, dispatched at once to the street's committee or to the mediator she chose);
the others arose from a matter that came in another way and was sent to a mediating organisation —
walk-ins and petitions registered at the district's centre, 12345 calls, grid workers' findings, and the
court's 12368 filings diverted to pre-litigation mediation — where the organisation opened the mediation.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from django.apps import apps
from django.db import connections, transaction
from django.db.models import Max
from tqdm import tqdm

from fengqiao.cases.models import Case
from fengqiao.demo.mediation_case import is_workday
from fengqiao.demo.mediation_history import Context, assign_all, draft_all, make_context
from fengqiao.demo.mediation_live import Live, how_many, live_drafts
from fengqiao.demo.mediation_logins import write_file
from fengqiao.demo.mediation_pool import create_pool
from fengqiao.demo.mediation_run import Draft, Run
from fengqiao.demo.mediation_steps import animate
from fengqiao.demo.mediation_write import Rows, Writer
from fengqiao.demo.people import Staff
from fengqiao.demo.units import Org
from fengqiao.demo.writer import reset_sequences
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import clock
from fengqiao.mediation.models import DisputeType, Mediation, MediationKind, Mediator, SubsidyRate
from fengqiao.mediation.states import OPEN, SUCCEEDED
from fengqiao.portal.models import TransparencyDimension

BATCH = 2000
SHARE = 0.15  # mediations per case of the rest of the history: 30,000 beside 200,000 cases
# the city's configuration, installed after migrate (the citizen app's transparency dimensions too)
KEPT = {DisputeType, MediationKind, SubsidyRate, TransparencyDimension}


def default_count(cases: int) -> int:
    return round(cases * SHARE)


@dataclass
class _Job:
    """What the worker processes share (inherited by fork): they simulate, this process writes."""

    ctx: Context
    drafts: list[Draft]
    writer: Writer
    seed: int


@dataclass
class _Done:
    rows: Rows
    statuses: Counter[str]
    ratings: list[tuple[int, int]]  # (mediator, stars)
    count: int


_job: _Job | None = None


def _simulate(span: tuple[int, int]) -> _Done:
    """One batch, with its own random stream (the result does not depend on the scheduling)."""
    job = _job
    assert job is not None
    rng = random.Random(f"{job.seed}:mediation:{span[0]}")
    rows = job.writer.new_rows()
    statuses: Counter[str] = Counter()
    ratings = []
    for draft in job.drafts[span[0]:span[1]]:
        outcome = Run(job.ctx, rng, draft).run()
        job.writer.add(rows, draft, outcome)
        statuses[f"mediation.status.{outcome.mediation['status']}"] += 1
        if outcome.mediator is not None and outcome.mediation["rating"] is not None:
            ratings.append((outcome.mediator.pk, outcome.mediation["rating"]))
    return _Done(job.writer.prepare(rows), statuses, ratings, span[1] - span[0])


def _run(job: _Job, workers: int, progress: Callable[[int], None]) -> tuple[Counter[str], list[tuple[int, int]]]:
    global _job
    _job = job
    count = len(job.drafts)
    spans = [(start, min(count, start + BATCH)) for start in range(0, count, BATCH)]
    counts: Counter[str] = Counter()
    ratings: list[tuple[int, int]] = []

    def take(done: _Done) -> None:
        counts.update(job.writer.write(done.rows) + done.statuses)
        ratings.extend(done.ratings)
        progress(done.count)

    try:
        if workers > 1 and len(spans) > 1 and "fork" in multiprocessing.get_all_start_methods():
            connections.close_all()  # the children must not share this process's connection
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                queue = iter(spans)
                pending = deque(pool.apply_async(_simulate, (span,)) for span in islice(queue, workers + 1))
                while pending:
                    done = pending.popleft().get()
                    if (span := next(queue, None)) is not None:
                        pending.append(pool.apply_async(_simulate, (span,)))
                    take(done)
        else:
            for span in spans:
                take(_simulate(span))
    finally:
        _job = None
    return counts, ratings


@dataclass
class Made:
    """The history written; the live mediations wait for their steps of today (``live``)."""

    ctx: Context
    lives: list[Live]
    counts: Counter[str]
    source: str


def create(org: Org, staff: Staff, areas: dict[str, Area], seed: int, now: dt.datetime, count: int,
           say: Callable[[str], None], workers: int = 1) -> Made:
    """The pool, ``count`` mediations over the year before ``now``, and the live ones' pasts."""
    rng = random.Random(f"{seed}:mediation")
    with transaction.atomic():
        pool = create_pool(org, areas, now, rng)
    ctx, source = make_context(now, pool, staff, org, rng)
    first_case = (Case.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    first_mediation = (Mediation.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    drafts = draft_all(ctx, rng, count, first_case, first_mediation)
    assign_all(ctx, drafts, rng)
    lives = live_drafts(ctx, random.Random(f"{seed}:mediation:live"), how_many(count), first_case + len(drafts),
                        first_mediation + len(drafts))
    drafts += [live.draft for live in lives if live.scenario.past != "new"]
    _calendar(drafts[0].applied if drafts else now, now)
    with tqdm(total=len(drafts), unit="件", desc="调解", mininterval=1.0) as bar:
        def advance(done: int) -> None:
            bar.update(done)

        counts, ratings = _run(_Job(ctx, drafts, Writer(), seed), workers, advance)
    reset_sequences(Case, Mediation)
    _ratings(ratings)
    counts["mediation.mediators"] = len(pool.mediators)
    counts["mediation.mediator_accounts"] = sum(1 for m in pool.mediators if m.user is not None)
    states = {k.rsplit(".", 1)[-1]: v for k, v in counts.items() if k.startswith("mediation.status.")}
    say("  调解：调解员 {m}（有账号 {a}），调解 {n}，其中达成协议 {ok}，调解不成 {f}，进行中 {o}".format(
        m=counts["mediation.mediators"], a=counts["mediation.mediator_accounts"], n=len(drafts),
        ok=sum(states.get(s, 0) for s in SUCCEEDED), f=states.get("failed", 0) + states.get("referred", 0),
        o=sum(states.get(s, 0) for s in OPEN)))
    return Made(ctx, lives, +counts, source)


def live(made: Made, say: Callable[[str], None]) -> Counter[str]:
    """Today's steps of the live mediations, through the services; what to try is written beside the logins."""
    shown = animate(made.ctx, made.lives, say)
    write_file(shown)
    say("  调解（今日）：" + "，".join(f"{k.rsplit('.', 1)[-1]} {v}" for k, v in sorted(shown.counts.items())))
    return shown.counts + Counter({"mediation.live_problems": len(shown.problems)})


def _calendar(first: dt.datetime, now: dt.datetime) -> None:
    """Every day the simulation may ask about, looked up once here: the workers must not query."""
    day = clock.localtime(first).date() - dt.timedelta(days=3)
    last = clock.localtime(now).date() + dt.timedelta(days=400)
    while day <= last:
        is_workday(day)
        day += dt.timedelta(days=1)


def _ratings(ratings: list[tuple[int, int]]) -> None:
    """The mediators' rating sums and counts, from the mediations' ratings."""
    given: dict[int, list[int]] = {}
    for pk, stars in ratings:
        given.setdefault(pk, []).append(stars)
    mediators = list(Mediator.objects.filter(pk__in=list(given)))
    for mediator in mediators:
        mediator.rating_sum, mediator.rating_count = sum(given[mediator.pk]), len(given[mediator.pk])
    Mediator.objects.bulk_update(mediators, ["rating_sum", "rating_count"], batch_size=500)


def wipe(say: Callable[[str], None]) -> None:
    """Every row of the mediation and citizen-app tables but the city's configuration (dispute types,
    kinds, subsidy rates): they point to cases, units and users, which go next."""
    for app in ("portal", "mediation"):
        if not apps.is_installed(f"fengqiao.{app}"):
            continue
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            if model in KEPT:
                continue
            deleted = model._default_manager.all()._raw_delete(model._default_manager.db)
            if deleted:
                say(f"  {model._meta.verbose_name_plural}: {deleted}")
