"""Training on a small planted history, the backtest command's one JSON line, the model beats the baseline
on the planted signal, the model file is installed and reloaded, bad options are refused."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import time_machine
from django.core.management import CommandError, call_command

from fengqiao.warning import baltimore
from fengqiao.warning import model as escalation
from tests.factories import City
from tests.warning.planted import NOW, plant

pytestmark = pytest.mark.django_db


def backtest(*extra: str) -> dict[str, Any]:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("warning", "backtest", "--json", *extra, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_backtest_prints_one_json_line_and_beats_the_baseline(city: City, data_dir: Path) -> None:
    planted = plant(city)
    assert planted["planted"] > 50
    result = backtest()
    for key in ("auc", "precision_at_100", "calibration_error", "train_rows", "test_rows", "test_escalated",
                "train_escalated", "split_at", "horizon_days"):
        assert key in result
    assert set(result["baseline"]) == {"name", "auc", "precision_at_100", "calibration_error"}
    assert result["test_rows"] > 100
    assert 0 < result["test_escalated"] < result["test_rows"]
    assert result["auc"] > result["baseline"]["auc"] + 0.05
    assert result["auc"] > 0.65
    assert 0 <= result["calibration_error"] < 0.2
    assert result["weights"]["threat"] > 0  # the planted words push up
    assert result["weights"]["party_unsatisfied"] > 0 or result["weights"]["reopened"] > 0


def test_train_installs_a_model_that_scores(city: City, data_dir: Path) -> None:
    plant(city)
    err = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("warning", "train", stderr=err)
    assert "escalated" in err.getvalue()
    installed = escalation.load()
    assert installed is not None
    assert (data_dir / "models" / "escalation.joblib").exists()
    assert escalation.load() is installed  # cached until the file changes
    x = np.zeros((2, len(installed.scaler.mean_)))
    x[1] = installed.scaler.mean_ + 3 * installed.scaler.scale_
    p = installed.proba(x)
    assert ((p >= 0) & (p <= 1)).all()


def test_not_enough_data_is_a_clear_error(city: City, data_dir: Path) -> None:
    with pytest.raises(CommandError, match="无法训练"), time_machine.travel(NOW, tick=False):
        call_command("warning", "train")
    with pytest.raises(CommandError, match="--split"):
        call_command("warning", "backtest", "--split", "2")
    with pytest.raises(CommandError, match="--horizon"):
        call_command("warning", "backtest", "--horizon", "0")


def test_measures() -> None:
    labels = np.array([0, 0, 1, 1])
    assert escalation.auc(labels, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert escalation.precision_at(labels, np.array([0.1, 0.2, 0.8, 0.9]), k=2) == 1.0
    assert escalation.calibration_error(labels, np.array([0.0, 0.0, 1.0, 1.0])) == 0.0
    assert escalation.calibration_error(labels, np.array([0.5, 0.5, 0.5, 0.5])) == 0.0
    assert escalation.calibration_error(labels, np.array([1.0, 1.0, 1.0, 1.0])) == 0.5


@pytest.mark.skipif(baltimore.find() is None, reason="../shared/data/baltimore311/ is absent")
def test_baltimore_backtest() -> None:
    out = io.StringIO()
    call_command("warning", "backtest", "--json", "--source", "baltimore", stdout=out)
    result = json.loads(out.getvalue())
    assert result["source"] == "baltimore"
    assert result["test_rows"] > 1000
    assert 0.5 < result["auc"] < 1
