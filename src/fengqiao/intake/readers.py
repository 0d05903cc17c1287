"""Readers: stream (row number, {column: text}) from CSV, XLSX or JSON Lines, never the whole file.

Row numbers are what a clerk sees: for CSV and XLSX the header is row 1 and the first record row 2;
for JSON Lines, the line number.  CSV encodings are tried in order UTF-8 (with or without BOM), GB18030.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from fengqiao.kit.errors import ValidationFailed

ENCODINGS = ("utf-8-sig", "gb18030")
_SNIFF = 1 << 20
Row = tuple[int, dict[str, str]]


def _fail(message: str, key: str = "file") -> ValidationFailed:
    return ValidationFailed(message, fields={key: message})


def detect_encoding(path: Path) -> str:
    """The first encoding of ENCODINGS that decodes the whole file (checked incrementally, in chunks)."""
    first_error: tuple[str, int] | None = None
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_SNIFF):
                    decoder.decode(chunk)
                    offset += len(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as e:
            if first_error is None:
                first_error = (encoding, offset + e.start)
    assert first_error is not None
    raise _fail(
        f"无法识别文件编码：按 UTF-8 解码在第 {first_error[1]} 字节处失败，按 GB18030 也无法解码。"
        "请另存为 UTF-8 或 GB18030 编码的 CSV。", "encoding",
    )


def file_format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    raise _fail(f"不支持的文件类型 .{suffix}：请用 CSV、XLSX 或 JSON Lines（.jsonl）", "format")


@dataclass
class Source:
    """An opened file: its columns and a stream of rows."""

    path: Path
    format: str
    sheet: str | None = None
    encoding: str | None = None

    def header(self) -> list[str]:
        if self.format == "csv":
            with self._text() as handle:
                return [c.strip() for c in next(csv.reader(handle), [])]
        if self.format == "xlsx":
            with _Workbook(self.path, self.sheet) as ws:
                for values in ws.iter_rows(values_only=True, max_row=1):
                    return [_cell(v) for v in values]
        return []

    def _text(self) -> IO[str]:
        if self.encoding is None:
            self.encoding = detect_encoding(self.path)
        return self.path.open(encoding=self.encoding, newline="")

    def rows(self, start: int = 0) -> Iterator[Row]:
        """Rows whose number ≥ ``start`` (earlier rows are read past, not returned)."""
        if self.format == "csv":
            yield from self._csv(start)
        elif self.format == "xlsx":
            yield from self._xlsx(start)
        else:
            yield from self._jsonl(start)

    def count(self) -> int:
        return sum(1 for _ in self.rows())

    def _csv(self, start: int) -> Iterator[Row]:
        with self._text() as handle:
            reader = csv.reader(handle)
            header = [c.strip() for c in next(reader, [])]
            for number, values in enumerate(reader, start=2):  # records, as a spreadsheet numbers them
                if number < start or not any(values):
                    continue
                yield number, dict(zip(header, values, strict=False))

    def _xlsx(self, start: int) -> Iterator[Row]:
        with _Workbook(self.path, self.sheet) as ws:
            header: list[str] = []
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if number == 1:
                    header = [_cell(v) for v in values]
                    continue
                if number < start or not any(v is not None and str(v).strip() for v in values):
                    continue
                yield number, {h: _cell(v) for h, v in zip(header, values, strict=False) if h}

    def _jsonl(self, start: int) -> Iterator[Row]:
        with self.path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if number < start or not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as e:
                    yield number, {"__error__": f"第 {number} 行不是有效的 JSON：{e.msg}"}
                    continue
                if not isinstance(value, dict):
                    yield number, {"__error__": f"第 {number} 行应为 JSON 对象"}
                    continue
                yield number, {str(k): "" if v is None else str(v) for k, v in value.items()}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Workbook:
    def __init__(self, path: Path, sheet: str | None) -> None:
        import openpyxl

        try:
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # openpyxl raises zipfile/KeyError/etc. for a file that is not xlsx
            raise _fail(f"无法读取 XLSX 文件：{e}", "file") from e
        if sheet is not None and sheet not in self.book.sheetnames:
            self.book.close()
            raise _fail(f"工作簿中没有名为 {sheet!r} 的工作表（有：{', '.join(self.book.sheetnames)}）", "sheet")
        self.ws = self.book[sheet] if sheet else self.book.worksheets[0]

    def __enter__(self) -> Any:
        return self.ws

    def __exit__(self, *exc: object) -> None:
        self.book.close()


def check_columns(source: Source, wanted: list[str]) -> list[str]:
    """Raise one clear error naming every mapped column the file lacks; return the extra columns."""
    present = _jsonl_keys(source) if source.format == "jsonl" else source.header()
    missing = [c for c in wanted if c not in present]
    if missing:
        raise _fail(
            f"文件缺少映射中的列：{', '.join(missing)}（文件中的列：{', '.join(present) or '无'}）", "columns",
        )
    return [c for c in present if c not in wanted]


def _jsonl_keys(source: Source, sample: int = 100) -> list[str]:
    keys: dict[str, None] = {}
    for i, (_n, row) in enumerate(source.rows()):
        if "__error__" not in row:
            keys.update(dict.fromkeys(row))
        if i >= sample:
            break
    return list(keys)
