"""Property tests of the importers (hypothesis): whatever the rows — unicode, empty, huge, wrong types,
wrong dates, duplicate external references, good and bad mixed — the importer never raises, every good row
is registered exactly once (the first good row of each external reference; later ones are duplicates),
every bad row is reported with its row number and the field at fault, and importing the same file again
registers nothing new.  The same for the push endpoint (/api/intake/<channel>/reports): never a 5xx, a
good report 201 once and then 200, a bad one a 4xx naming the field.

Rows are drawn as a good row, or a good row with one field spoiled in a known way, so the test knows which
rows are good and which field each bad row must be blamed on.  Examples are bounded (a few dozen files).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fengqiao.cases.models import Case
from fengqiao.intake import keys, mapping, pipeline, services
from fengqiao.intake.models import ImportRowError, JobStatus
from fengqiao.kit.validators import id_check_char
from tests.factories import City

COLUMNS = ["工单编号", "标题", "诉求内容", "分类编码", "紧急程度", "事发地址", "经度", "纬度", "来电时间",
           "来电人", "来电号码", "身份证号"]
FIELD_OF = {"工单编号": "external_id", "标题": "title", "诉求内容": "description", "分类编码": "category",
            "紧急程度": "urgency", "经度": "lng", "纬度": "lat", "来电时间": "reported_at",
            "来电号码": "reporter_phone", "身份证号": "reporter_id_number"}
GRID_POINTS = [(119.905, 32.455), (119.915, 32.455), (119.805, 32.455), (119.815, 32.455)]  # the test city's
PROPS = settings(max_examples=15, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.data_too_large])
_file_no = itertools.count(1)
CST = dt.timezone(dt.timedelta(hours=8))

# any unicode a clerk's export may carry (no surrogates: not encodable); the xlsx writer refuses the
# control characters XML forbids, so its cells draw from printable text
# (NUL aside: PostgreSQL cannot store it, so a field carrying one is a bad row — see SPOILERS)
NO_NUL = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
ANY_TEXT = st.text(NO_NUL, max_size=40)
LONG_TEXT = st.text(NO_NUL, max_size=300)
XLSX_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@dataclass(frozen=True)
class Drawn:
    values: dict[str, Any]  # column → cell (str, or for xlsx a number / date / bool)
    bad_field: str | None  # the field the importer must blame, None for a good row


def _id_number(digits: str) -> str:
    first17 = "3212021990" + digits[:7].ljust(7, "0")
    return first17 + id_check_char(first17)


@st.composite
def good_row(draw: Any, ref: str, text: st.SearchStrategy[str], typed: bool) -> dict[str, Any]:
    point = draw(st.sampled_from([None, *GRID_POINTS]))
    when = draw(st.none() | st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2024, 12, 31)))
    if when is None:
        reported: Any = ""
    elif typed and draw(st.booleans()):
        reported = when.replace(microsecond=0)  # a real date cell
    else:
        reported = when.strftime(draw(st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d"])))
    lng: Any = "" if point is None else point[0]
    lat: Any = "" if point is None else point[1]
    if point is not None and not typed:
        lng, lat = str(lng), str(lat)
    return {
        "工单编号": ref,
        "标题": "T" + draw(text),
        "诉求内容": "D" + draw(text),
        "分类编码": draw(st.sampled_from(["", "010101", "0201", "02"])),
        "紧急程度": draw(st.sampled_from(["", "一般", "普通", "紧急", "特急", "urgent"])),
        "事发地址": draw(text | LONG_TEXT) if not typed else draw(text),
        "经度": lng, "纬度": lat,
        "来电时间": reported,
        "来电人": draw(text),
        "来电号码": draw(st.sampled_from(["", "13812345678", "0523-86668888", "+8613912345678"])),
        "身份证号": draw(st.sampled_from(["", _id_number("1234567"), _id_number("7654321").lower()])),
    }


# (column, spoiled value, field blamed); values are callables of the row so a spoilt row stays a row
SPOILERS: list[tuple[str, Any, str]] = [
    ("诉求内容", "", "description"),
    ("诉求内容", "   ", "description"),
    ("诉求内容", "长" * 10_001, "description"),
    ("标题", " \u3000 ", "title"),
    ("标题", "题" * 201, "title"),
    ("分类编码", "999999", "category"),
    ("紧急程度", "超级紧急", "urgency"),
    ("经度", "东经119度", "lng"),
    ("经度", "nan", "lng"),
    ("经度", "0", "lng"),  # with 纬度 0: outside every grid
    ("来电号码", "12345", "reporter_phone"),
    ("身份证号", "32120219900101123", "reporter_id_number"),
    ("身份证号", "321202199001011230", "reporter_id_number"),  # wrong check digit
    ("工单编号", "X" * 65, "external_id"),
    ("来电时间", "2024-13-45", "reported_at"),
    ("来电时间", "1999-12-31", "reported_at"),
    ("来电时间", "2999-01-01", "reported_at"),
    ("来电时间", "昨天下午", "reported_at"),
    ("标题", "T\x00", "title"),  # NUL (csv only: the xlsx format cannot hold it)
    ("来电人", "张\x00三", "reporter_name"),
    ("事发地址", "东风路\x00 3 号", "address"),
]


@st.composite
def row(draw: Any, text: st.SearchStrategy[str], typed: bool) -> Drawn:
    ref = draw(st.sampled_from([f"R{i}" for i in range(6)]))  # few references: duplicates are common
    values = draw(good_row(ref, text, typed))
    if not draw(st.integers(0, 2)):  # about a third of the rows are bad
        column, value, blamed = draw(st.sampled_from([s for s in SPOILERS if not (typed and "\x00" in s[1])]))
        values[column] = value
        if column == "经度":
            values["纬度"] = "0" if value == "0" else "32.455"
        if typed and column == "来电时间" and value == "1999-12-31" and draw(st.booleans()):
            values[column] = dt.datetime(1999, 12, 31, 8, 0)  # a wrong date as a real date cell
        if typed and column == "来电时间" and value == "昨天下午" and draw(st.booleans()):
            values[column] = True  # a wrong type: a boolean cell
        return Drawn(values, blamed)
    return Drawn(values, None)


def _prefixed(rows: list[Drawn], prefix: str) -> list[Drawn]:
    """Each file's own references (the test database lives through all examples)."""
    out = []
    for r in rows:
        values = dict(r.values)
        if r.bad_field != "external_id":
            values["工单编号"] = f"{prefix}{values['工单编号']}"
        out.append(Drawn(values, r.bad_field))
    return out


def write_csv(path: Path, rows: list[Drawn]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.values[c] for c in COLUMNS])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def write_xlsx(path: Path, rows: list[Drawn]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    for r in rows:
        sheet.append([r.values[c] if r.values[c] != "" else None for c in COLUMNS])
    book.save(path)


def import_file(city: City, path: Path) -> Any:
    raw, _ = mapping.load("hotline_12345")
    job, resumed = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    assert not resumed
    return pipeline.run_job(job.pk, batch_size=7)  # small batches: rows of one reference across batches


def check_import(city: City, tmp_path: Path, rows: list[Drawn], suffix: str) -> None:
    prefix = f"F{next(_file_no)}-"
    rows = _prefixed(rows, prefix)
    path = tmp_path / f"{prefix}in.{suffix}"
    (write_csv if suffix == "csv" else write_xlsx)(path, rows)

    job = import_file(city, path)  # never raises

    numbered = list(enumerate(rows, start=2))  # the header is row 1
    first_good: dict[str, tuple[int, Drawn]] = {}
    for number, r in numbered:
        if r.bad_field is None:
            first_good.setdefault(r.values["工单编号"], (number, r))
    good = sum(1 for _n, r in numbered if r.bad_field is None)
    bad_rows = {number: r.bad_field for number, r in numbered if r.bad_field is not None}
    assert job.status == JobStatus.DONE, job.message
    assert (job.created, job.duplicates, job.failed) == (len(first_good), good - len(first_good), len(bad_rows))

    registered = {c.external_ref: c for c in Case.objects.filter(channel="hotline_12345",
                                                                   external_ref__startswith=prefix)}
    assert set(registered) == set(first_good)  # every good reference once, no bad row
    for ref, (_number, r) in first_good.items():
        assert registered[ref].title == str(r.values["标题"]).strip()[:200]

    errors: dict[int, set[str]] = {}
    for e in ImportRowError.objects.filter(job=job):
        errors.setdefault(e.row, set()).add(e.field)
        assert f"第 {e.row} 行" in e.message
    assert set(errors) == set(bad_rows)
    for number, blamed in bad_rows.items():
        assert blamed in errors[number], (number, blamed, errors[number])

    again = import_file(city, path)  # the same file again: nothing new
    assert (again.status, again.created, again.duplicates, again.failed) == (
        JobStatus.DONE, 0, good, len(bad_rows))
    assert Case.objects.filter(channel="hotline_12345", external_ref__startswith=prefix).count() == len(first_good)


@PROPS
@given(rows=st.lists(row(ANY_TEXT, typed=False), min_size=1, max_size=14))
def test_csv_import_properties(city: City, tmp_path: Path, rows: list[Drawn]) -> None:
    check_import(city, tmp_path, rows, "csv")


@PROPS
@given(rows=st.lists(row(XLSX_TEXT, typed=True), min_size=1, max_size=10))
def test_xlsx_import_properties(city: City, tmp_path: Path, rows: list[Drawn]) -> None:
    check_import(city, tmp_path, rows, "xlsx")


# --- the push endpoint ---------------------------------------------------------------------------------
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
PUSH_FIELDS = ["external_id", "title", "description", "category_code", "urgency", "address", "lng", "lat",
               "reported_at", "reporter"]


def _push_body(values: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": values["工单编号"], "title": values["标题"], "description": values["诉求内容"],
        "address": values["事发地址"][:200],
    }
    if values["分类编码"]:
        body["category_code"] = values["分类编码"]
    if values["紧急程度"] in ("normal", "urgent", "very_urgent"):
        body["urgency"] = values["紧急程度"]
    if values["经度"] != "":
        body["lng"], body["lat"] = float(values["经度"]), float(values["纬度"])
    if values["来电时间"]:
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d"):
            try:
                body["reported_at"] = dt.datetime.strptime(values["来电时间"], fmt).replace(tzinfo=CST).isoformat()
                break
            except ValueError:
                continue
    if values["来电号码"] or values["来电人"]:
        body["reporter"] = {"name": values["来电人"][:50] or "张三", "phone": values["来电号码"]}
    return body


@st.composite
def push_case(draw: Any) -> tuple[dict[str, Any] | str, bool]:
    """(body, good): a good report, or one with a field replaced by anything JSON can hold, or garbage."""
    kind = draw(st.integers(0, 3))
    values = draw(good_row("P" + str(draw(st.integers(0, 4))), ANY_TEXT, typed=False))
    body = _push_body(values)
    if kind == 0:
        return body, True
    if kind == 1:
        body[draw(st.sampled_from(PUSH_FIELDS))] = draw(JSONISH)
        return body, False
    if kind == 2:
        return draw(st.text(max_size=30)), False
    return draw(JSONISH), False


@PROPS
@given(pushes=st.lists(push_case(), min_size=1, max_size=8))
def test_push_endpoint_properties(city: City, pushes: list[tuple[Any, bool]]) -> None:
    prefix = f"F{next(_file_no)}-"
    key = keys.create_key("hotline_12345", city.users["operator"], rate_per_minute=100_000).secret
    client = Client()
    seen: set[str] = set()
    for body, good in pushes:
        if good:
            body = {**body, "external_id": prefix + body["external_id"]}
        text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        response = client.post("/api/intake/hotline_12345/reports", text, content_type="application/json",
                               headers={"X-API-Key": key})
        assert response.status_code < 500, response.content
        answer = response.json()
        if good:
            ref = body["external_id"]
            assert response.status_code == (200 if ref in seen else 201), answer
            seen.add(ref)
        elif response.status_code >= 400:
            assert answer.get("detail"), answer
            if response.status_code in (400, 422):
                assert answer.get("fields"), answer  # the field at fault is named
    assert Case.objects.filter(channel="hotline_12345", external_ref__startswith=prefix).count() == len(seen)
