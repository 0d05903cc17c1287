"""The router: CSV reading, train / eval / cv on small labelled sets, and serving suggestions."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from fengqiao.cases.models import Category
from fengqiao.intelligence import features, router, training
from tests.factories import City
from tests.web.conftest import login

TOPICS = {
    "噪音": ["夜间施工噪音扰民", "广场舞音响声音太大", "工地凌晨打桩噪声", "酒吧噪音影响睡眠"],
    "供水": ["小区停水三天无人管", "自来水发黄有异味", "水管爆裂漏水严重", "水压太低楼上没水"],
    "道路": ["路面坑洼车辆难行", "道路破损井盖缺失", "马路积水无法通行", "人行道砖块松动"],
}


def rows(n_each: int = 6) -> list[dict[str, str]]:
    out = []
    for label, phrases in TOPICS.items():
        for i in range(n_each):
            out.append({"主题": phrases[i % len(phrases)], "详情": f"{phrases[(i + 1) % len(phrases)]}，请处理",
                        "类别": label, "区": ["海陵区", "高港区"][i % 2]})
    return out


def write(path: Path, data: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_read_csv_encodings_and_joined_text_columns(tmp_path: Path, encoding: str) -> None:
    data = training.read_csv(write(tmp_path / "x.csv", rows(2), encoding), "主题,详情", "类别", "区")
    assert len(data.texts) == 6
    assert data.texts[0] == "夜间施工噪音扰民 | 广场舞音响声音太大，请处理"
    assert data.labels[:2] == ["噪音", "噪音"]
    assert data.extras[:2] == [["海陵区"], ["高港区"]]


def test_read_csv_names_missing_column_and_skips_rows_without_label(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", [*rows(1), {"主题": "无类别", "详情": "", "类别": "", "区": ""}])
    with pytest.raises(training.DataError, match="no column 街道"):
        training.read_csv(path, "主题", "类别", "区,街道")
    assert training.read_csv(path, "主题", "类别").skipped == 1


def test_train_eval_command_prints_one_json_line(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", rows(12), "gb18030")
    model_path = tmp_path / "m.joblib"
    call_command("router", "train", "--data", str(path), "--text-col", "主题,详情", "--label-col", "类别",
                 "--extra-cols", "区", "--out", str(model_path), stderr=io.StringIO())
    model = joblib.load(model_path)
    assert model.labels == sorted(TOPICS) == ["供水", "噪音", "道路"]
    assert model.config.extra_cols == ("区",)
    assert model.meta["rows"] == 36
    assert model.meta["sklearn"]
    out = io.StringIO()
    call_command("router", "eval", "--model", str(model_path), "--data", str(path), "--text-col", "主题,详情",
                 "--label-col", "类别", "--extra-cols", "区", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert (result["accuracy"], result["macro_f1"], result["top3_accuracy"], result["n"]) == (1.0, 1.0, 1.0, 36)
    assert result["ms_per_item"] > 0
    with pytest.raises(CommandError, match="--extra-cols"):
        call_command("router", "eval", "--model", str(model_path), "--data", str(path), "--text-col", "主题",
                     "--label-col", "类别", stdout=io.StringIO())


def test_one_label_is_refused_and_singletons_do_not_crash_cv(tmp_path: Path) -> None:
    one = write(tmp_path / "one.csv", [r for r in rows(3) if r["类别"] == "噪音"])
    with pytest.raises(CommandError, match="at least two different labels"):
        call_command("router", "train", "--data", str(one), "--text-col", "主题", "--label-col", "类别",
                     "--out", str(tmp_path / "m.joblib"))
    data = [*rows(6), {"主题": "路灯不亮", "详情": "", "类别": "路灯", "区": "海陵区"}]  # a singleton label
    out = io.StringIO()
    call_command("router", "cv", "--data", str(write(tmp_path / "s.csv", data)), "--text-col", "主题,详情",
                 "--label-col", "类别", "--folds", "3", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["n"], result["folds"], result["labels"]) == (19, 3, 4)
    for side in (result["ours"], result["baseline_tfidf_linearsvc"]):
        assert 0 <= side["macro_f1"] <= 1
        assert side["top3_accuracy"] >= side["accuracy"]


def test_folds_fall_back_when_labels_are_rare() -> None:
    assert [len(te) for _tr, te in training.folds(["a", "b", "c", "d", "e", "f"], 3)] == [2, 2, 2]
    with pytest.raises(training.DataError, match="cannot make 5 folds"):
        training.folds(["a", "b"], 5)


def test_probabilities_are_distributions_and_top3_ordered(tmp_path: Path) -> None:
    model = training.train(training.read_csv(write(tmp_path / "x.csv", rows(12)), "主题,详情", "类别"))
    proba = model.predict_proba(["水管爆裂漏水", "夜里工地打桩太吵"])
    assert proba.shape == (2, 3)
    assert proba.sum(axis=1) == pytest.approx([1.0, 1.0])
    top = model.top(proba)
    assert [t[0][0] for t in top] == ["供水", "噪音"]
    assert all(t[0][1] >= t[1][1] >= t[2][1] for t in top)


@pytest.fixture
def installed(tmp_path: Path, settings: Any, city: City) -> Iterator[dict[str, Any]]:
    """A category model whose labels are the test city's category codes, installed in DATA_DIR/models."""
    settings.DATA_DIR = tmp_path
    router.forget()
    cats = list(Category.objects.order_by("code")[:3])
    data = [{**r, "类别": cats[list(TOPICS).index(r["类别"])].code} for r in rows(12)]
    model = training.train(training.read_csv(write(tmp_path / "x.csv", data), "主题,详情", "类别"))
    (tmp_path / "models").mkdir()
    joblib.dump(model, tmp_path / "models" / "category.joblib")
    yield {"cats": cats, "model": model}
    router.forget()


def test_suggest_none_without_model(tmp_path: Path, settings: Any, db: None) -> None:
    settings.DATA_DIR = tmp_path
    router.forget()
    assert router.suggest("小区停水") is None
    assert router.suggest_many(["a", "b"]) == [None, None]


def test_suggest_maps_labels_to_category_rows(installed: dict[str, Any]) -> None:
    cats = installed["cats"]
    suggestion = router.suggest("自来水发黄有异味，小区停水")
    assert suggestion is not None
    assert suggestion.categories[0][:2] == (cats[1].pk, cats[1].name)
    assert [c[0] for c in suggestion.categories] != []
    assert len(suggestion.categories) == 3
    assert suggestion.units == []
    assert suggestion.confident == (suggestion.categories[0][2] >= router.confidence_threshold())
    many = router.suggest_many(["路面坑洼", "噪音扰民"], [None, {"区": "海陵区"}])
    assert [s.categories[0][0] for s in many if s] == [cats[2].pk, cats[0].pk]


def test_confidence_threshold_from_environment(installed: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setenv("FENGQIAO_ROUTER_CONFIDENCE", "0.0")
    assert router.suggest("路面坑洼").confident is True  # type: ignore[union-attr]
    monkeypatch.setenv("FENGQIAO_ROUTER_CONFIDENCE", "1.01")
    assert router.suggest("路面坑洼").confident is False  # type: ignore[union-attr]


def test_model_reloaded_when_file_changes(installed: dict[str, Any], tmp_path: Path) -> None:
    first = router.load("category")
    assert first is not None
    assert router.load("category") is first
    path = tmp_path / "models" / "category.joblib"
    joblib.dump(installed["model"], path)
    os.utime(path, (1, 1))
    assert router.load("category") is not first
    path.unlink()
    assert router.load("category") is None


def test_suggest_partial(client: Client, installed: dict[str, Any], city: City) -> None:
    login(client, city, "operator")
    url = reverse("route_suggest")
    html = client.get(url, {"title": "", "description": "自来水发黄有异味"}).content.decode()
    assert "建议分类" in html
    assert f'data-pick-category="{installed["cats"][1].pk}"' in html
    assert "填写诉求内容后" in client.get(url).content.decode()
    router.forget()


def test_suggest_partial_without_model_and_for_roles_that_cannot_register(
        client: Client, city: City, tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    router.forget()
    login(client, city, "operator")
    assert "尚未安装分类模型" in client.get(reverse("route_suggest"), {"description": "停水"}).content.decode()
    login(client, city, "handler")
    assert client.get(reverse("route_suggest"), {"description": "停水"}).status_code == 403


def test_title_block_and_nb_svm_blend_with_few_labels(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", rows(12))
    model = training.train(training.read_csv(path, "主题,详情", "类别"))
    assert model.config.title_block
    assert model.features.title is not None
    assert model.nb is not None
    assert model.nb_weight == training.NB_WEIGHT
    assert model.svm.weights.shape == model.nb.weights.shape == (model.meta["features"], 3)
    one_column = training.train(training.read_csv(path, "详情", "类别"))
    assert not one_column.config.title_block
    assert one_column.features.title is None
    assert features.title_of("停水 | 小区停水三天") == "停水"
    assert features.title_of("小区停水三天") == ""


def test_many_labels_use_the_plain_svm_and_two_labels_work(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(training, "NB_MAX_LABELS", 2)
    many = training.train(training.read_csv(write(tmp_path / "x.csv", rows(12)), "主题,详情", "类别"))
    assert many.nb is None
    assert many.meta["nb_weight"] == 0.0
    assert [t[0][0] for t in many.top(many.predict_proba(["水管爆裂漏水"]))] == ["供水"]
    two = training.train(training.read_csv(write(tmp_path / "y.csv", [r for r in rows(12) if r["类别"] != "道路"]),
                                           "主题,详情", "类别"))
    assert two.nb is not None
    proba = two.predict_proba(["水管爆裂漏水", "夜里工地打桩太吵"])
    assert proba.shape == (2, 2)
    assert [two.labels[i] for i in proba.argmax(axis=1)] == ["供水", "噪音"]
