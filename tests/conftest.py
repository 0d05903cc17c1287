from __future__ import annotations

import pytest

from fengqiao.jurisdictions import geo
from tests.factories import City, build_city


@pytest.fixture(autouse=True)
def _fresh_geo_index() -> None:
    geo.invalidate()


@pytest.fixture
def city(db: None) -> City:
    return build_city()
