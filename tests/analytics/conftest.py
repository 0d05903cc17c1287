from __future__ import annotations

import datetime as dt

import pytest

from fengqiao.analytics.models import AssessmentFormula
from tests.analytics.month import Month, build_month
from tests.factories import City


@pytest.fixture
def formula(db: None) -> AssessmentFormula:
    """The default weights (10 / 45 / 45, basically satisfied counts 0.8), ranking from one case."""
    return AssessmentFormula.objects.create(
        name="测试办法", effective_from=dt.date(2026, 1, 1), response_weight=0.1, resolution_weight=0.45,
        satisfaction_weight=0.45, basically_weight=0.8, min_cases=1,
    )


@pytest.fixture
def month(city: City, formula: AssessmentFormula) -> Month:
    return build_month(city)


