"""One object of every kind a URL names, in the test city (tests.factories), made through the services where
they exist: a case, a mediation, a risk entry and a screening campaign, an assessment, a hot issue, a grid visit,
a coverage campaign, an import job.  ``PARAMS`` maps each path parameter to the object's code or id."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.cases.states import State
from fengqiao.gridwork.models import Campaign as CoverageCampaign
from fengqiao.gridwork.models import Place, PlaceKind, Visit
from fengqiao.intake.models import ImportJob
from fengqiao.intelligence.models import HotIssue, HotIssueCase
from fengqiao.kit import clock
from fengqiao.risk import services as risk_services
from tests.cases.builders import case_in, dispatch, register
from tests.factories import City
from tests.mediation.factories import applied, build_world
from tests.stability.builders import created

# The roles a request is made as: anonymous, and one user of each role of the test city.
ROLES = ["anonymous", "citizen", "grid_worker", "operator", "dispatcher", "handler", "mediator", "judge",
         "risk_officer", "leader", "unit_leader", "admin"]


@dataclass
class World:
    city: City
    params: dict[str, str] = field(default_factory=dict)


def build(city: City) -> World:
    unit_leader = User.objects.create_user(username="unit_leader", password="x", display_name="D1 局长",
                                           is_staff=True)
    Membership.objects.create(user=unit_leader, role=Role.LEADER, unit=city.departments[0])
    city.users["unit_leader"] = unit_leader

    case = case_in(city, State.ACCEPTED, by="citizen")  # the citizen's case in grid 0, led by D1, accepted
    other = register(city, grid=0)
    pool = build_world(city)  # a street committee with two mediators, a district court with a judge
    mediation = applied(pool)
    risk_case = dispatch(city, register(city, grid=0, title="小区围墙倒塌"))
    entry = risk_services.open_from_case(city.users["risk_officer"], risk_case.code, "key", "涉及群体性诉求，情绪激烈",
                                         city.departments[2].pk, city.users["leader"].pk)
    decision = created(city)
    now = clock.now()
    issue = HotIssue.objects.create(city=city.city, anchor=case, title="小区电梯反复停运", place="东风社区",
                                    district=city.district, street=city.street, heat=5.0, size=2, people=2,
                                    first_seen=now - dt.timedelta(days=2), last_seen=now, computed_at=now)
    HotIssueCase.objects.create(issue=issue, case=case)
    grid = city.grids[0]
    lng, lat = city.point_in(0)
    place = Place.objects.create(grid=grid, kind=PlaceKind.RENTAL, name="东风路 8 号出租屋", lng=lng, lat=lat,
                                 every_days=30, created_at=now - dt.timedelta(days=40))
    visit = Visit.objects.create(client_id=uuid.uuid4(), grid=grid, place=place, worker=city.users["grid_worker"],
                                 observed_at=now - dt.timedelta(days=1), received_at=now - dt.timedelta(days=1),
                                 lng=lng, lat=lat)
    coverage = CoverageCampaign.objects.create(name="出租屋走访月", area=city.street, starts_on=clock.today(),
                                               ends_on=clock.today() + dt.timedelta(days=30),
                                               created_by=city.users["dispatcher"], created_at=now)
    job = ImportJob.objects.create(channel="hotline_12345", file_name="x.csv", file_path="/nonexistent/x.csv",
                                   file_sha256="0" * 64, mapping={}, created_by=city.users["operator"],
                                   created_at=now)
    world = World(city=city)
    world.params = {
        "case_code": case.code, "code:case": case.code, "into": other.code,
        "code:mediation": mediation.code, "code:risk": entry.code, "code:stability": decision.code,
        "code:grid": grid.code, "pk:hot": str(issue.pk), "pk:visit": str(visit.pk), "photo": "999999",
        "campaign_id": str(coverage.pk), "pk:import": str(job.pk), "mediator_id": str(pool.mediators[0].pk),
        "street_id": str(city.street.pk), "grid_id": str(grid.pk),
    }
    return world

