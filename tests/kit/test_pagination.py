from __future__ import annotations

import pytest

from fengqiao.cases.models import Category
from fengqiao.kit.pagination import paginate


@pytest.mark.django_db
@pytest.mark.parametrize(("asked", "shown"), [(None, 1), ("x", 1), (-3, 1), (2, 2), (3, 3), (4, 3),
                                              (1144622410149502255104, 3)])
def test_a_page_past_the_end_shows_the_last_page(asked: object, shown: int) -> None:
    Category.objects.bulk_create([Category(code=f"{i:03d}", name=f"c{i}", level=1) for i in range(11)])
    page = paginate(Category.objects.order_by("code"), asked, per_page=5)  # type: ignore[arg-type]
    assert page.number == shown
    assert page.total == 11
    assert [c.code for c in page.items] == [f"{i:03d}" for i in range((shown - 1) * 5, min(shown * 5, 11))]
