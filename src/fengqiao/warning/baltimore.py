"""The same pipeline on real data: 10,000 Baltimore 311 requests (2014–2019), read from
``../shared/data/baltimore311/`` beside the checkout (never copied into the repository).

What exists there: a request's type, agency, channel, created / due / closed times, neighbourhood and police
post — no caller, no text.  So the place is the neighbourhood (addresses almost never repeat in a 10k sample),
the grid is the police post, and an "escalated kind" is a housing code-enforcement request (agency Housing:
sanitation, vacant buildings, illegal dumping …) or an ``ECC-Escalation``; a collective event is, as at home,
≥ 5 requests at one place within 7 days.  The label: the neighbourhood gets an escalated request within the
horizon after the snapshot.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from fengqiao.cases.models import Channel
from fengqiao.warning.features import Record

FILE = "baltimore311/baltimore_311_sample_10k.csv"


def find() -> Path | None:
    """The file beside the checkout (``<checkout>/../shared/data/``), or None when it is absent."""
    where = Path(__file__).resolve().parents[3].parent / "shared" / "data" / FILE
    return where if where.exists() else None


def _time(value: str) -> float | None:
    try:
        return dt.datetime.strptime(value.strip(), "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return None


def escalated(sr_type: str, agency: str) -> bool:
    return agency == "Housing" or "Escalation" in sr_type


def records(path: Path) -> list[Record]:
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            at = _time(row["CreatedDate"])
            if at is None:
                continue
            closed = _time(row["CloseDate"])
            hood = row["Neighborhood"].strip()
            post = row["PolicePost"].strip()
            kind = Channel.PETITION.value if escalated(row["SRType"], row["Agency"]) else Channel.HOTLINE_12345.value
            out.append(Record(id=i + 1, at=at, channel=kind, category=row["SRType"], top=row["Agency"],
                              urgency="normal", text="", place=f"nb:{hood}" if hood else "",
                              grid=int(post) if post.isdigit() else None, deadline=_time(row["DueDate"]),
                              overdue_since=None, replied=closed, closed=closed))
    return out
