"""An area's aliases (other names, roads and landmarks the gazetteer recognises in addresses): one parser
for the admin form and both import formats, so that every door accepts and refuses the same values.

Accepted: a list of strings (GeoJSON, JSON), or one text with an alias per line or separated by 、 , ，
; ； (the admin's text box, a CSV cell; a cell holding a JSON array of strings is read as such too).
Each alias is trimmed (inner runs of spaces become one); empty ones are dropped; duplicates are dropped,
the first kept, compared as the gazetteer compares names (full-width = half-width, case and punctuation
ignored). Refused, with the reason: a value that is not text, an alias over ``MAX_LENGTH`` characters, one
the gazetteer would ignore (fewer than two letters or digits once punctuation is removed), one containing
a separator inside a list, more than ``MAX_ALIASES`` aliases.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

MAX_ALIASES = 50
MAX_LENGTH = 50
MIN_LENGTH = 2  # the gazetteer ignores shorter names (intake/gazetteer_index.py)
SEPARATORS = re.compile(r"[\r\n、,，;；]+")
CSV_SEPARATOR = "、"


class AliasError(ValueError):
    """An alias value that cannot be used; the message says which alias and why."""


def key(alias: str) -> str:
    """The alias as the gazetteer folds names (intake.gazetteer_index.fold): the duplicate check's key."""
    folded = unicodedata.normalize("NFKC", alias).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PZCS")


def _items(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except json.JSONDecodeError as exc:
                raise AliasError(_("别名须为 JSON 字符串数组，或以换行、“、”、逗号分隔的文字")) from exc
            if not isinstance(loaded, list):
                raise AliasError(_("别名须为 JSON 字符串数组，或以换行、“、”、逗号分隔的文字"))
            return _checked_list(loaded)
        return SEPARATORS.split(text)
    if isinstance(raw, list | tuple):
        return _checked_list(list(raw))
    raise AliasError(_("别名须为文字列表或以“、”分隔的文字"))


def _checked_list(items: list[Any]) -> list[Any]:
    for item in items:
        if not isinstance(item, str):
            raise AliasError(_("别名须为文字：%(value)s") % {"value": json.dumps(item, ensure_ascii=False)})
        if SEPARATORS.search(item.strip()):
            raise AliasError(_("别名“%(alias)s”含分隔符（换行、“、”、逗号或分号），请拆成多个别名")
                             % {"alias": item.strip()})
    return items


def parse(raw: Any) -> list[str]:
    """The clean list of aliases in ``raw`` (None or empty → []), or AliasError."""
    if raw is None:
        return []
    out: list[str] = []
    seen: set[str] = set()
    for item in _items(raw):
        alias = " ".join(str(item).split())
        if not alias:
            continue
        if len(alias) > MAX_LENGTH:
            raise AliasError(_("别名“%(alias)s…”超过 %(n)s 个字符") % {"alias": alias[:20], "n": MAX_LENGTH})
        folded = key(alias)
        if len(folded) < MIN_LENGTH:
            raise AliasError(_("别名“%(alias)s”太短：地址识别至少需要 %(n)s 个字") % {"alias": alias, "n": MIN_LENGTH})
        if folded in seen:
            continue
        seen.add(folded)
        out.append(alias)
    if len(out) > MAX_ALIASES:
        raise AliasError(_("别名不能多于 %(n)s 个（现有 %(count)s 个）") % {"n": MAX_ALIASES, "count": len(out)})
    return out


def to_cell(aliases: list[str] | None) -> str:
    """A CSV cell: the aliases joined by “、” (what spreadsheet users type)."""
    return CSV_SEPARATOR.join(aliases or [])
