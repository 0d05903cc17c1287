"""The demo's mediation organisations and its pool of about 400 mediators (专家库).

New units: a people's mediation committee in every street, named mediation rooms (名人调解室) in some
streets, a mediation studio at every law firm, a pre-litigation mediation centre at every district court,
the labour arbitration commissions and a notary office.  The district and city committees, departments and
the petition bureau that exist already get their mediators too.  Each mediator has a kind, specialties,
languages, years, a profile, a load limit, a phone and ID number (encrypted, with keyed hashes); many have
an account (role mediator in their unit, ``mediator_<…>_<n>``); a few are away, a few declared ties.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from fengqiao.accounts.models import Membership, User
from fengqiao.accounts.roles import Role
from fengqiao.demo.geography import DISTRICTS
from fengqiao.demo.mediation_units import Orgs, create_units
from fengqiao.demo.names import mobile, person_name
from fengqiao.demo.people import DEMO_DOMAIN, PASSWORD
from fengqiao.demo.units import Org
from fengqiao.jurisdictions.models import Area
from fengqiao.kit import pii
from fengqiao.kit.validators import id_check_char
from fengqiao.mediation.models import DisputeType, Mediator, MediatorKind, MediatorTie

K = MediatorKind
LOCAL = {"321282": "靖江话", "321281": "兴化话"}  # other districts speak 泰州话
# kind → (years range, load range, extra skill)
KIND_TRAITS: dict[str, tuple[tuple[int, int], tuple[int, int], float]] = {
    K.PEOPLES: ((1, 20), (6, 10), 0.0), K.GOLD_MEDAL: ((10, 30), (10, 12), 0.04),
    K.NAMED_ROOM: ((15, 35), (12, 12), 0.05), K.LAWYER: ((5, 25), (6, 8), 0.01),
    K.LEGAL_WORKER: ((3, 25), (8, 8), 0.0), K.PSYCHOLOGIST: ((3, 15), (5, 5), 0.0),
    K.INDUSTRY_EXPERT: ((5, 30), (6, 8), 0.01), K.JUDGE_ASSISTANT: ((3, 20), (12, 15), 0.0),
    K.ARBITRATOR: ((5, 20), (10, 12), 0.0), K.OFFICIAL: ((2, 20), (8, 8), -0.01),
}
BIOS: dict[str, str] = {
    K.PEOPLES: "长期扎根基层，熟悉社情民意，善于在家长里短中化解矛盾。",
    K.GOLD_MEDAL: "获评“江苏省金牌调解员”，善于化解疑难复杂纠纷，多次参与重大矛盾纠纷的联合调处。",
    K.NAMED_ROOM: "调解室以其名字命名，群众口碑好，坚持“情、理、法”结合做工作，“小事不出村、大事不出镇”。",
    K.LAWYER: "执业律师，以中立第三方身份主持律师调解，协议可申请司法确认。",
    K.LEGAL_WORKER: "基层法律服务工作者，熟悉农村土地、婚姻家庭和民间借贷法律事务。",
    K.PSYCHOLOGIST: "国家二级心理咨询师，参与婚姻家庭、校园纠纷中的心理疏导和危机干预。",
    K.INDUSTRY_EXPERT: "行业专家，参与专业纠纷的技术评估、责任分析和调解。",
    K.JUDGE_ASSISTANT: "人民法院特邀调解员，退休法官，擅长民间借贷、交通事故、婚姻家庭纠纷的诉前调解。",
    K.ARBITRATOR: "劳动人事争议仲裁员，熟悉劳动合同法、劳动争议调解仲裁法和工伤保险条例。",
    K.OFFICIAL: "行政机关工作人员，负责本部门职责范围内民事纠纷的行政调解和行政裁决。",
}
ENGLISH: dict[str, float] = {K.LAWYER.value: 0.35, K.PSYCHOLOGIST.value: 0.3, K.INDUSTRY_EXPERT.value: 0.15}
GENERAL = ("family", "neighbour", "property", "debt", "inheritance", "public_order", "consumer", "environment",
           "labour")
GENERAL_WEIGHTS = (5, 5, 3, 2, 2, 1.5, 1, 1, 1)
TIE_RELATIONS = ("配偶的兄弟", "表兄弟", "曾任其法律顾问", "原单位同事", "子女的配偶", "同村近亲属")


@dataclass
class PoolMediator:
    pk: int
    name: str
    kind: str
    unit: int
    user: int | None
    specialties: frozenset[str]
    max_load: int
    skill: float  # added to the chance of an agreement
    away_from: dt.datetime | None  # takes nothing new from then on


@dataclass
class Pool:
    orgs: Orgs
    mediators: list[PoolMediator] = field(default_factory=list)
    by_unit: dict[int, list[PoolMediator]] = field(default_factory=dict)
    clerk: dict[int, int] = field(default_factory=dict)  # unit → a mediator account acting for it
    accounts: dict[int, str] = field(default_factory=dict)  # user id → username


@dataclass
class _Spec:
    unit: int
    kind: str
    title: str
    specialties: tuple[str, ...]
    district: str | None
    area: int | None
    username: str | None
    person: str = ""  # a named room's namesake


def id_number(rng: random.Random, district: str | None) -> str:
    born = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
    first17 = f"{district or '321202'}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


def _specialties(rng: random.Random, kind: str, given: tuple[str, ...]) -> tuple[str, ...]:
    if given:
        return given
    count = 5 if kind == K.GOLD_MEDAL else 4 if kind == K.NAMED_ROOM else 3
    picked: list[str] = []
    while len(picked) < count:
        code = rng.choices(GENERAL, weights=GENERAL_WEIGHTS)[0]
        if code not in picked:
            picked.append(code)
    return tuple(picked)


class _Roster(list[_Spec]):
    def add(self, unit: int, kind: str, n: int, stem: str, *, accounts: int, title: str = "",
            spec: tuple[str, ...] = (), district: str | None = None, area: int | None = None,
            first: str | None = None) -> None:
        """``n`` mediators of ``kind`` in ``unit``; the first ``accounts`` get one, ``mediator_<stem>_<i>``
        (or ``first``, an account the demo has already)."""
        for i in range(1, n + 1):
            name = first if i == 1 and first else (f"mediator_{stem}_{i}" if i <= accounts else None)
            self.append(_Spec(unit, kind, title, spec, district, area, name))


def _plan(orgs: Orgs, rng: random.Random) -> list[_Spec]:
    """Who works where: (unit, kind, title, specialties, district, area served, username or None)."""
    specs = _Roster()
    _streets(specs, orgs, rng)
    for d in DISTRICTS:
        _district(specs, orgs, d.code, d.slug)
    _city(specs, orgs)
    names = [s.username for s in specs if s.username]
    assert len(names) == len(set(names)), "a demo mediator username is used twice"
    return list(specs)


def _streets(specs: _Roster, orgs: Orgs, rng: random.Random) -> None:
    add = specs.add
    for code, (unit, street) in sorted(orgs.street_committees.items()):
        add(unit, K.PEOPLES, 2 if rng.random() < 0.7 else 1, code, accounts=1 + (rng.random() < 0.5),
            district=code[:6], area=street)
        if rng.random() < 0.25:
            specs.append(_Spec(unit, K.GOLD_MEDAL, "金牌调解员", (), code[:6], street, f"mediator_{code}_gold"))
        if rng.random() < 0.25:
            specs.append(_Spec(unit, K.LEGAL_WORKER, "司法所法律服务工作者", (), code[:6], street, None))
    for code, (unit, street, room, person) in sorted(orgs.named_rooms.items()):
        specs.append(_Spec(unit, K.NAMED_ROOM, room.replace("“", "").replace("”", ""), (), code[:6], street,
                           f"mediator_{code}_room", person))


def _district(specs: _Roster, orgs: Orgs, code: str, slug: str) -> None:
    add = specs.add
    unit = orgs.district_committees[code]
    add(unit, K.GOLD_MEDAL, 1, f"{slug}_tj", accounts=1, title="金牌调解员", district=code,
        first=f"mediator_{slug}_tj")
    add(unit, K.PEOPLES, 3, f"{slug}_tj", accounts=2, title="信访接待调解员", district=code)
    add(unit, K.PSYCHOLOGIST, 1, f"{slug}_xl", accounts=0, title="国家二级心理咨询师",
        spec=("family", "school", "neighbour"), district=code)
    add(unit, K.INDUSTRY_EXPERT, 1, f"{slug}_wy", accounts=0, title="物业管理专家",
        spec=("property", "neighbour"), district=code)
    add(orgs.court_centres[code], K.JUDGE_ASSISTANT, 6, f"{slug}_sq", accounts=3, title="特邀调解员",
        spec=("debt", "traffic", "family", "property", "company", "labour", "consumer"), district=code)
    for n, studio in enumerate(orgs.studios[code], start=1):
        add(studio, K.LAWYER, 3, f"{slug}_ls{n}", accounts=2, title="执业律师",
            spec=("debt", "company", "property", "labour", "consumer", "inheritance", "traffic"),
            district=code)
    add(orgs.arbitration[code], K.ARBITRATOR, 4, f"{slug}_zc", accounts=2, title="劳动人事争议仲裁员",
        spec=("labour", "company"), district=code)
    for abbr, spec, title in (("scjg", ("consumer", "company"), "消费纠纷调解员"),
                              ("gaj", ("public_order", "traffic", "neighbour"), "派出所调解员"),
                              ("zjj", ("property", "neighbour"), "物业纠纷调解员"),
                              ("rsj", ("labour",), "劳动保障监察员")):
        add(orgs.officials[(code, abbr)], K.OFFICIAL, 1, f"{slug}_{abbr}", accounts=1, title=title,
            spec=spec, district=code)


def _city(specs: _Roster, orgs: Orgs) -> None:
    add, city = specs.add, orgs.city
    add(city["yt"], K.GOLD_MEDAL, 1, "yt", accounts=1, title="医疗纠纷金牌调解员", spec=("medical",),
        first="mediator_yt")
    add(city["yt"], K.INDUSTRY_EXPERT, 8, "yt", accounts=3, title="医学专家", spec=("medical",))
    add(city["yt"], K.PSYCHOLOGIST, 2, "yt_xl", accounts=0, title="心理咨询师", spec=("medical", "family"))
    add(city["jt"], K.GOLD_MEDAL, 1, "jt", accounts=1, title="交通事故纠纷金牌调解员", spec=("traffic",),
        first="mediator_jt")
    add(city["jt"], K.INDUSTRY_EXPERT, 8, "jt", accounts=3, title="交通事故理赔专家", spec=("traffic",))
    add(city["jt"], K.PEOPLES, 2, "jt_p", accounts=1, spec=("traffic", "debt"))
    add(city["ld"], K.PEOPLES, 3, "ld", accounts=2, title="劳动争议调解员", spec=("labour", "company"),
        first="mediator_ld")
    add(city["ld"], K.INDUSTRY_EXPERT, 5, "ld_zj", accounts=1, title="劳动关系专家", spec=("labour", "company"))
    add(city["ld"], K.PSYCHOLOGIST, 1, "ld_xl", accounts=0, title="心理咨询师", spec=("labour", "family"))
    add(orgs.arbitration["3212"], K.ARBITRATOR, 4, "zc", accounts=2, title="专职仲裁员", spec=("labour", "company"))
    add(city["gzc"], K.LEGAL_WORKER, 4, "gzc", accounts=2, title="公证员", spec=("inheritance", "debt", "family"))
    add(city["xfj"], K.PEOPLES, 4, "xfj", accounts=2, title="信访接待调解员",
        spec=("property", "labour", "environment", "neighbour"))
    add(city["xfj"], K.PSYCHOLOGIST, 1, "xfj_xl", accounts=0, title="心理咨询师", spec=("family", "neighbour"))
    for abbr, spec, n, title in (("sthj", ("environment",), 2, "环境污染纠纷调解员"),
                                 ("wjw", ("medical",), 2, "医患纠纷调解员"),
                                 ("zrzy", ("property", "environment"), 3, "土地权属争议裁决员"),
                                 ("scjg", ("company", "consumer"), 1, "知识产权纠纷裁决员"),
                                 ("xfj", ("property", "labour"), 2, "信访接待员")):
        add(orgs.officials[("3212", abbr)], K.OFFICIAL, n, f"{abbr}_xz", accounts=1, title=title, spec=spec)


def _languages(rng: random.Random, kind: str, district: str | None) -> str:
    spoken = ["普通话"]
    if rng.random() < 0.75:
        spoken.append(LOCAL.get(district or "", "泰州话"))
    if rng.random() < ENGLISH.get(kind, 0.03):
        spoken.append("英语")
    return "、".join(spoken)


def create_pool(org: Org, areas: dict[str, Area], now: dt.datetime, rng: random.Random) -> Pool:
    orgs = create_units(org, areas, rng)
    specs = _plan(orgs, rng)
    types = dict(DisputeType.objects.values_list("code", "pk"))
    labels = dict(DisputeType.objects.values_list("code", "name"))
    users = _accounts(specs, rng)
    rows: list[Mediator] = []
    extra: list[tuple[float, dt.datetime | None]] = []
    chosen = [tuple(c for c in _specialties(rng, s.kind, s.specialties) if c in types) for s in specs]
    for spec, specialties in zip(specs, chosen, strict=True):
        years, load, skill = KIND_TRAITS[spec.kind]
        name = users[spec.username][1] if spec.username in users else person_name(rng)
        phone, number = mobile(rng), id_number(rng, spec.district)
        served = ", ".join(labels[c] for c in specialties[:3])
        r = rng.random()
        available = r >= 0.04
        away = (now + dt.timedelta(days=rng.randint(3, 30))).date() if 0.04 <= r < 0.08 else None
        rows.append(Mediator(
            user_id=users[spec.username][0] if spec.username in users else None, name=name, kind=spec.kind,
            title=spec.title, unit_id=spec.unit, area_id=spec.area, languages=_languages(rng, spec.kind, spec.district),
            bio=f"擅长{served}。{BIOS[spec.kind]}", years=rng.randint(*years), phone=phone, id_number=number,
            phone_hash=pii.lookup_hash("phone", phone), id_hash=pii.lookup_hash("id", number),
            max_load=rng.randint(*load), available=available, unavailable_until=away))
        since = now - dt.timedelta(days=rng.randint(5, 40)) if not available or away else None
        extra.append((min(0.06, max(-0.08, rng.gauss(skill, 0.03))), since))
    Mediator.objects.bulk_create(rows, batch_size=500)
    saved = list(Mediator.objects.filter(unit_id__in={s.unit for s in specs}).order_by("pk"))
    through = Mediator.specialties.through
    links = []
    pool = Pool(orgs=orgs, accounts={uid: uname for uname, (uid, _n) in users.items()})
    for mediator, codes, (skill, since) in zip(saved, chosen, extra, strict=True):
        links += [through(mediator_id=mediator.pk, disputetype_id=types[c]) for c in codes]
        entry = PoolMediator(mediator.pk, mediator.name, mediator.kind, mediator.unit_id, mediator.user_id,
                             frozenset(codes), mediator.max_load, skill, since)
        pool.mediators.append(entry)
        pool.by_unit.setdefault(entry.unit, []).append(entry)
        if entry.user is not None:
            pool.clerk.setdefault(entry.unit, entry.user)
    through.objects.bulk_create(links, batch_size=2000)
    _ties(saved, rng)
    return pool


def _accounts(specs: list[_Spec], rng: random.Random) -> dict[str, tuple[int, str]]:
    """username → (user id, display name): existing accounts (mediator_<district>_tj, mediator_yt …) are
    linked; the others are created, each a mediator of its unit."""
    wanted = [s.username for s in specs if s.username]
    existing = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
    password = make_password(PASSWORD)
    new = [User(username=s.username, display_name=s.person or person_name(rng), email=f"{s.username}@{DEMO_DOMAIN}",
                is_staff=True, password=password, phone=mobile(rng))
           for s in specs if s.username and s.username not in existing]
    User.objects.bulk_create(new, batch_size=1000)
    found = {u: (pk, name) for u, pk, name in
             User.objects.filter(username__in=wanted).values_list("username", "pk", "display_name")}
    Membership.objects.bulk_create([Membership(user_id=found[s.username][0], role=Role.MEDIATOR, unit_id=s.unit)
                                    for s in specs if s.username and s.username not in existing], batch_size=1000)
    return found


def _ties(mediators: list[Mediator], rng: random.Random) -> None:
    """A few declared ties (回避): a relative, a former client …, by keyed hashes of their phone and ID."""
    rows = []
    for mediator in rng.sample(mediators, min(len(mediators), max(3, len(mediators) // 30))):
        phone, number = mobile(rng), id_number(rng, None)
        rows.append(MediatorTie(mediator=mediator, relation=rng.choice(TIE_RELATIONS), name=person_name(rng),
                                phone_hash=pii.lookup_hash("phone", phone), id_hash=pii.lookup_hash("id", number)))
    MediatorTie.objects.bulk_create(rows)
