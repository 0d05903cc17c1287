"""Generalisation check: a many-label "department" data set with district/street extra columns, made from
the demo city's closed cases, through the same `router export / train / eval` commands a city would use."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import pytest
from django.core.management import call_command

from fengqiao.cases.models import Case
from fengqiao.cases.states import State
from fengqiao.intelligence import router
from fengqiao.jurisdictions.models import Unit


@pytest.fixture
def demo(db: None, tmp_path: Path, settings: Any) -> Iterator[Path]:
    settings.DATA_DIR = tmp_path
    router.forget()
    call_command("demo", "--scale", "small", "--cases", "500", "--workers", "1", stdout=io.StringIO())
    yield tmp_path
    router.forget()


def test_unit_model_from_demo_cases_end_to_end(demo: Path) -> None:
    out = demo / "unit.csv"
    call_command("router", "export", "--what", "unit", "--out", str(out), stderr=io.StringIO())
    with open(out, encoding="utf-8") as fh:
        exported = list(csv.DictReader(fh))
    closed = Case.objects.filter(status=State.CLOSED, lead_unit__isnull=False)
    assert len(exported) == closed.count()
    first = closed.order_by("-registered_at").select_related("lead_unit", "district", "street").first()
    assert first is not None
    assert first.lead_unit is not None
    assert first.district is not None
    assert first.street is not None
    assert exported[0] == {"code": first.code, "title": first.title, "description": first.description,
                           "label": first.lead_unit.code, "label_name": first.lead_unit.name,
                           "district": first.district.name, "street": first.street.name}
    labels = {r["label"] for r in exported}
    assert len(labels) >= 20  # many labels, unlike tipdm's seven

    model_path = demo / "unit.joblib"
    args = ["--data", str(out), "--text-col", "title,description", "--label-col", "label",
            "--extra-cols", "district,street"]
    call_command("router", "train", *args, "--out", str(model_path), stderr=io.StringIO())
    model = joblib.load(model_path)
    assert sorted(model.labels) == sorted(labels)
    assert model.config.extra_cols == ("district", "street")
    result_out = io.StringIO()
    call_command("router", "eval", "--model", str(model_path), *args, stdout=result_out)
    result = json.loads(result_out.getvalue())
    assert result["n"] == len(exported)
    assert 0.0 <= result["accuracy"] <= result["top3_accuracy"] <= 1.0
    assert 0.0 <= result["macro_f1"] <= 1.0
    assert result["unknown_labels"] == []

    cv_out = io.StringIO()
    call_command("router", "cv", *args, "--folds", "3", stdout=cv_out)
    cv = json.loads(cv_out.getvalue())
    assert cv["labels"] == len(labels)
    assert cv["ours"]["top3_accuracy"] >= cv["ours"]["accuracy"]


def test_train_demo_installs_models_that_suggest_real_rows(demo: Path) -> None:
    call_command("router", "train-demo", "--limit", "400", stderr=io.StringIO())
    assert (demo / "models" / "category.joblib").exists()
    assert (demo / "models" / "unit.joblib").exists()
    case = Case.objects.filter(status=State.CLOSED).select_related("district", "street").first()
    assert case is not None
    assert case.district is not None
    assert case.street is not None
    suggestion = router.suggest(f"{case.title} | {case.description}",
                                {"district": case.district.name, "street": case.street.name})
    assert suggestion is not None
    assert len(suggestion.categories) == 3
    assert len(suggestion.units) == 3
    unit_ids = [u[0] for u in suggestion.units]
    assert set(Unit.objects.filter(pk__in=unit_ids).values_list("pk", flat=True)) == set(unit_ids)
    probs = [u[2] for u in suggestion.units]
    assert probs == sorted(probs, reverse=True)
    assert 0 < probs[0] <= 1


def test_train_demo_if_missing_keeps_installed_models(demo: Path) -> None:
    models = demo / "models"
    models.mkdir(parents=True, exist_ok=True)
    (models / "category.joblib").write_bytes(b"kept")
    err = io.StringIO()
    call_command("router", "train-demo", "--limit", "400", "--if-missing", stderr=err)
    assert (models / "category.joblib").read_bytes() == b"kept"
    assert "category: already installed — kept" in err.getvalue()
    assert (models / "unit.joblib").stat().st_size > 1000
