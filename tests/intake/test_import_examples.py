"""The worked examples of docs/intake/import.md, on the real shared data (skipped when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from fengqiao.cases.models import Case, Category
from fengqiao.intake import mapping, pipeline, services
from fengqiao.intake.models import ImportRowError
from tests.factories import City


def shared(*parts: str) -> Path:
    path = Path(settings.SHARED_DATA_DIR).joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data set not present: {path}")
    return path


def tree(paths: list[str]) -> None:
    for path in paths:
        parent = None
        for level, name in enumerate(path.split("/"), start=1):
            found = Category.objects.filter(name=name, level=level, parent=parent).first()
            parent = found or Category.objects.create(code=f"T{Category.objects.count():04d}", name=name,
                                                      level=level, parent=parent)


def test_baltimore311_kept_unlocated_categorised_by_prefix(city: City) -> None:
    path = shared("baltimore311", "baltimore_311_sample_10k.csv")
    tree(["环境保护/环境污染", "城乡建设/住房保障与房地产", "城乡建设/城市建设和市政管理", "交通运输/交通运输"])
    raw, _ = mapping.load("baltimore311")
    job, _ = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    job = pipeline.run_job(job.pk, batch_size=2000)
    assert job.total_rows == 10_000
    assert job.created + job.duplicates + job.failed == 10_000
    assert job.failed == 0
    assert Case.objects.count() == job.created
    assert not Case.objects.filter(grid__isnull=False).exists()  # Baltimore is not in our city
    case = Case.objects.get(external_ref="5004100000j6t9wAAA")
    assert (case.title, case.category_id) == ("ECC-Vehicle Look Up", None)
    assert case.registered_at.isoformat() == "2018-11-13T18:06:56+00:00"  # 01:06:56 PM New York (EST)
    dirty = Case.objects.filter(description="SW-Dirty Alley").first()
    assert dirty is not None
    assert dirty.category.name == "环境污染"


def test_tipdm_message_board(city: City) -> None:
    path = shared("tipdm2020", "messages_labeled.csv")
    tops = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]
    tree([*tops, "交通运输/交通运输"])
    raw, _ = mapping.load("tipdm_message_board")
    job, _ = services.start_job(city.users["operator"], "message_board", path, raw)
    job = pipeline.run_job(job.pk)
    assert job.created + job.duplicates + job.failed == job.total_rows
    # one real message is longer than a case's description may be: reported by row, the rest kept
    assert list(ImportRowError.objects.values_list("row", "message")) == [
        (502, "第 502 行 description（列「text」）：诉求内容超过 10000 字（12220 字）")]
    assert (job.total_rows, job.created, job.duplicates, job.failed) == (5831, 5830, 0, 1)
    first = Case.objects.get(external_ref="41460")
    assert first.category.name == "教育文体"
    assert first.channel == "message_board"
    assert first.title == "K9县劳动局办证、盖章等手续要收费1000元合理吗？"
