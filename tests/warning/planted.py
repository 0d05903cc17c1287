"""A small history with a planted escalation process, written straight to the case tables (the pipeline
under test reads only those): people call about matters at numbered addresses; a matter with threat words or
an unsatisfied evaluation is followed by a petition of the same person with probability 0.7, any other with
probability 0.05."""

from __future__ import annotations

import datetime as dt
import random

from fengqiao.cases.models import Case, Channel, Evaluation, Party, PartyRole, Satisfaction
from fengqiao.kit import pii
from tests.factories import City

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def plant(city: City, *, people: int = 500, seed: int = 7, days: int = 330) -> dict[str, int]:
    rng = random.Random(seed)
    cases: list[Case] = []
    parties: list[tuple[int, str]] = []  # (case index, phone)
    bad: list[tuple[int, dt.datetime]] = []
    n = 0

    def add(at: dt.datetime, channel: str, title: str, text: str, phone: str, grid: int, address: str) -> int:
        nonlocal n
        n += 1
        area = city.grids[grid]
        cases.append(Case(code=f"FQ{n:08d}", channel=channel, title=title, description=text,
                          category=city.categories["leaf"], status="closed", address=address,
                          grid=area, community=area.parent, street=city.street if grid < 2 else city.other_street,
                          district=city.district, registered_at=at, closed_at=at + dt.timedelta(days=5)))
        parties.append((len(cases) - 1, phone))
        return len(cases) - 1

    stats = {"cases": 0, "planted": 0, "risky": 0}
    for p in range(people):
        phone = f"139{p:08d}"
        grid = rng.randrange(4)
        address = f"城东路{rng.randrange(1, 400)}号"
        for _k in range(rng.randint(1, 3)):
            at = NOW - dt.timedelta(days=rng.uniform(10, days))
            risky = rng.random() < 0.3
            unsatisfied = risky and rng.random() < 0.5
            text = "对方扬言要报复，说要同归于尽" if risky and not unsatisfied else "楼道堆放杂物影响通行"
            index = add(at, Channel.HOTLINE_12345, "邻里纠纷", text, phone, grid, address)
            if unsatisfied:
                bad.append((index, at + dt.timedelta(days=3)))
            stats["risky"] += risky
            if rng.random() < (0.7 if risky else 0.05):
                later = at + dt.timedelta(days=rng.uniform(10, 60))
                if later < NOW:
                    add(later, Channel.PETITION, "再次信访", "多次反映未解决，到信访局反映", phone, grid, address)
                    stats["planted"] += 1
    made = Case.objects.bulk_create(cases)
    Party.objects.bulk_create([
        Party(case=made[i], role=PartyRole.REPORTER, name="王五", phone=phone,
              phone_hash=pii.lookup_hash("phone", phone))
        for i, phone in parties])
    Evaluation.objects.bulk_create([Evaluation(case=made[i], round=1, rating=Satisfaction.UNSATISFIED, via="callback",
                                               at=at) for i, at in bad])
    stats["cases"] = len(made)
    return stats
