"""The organisations that mediate in the demo city, new and existing, by role.

Codes keep the street's own committee first among a street's mediation units (``<street>-TJ`` before
``<street>-TJMR``) and the district committee first among a district's (``<district>-TJ`` before
``-TJSQ``, ``-TJLS1``): ``mediation.services.apply.street_committee`` takes the first by code."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from fengqiao.demo.geography import DISTRICTS
from fengqiao.demo.names import person_name
from fengqiao.demo.units import Org
from fengqiao.jurisdictions.models import Area, Level, Unit, UnitKind

K = UnitKind
ROOMS = ("“老娘舅”调解室", "“和事佬”调解室", "“巾帼”调解室", "“乡贤”调解室", "“红枫”调解室", "“知心大姐”调解室")
ROOM_SHARE = 0.11


@dataclass
class Orgs:
    street_committees: dict[str, tuple[int, int]] = field(default_factory=dict)  # street code → (unit, area)
    named_rooms: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)  # (unit, area, room, person)
    district_committees: dict[str, int] = field(default_factory=dict)
    court_centres: dict[str, int] = field(default_factory=dict)
    courts: dict[str, int] = field(default_factory=dict)  # district code (and "3212") → court
    studios: dict[str, list[int]] = field(default_factory=dict)
    arbitration: dict[str, int] = field(default_factory=dict)  # district code and "3212"
    officials: dict[tuple[str, str], int] = field(default_factory=dict)  # (district or "3212", abbr) → unit
    city: dict[str, int] = field(default_factory=dict)  # yt, jt, ld, xfj, gzc
    names: dict[int, str] = field(default_factory=dict)
    district_of: dict[int, str] = field(default_factory=dict)  # unit → district code, "3212" for the city's


def _phone(rng: random.Random) -> str:
    return f"0523-8{rng.randrange(10**6, 10**7)}"


def create_units(org: Org, areas: dict[str, Area], rng: random.Random | None = None) -> Orgs:
    rng = rng or random.Random("mediation-units")
    city_area = areas["3212"]
    rows: list[Unit] = []
    rooms: dict[str, tuple[str, str]] = {}
    streets = sorted(org.streets.items())
    picked = rng.sample(streets, max(2, round(len(streets) * ROOM_SHARE)))
    for i, (code, _office) in enumerate(sorted(picked)):
        person = person_name(rng)
        room = ROOMS[i % len(ROOMS)] if i % 2 == 0 else f"“老{person[0]}”工作室"
        rooms[code] = (room, person)
    for code, office in streets:
        street = office.area
        rows.append(Unit(code=f"{code}-TJ", name=f"{street.name}人民调解委员会", short_name=f"{street.name}调委会",
                         kind=K.MEDIATION_COMMITTEE, level=Level.STREET, area=street, phone=_phone(rng)))
        if code in rooms:
            rows.append(Unit(code=f"{code}-TJMR", name=f"{street.name}{rooms[code][0]}",
                             short_name=rooms[code][0].replace("“", "").replace("”", ""),
                             kind=K.MEDIATION_COMMITTEE, level=Level.STREET, area=street, phone=_phone(rng)))
    firms = {u.code: u for u in Unit.objects.filter(code__regex=r"^\d{6}-LS\d$")}
    for d in DISTRICTS:
        area = areas[d.code]
        rows.append(Unit(code=f"{d.code}-TJSQ", name=f"{d.name}人民法院诉调对接中心",
                         short_name=f"{d.name[:2]}诉调中心", kind=K.MEDIATION_COMMITTEE, level=Level.DISTRICT,
                         area=area, phone=_phone(rng)))
        rows.append(Unit(code=f"{d.code}-LDZC", name=f"{d.name}劳动人事争议仲裁委员会",
                         short_name=f"{d.name[:2]}劳动仲裁委", kind=K.DEPARTMENT, level=Level.DISTRICT, area=area,
                         phone=_phone(rng)))
        for n in (1, 2):
            firm = firms.get(f"{d.code}-LS{n}")
            firm_name = firm.name if firm else f"{d.name}第{n}律师事务所"
            rows.append(Unit(code=f"{d.code}-TJLS{n}", name=f"{firm_name}律师调解工作室",
                             short_name=f"{(firm.short_name if firm else firm_name)[:12]}调解室",
                             kind=K.MEDIATION_COMMITTEE, level=Level.DISTRICT, area=area, phone=_phone(rng)))
    rows.append(Unit(code="3212-LDZC", name="市劳动人事争议仲裁委员会", short_name="劳动人事争议仲裁委",
                     kind=K.DEPARTMENT, level=Level.CITY, area=city_area, phone=_phone(rng)))
    rows.append(Unit(code="3212-GZC", name="市凤城公证处", short_name="凤城公证处", kind=K.LEGAL_OFFICE,
                     level=Level.CITY, area=city_area, phone=_phone(rng)))
    Unit.objects.bulk_create(rows, batch_size=500)
    return load_orgs(org, rooms)


def load_orgs(org: Org, rooms: dict[str, tuple[str, str]]) -> Orgs:
    by_code = {u.code: u for u in Unit.objects.filter(area__path__startswith="3212").select_related("area")}
    out = Orgs()
    for code, office in org.streets.items():
        out.street_committees[code] = (by_code[f"{code}-TJ"].pk, office.area_id)
        if code in rooms:
            out.named_rooms[code] = (by_code[f"{code}-TJMR"].pk, office.area_id, *rooms[code])
    for d in DISTRICTS:
        units = org.district[d.code]
        out.district_committees[d.code] = units["tj"].pk
        out.courts[d.code] = units["fy"].pk
        out.court_centres[d.code] = by_code[f"{d.code}-TJSQ"].pk
        out.studios[d.code] = [by_code[f"{d.code}-TJLS{n}"].pk for n in (1, 2)]
        out.arbitration[d.code] = by_code[f"{d.code}-LDZC"].pk
        for abbr in ("scjg", "gaj", "zjj", "rsj"):
            out.officials[(d.code, abbr)] = units[abbr].pk
    out.courts["3212"] = org.city["zy"].pk
    out.arbitration["3212"] = by_code["3212-LDZC"].pk
    for abbr in ("sthj", "wjw", "zrzy", "scjg", "xfj"):
        out.officials[("3212", abbr)] = org.city[abbr].pk
    out.city = {abbr: org.city[abbr].pk for abbr in ("yt", "jt", "ld", "xfj")} | {"gzc": by_code["3212-GZC"].pk}
    for unit in by_code.values():
        out.names[unit.pk] = unit.name
        district = unit.area.code[:6] if len(unit.area.code) >= 6 else "3212"
        out.district_of[unit.pk] = district
    return out
