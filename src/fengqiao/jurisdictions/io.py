"""File formats of the jurisdiction tree and of units: GeoJSON and CSV, read and written.

Reading turns a file (bytes) into numbered raw records; validation and writing to the database live in
``imports.py`` (areas) and ``unit_imports.py`` (units).  Writing streams from the database.

* GeoJSON: a FeatureCollection, one Feature per record, ``properties`` = the columns below, ``geometry``
  = the area's boundary (Polygon / MultiPolygon) or null.  Record N is the N-th feature (from 1).
* CSV: a header row, then one row per record.  Record N is the spreadsheet row (the header is row 1, so
  the first record is row 2).  ``geometry`` holds a GeoJSON geometry as a JSON string (what we write) or
  WKT (also accepted); ``aliases`` the area's aliases joined by “、” (in GeoJSON a list of strings).
  UTF-8 with or without BOM and GB18030 are read; we write UTF-8 (``--encoding``).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from fengqiao.jurisdictions import aliases
from fengqiao.jurisdictions.models import Area, Unit

AREA_COLUMNS = ["code", "name", "level", "parent_code", "population", "aliases", "geometry"]
UNIT_COLUMNS = ["code", "name", "short_name", "kind", "level", "area_code", "parent_code", "phone", "active"]
FORMATS = ("geojson", "csv")
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # boundaries of large grids exceed the 128 KiB default


class FileFormatError(ValueError):
    """The file as a whole cannot be read (encoding, syntax, missing columns)."""


@dataclass(frozen=True)
class Record:
    number: int  # row number (CSV, header = 1) or feature number (GeoJSON, from 1)
    fields: dict[str, Any]


# --- reading -----------------------------------------------------------------------------------------


def guess_format(name: str, data: bytes) -> str:
    lowered = name.lower()
    if lowered.endswith((".geojson", ".json")):
        return "geojson"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return "geojson" if head in (b"{", b"[") else "csv"


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (which covers GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileFormatError(_("文件编码无法识别：请使用 UTF-8 或 GB18030")) from exc


def read_records(data: bytes, fmt: str, required: Iterable[str]) -> list[Record]:
    text = decode(data)
    if fmt == "geojson":
        return _read_geojson(text)
    if fmt == "csv":
        return _read_csv(text, list(required))
    raise FileFormatError(_("未知文件格式：%(fmt)s（可用 geojson、csv）") % {"fmt": fmt})


def _read_geojson(text: str) -> list[Record]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            _("GeoJSON 语法错误：第 %(line)s 行第 %(col)s 列：%(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
        doc.get("features"), list
    ):
        raise FileFormatError(_("GeoJSON 文件须为 FeatureCollection，且含 features 数组"))
    records = []
    for number, feature in enumerate(doc["features"], start=1):
        if not isinstance(feature, dict):
            records.append(Record(number, {"__error__": _("不是 GeoJSON Feature 对象")}))
            continue
        props = feature.get("properties")
        fields: dict[str, Any] = dict(props) if isinstance(props, dict) else {}
        fields["geometry"] = feature.get("geometry")
        records.append(Record(number, fields))
    return records


def _read_csv(text: str, required: list[str]) -> list[Record]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise FileFormatError(_("CSV 格式错误：%(msg)s") % {"msg": exc}) from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise FileFormatError(_("CSV 缺少列：%(cols)s") % {"cols": ", ".join(missing)})
    reader.fieldnames = header
    records = []
    try:
        for number, row in enumerate(reader, start=2):
            if not any((v or "").strip() for k, v in row.items() if k is not None and isinstance(v, str)):
                continue  # a blank line
            fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k is not None}
            if row.get(None):
                fields["__error__"] = _("本行的列数多于表头")
            records.append(Record(number, fields))
    except csv.Error as exc:
        raise FileFormatError(
            _("CSV 格式错误（第 %(line)s 行）：%(msg)s") % {"line": reader.line_num, "msg": exc}
        ) from exc
    return records


# --- writing -----------------------------------------------------------------------------------------


def areas_for_export(level: str | None = None, under: str | None = None) -> QuerySet[Area]:
    qs = Area.objects.all()
    if level:
        qs = qs.filter(level=level)
    if under:
        root = Area.objects.filter(code=under).values_list("path", flat=True).first()
        if root is None:
            raise FileFormatError(_("没有编码为 %(code)s 的区域") % {"code": under})
        qs = qs.filter(Q(path=root) | Q(path__startswith=f"{root}/"))
    return qs.order_by("path")


def _area_rows(qs: QuerySet[Area]) -> Iterator[dict[str, Any]]:
    values = qs.values_list("code", "name", "level", "parent__code", "population", "aliases", "geometry")
    for code, name, level, parent_code, population, names, geometry in values.iterator(chunk_size=500):
        yield {"code": code, "name": name, "level": level, "parent_code": parent_code,
               "population": population, "aliases": list(names or []), "geometry": geometry}


def _unit_rows() -> Iterator[dict[str, Any]]:
    values = Unit.objects.order_by("code").values_list(
        "code", "name", "short_name", "kind", "level", "area__code", "parent__code", "phone", "active"
    )
    for row in values.iterator(chunk_size=500):
        yield dict(zip(UNIT_COLUMNS, row, strict=True))


def _write_geojson(rows: Iterable[dict[str, Any]], out: IO[str], *, geometry: bool) -> int:
    """One feature per line, so that files diff well and stream."""
    out.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for row in rows:
        geom = row.pop("geometry", None) if geometry else None
        feature = {"type": "Feature", "properties": row, "geometry": geom}
        out.write((",\n" if count else "") + json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
        count += 1
    out.write("\n]}\n")
    return count


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _write_csv(rows: Iterable[dict[str, Any]], out: IO[str], columns: list[str]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
        count += 1
    return count


def export_areas(out: IO[str], fmt: str, *, level: str | None = None, under: str | None = None) -> int:
    """Write the (filtered) tree to ``out``, parents before children; returns the number of areas."""
    rows = _area_rows(areas_for_export(level, under))
    if fmt == "geojson":
        return _write_geojson(rows, out, geometry=True)
    if fmt == "csv":  # aliases as one cell joined by “、”, as people type them in a spreadsheet
        return _write_csv(({**row, "aliases": aliases.to_cell(row["aliases"])} for row in rows), out, AREA_COLUMNS)
    raise FileFormatError(_("未知文件格式：%(fmt)s（可用 geojson、csv）") % {"fmt": fmt})


def export_units(out: IO[str], fmt: str) -> int:
    """Units have no boundary of their own: their GeoJSON features have ``geometry: null``."""
    if fmt == "geojson":
        return _write_geojson(_unit_rows(), out, geometry=False)
    if fmt == "csv":
        return _write_csv(_unit_rows(), out, UNIT_COLUMNS)
    raise FileFormatError(_("未知文件格式：%(fmt)s（可用 geojson、csv）") % {"fmt": fmt})
