"""The reply quality model through its command: train → install → loaded once, reloaded on change → eval,
on a slice of tipdm2020 ``messages_with_replies.csv`` (skipped with a message where the file is absent),
and clear errors for files it cannot use."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from fengqiao.intelligence import reply_quality as rq
from fengqiao.intelligence import reply_quality_train as rqt

DATA = Path(settings.SHARED_DATA_DIR) / "tipdm2020" / "messages_with_replies.csv"
needs_data = pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is not here (shared data beside the checkout)")


@pytest.fixture
def data_dir(tmp_path: Path, settings: object) -> Path:
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    rq.forget()
    return tmp_path


def _slice(tmp_path: Path, n: int = 400) -> Path:
    """Every 7th row: both explanation labels and some rollbear rows, small enough to train in seconds."""
    with DATA.open(encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        fields = reader.fieldnames or []
    keep = [r for i, r in enumerate(rows) if i % 7 == 0][:n] + [r for r in rows if r["rollbear_完整性"]][:30]
    out = tmp_path / "slice.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(keep)
    return out


@needs_data
def test_train_install_reload_and_eval(data_dir: Path, tmp_path: Path) -> None:
    data = _slice(tmp_path)
    model_file = tmp_path / "rq.joblib"
    call_command("reply_quality", "train", "--data", str(data), "--out", str(model_file))
    assert rq.load() is None  # nothing installed yet: the rules serve
    call_command("reply_quality", "install", "--model", str(model_file))
    first = rq.load()
    assert first is not None
    assert first.completeness_clf is not None
    assert rq.load() is first  # loaded once per process
    scored = rq.score("小区3号楼电梯停运一周无人维修。希望尽快修复。", "您的留言已收悉，已转相关部门处理。")
    assert (scored.learned, scored.weak) == (True, True)
    assert scored.explanation < 0.2
    stat = rq.model_path().stat()
    os.utime(rq.model_path(), (stat.st_atime, stat.st_mtime + 5))
    assert rq.load() is not first  # the file changed: reloaded
    out = io.StringIO()
    call_command("reply_quality", "eval", "--model", str(model_file), "--data", str(data), stdout=out)
    metrics = json.loads(out.getvalue())
    assert set(metrics) >= {"n", "ms_per_reply", "weak_share", "explanation", "completeness"}
    assert metrics["explanation"]["auc"] > 0.9


def test_bad_files_are_refused_with_the_reason(data_dir: Path, tmp_path: Path) -> None:
    no_reply = tmp_path / "no_reply.csv"
    no_reply.write_text("留言主题,留言详情\n路灯,路灯坏了\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少列 答复意见"):
        call_command("reply_quality", "train", "--data", str(no_reply), "--out", str(tmp_path / "m.joblib"))
    one_label = tmp_path / "one_label.csv"
    one_label.write_text("留言主题,留言详情,答复意见,syu_可解释性\n路灯,路灯坏了,已修复路灯,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="需要 0 和 1 两种标注"):
        call_command("reply_quality", "train", "--data", str(one_label), "--out", str(tmp_path / "m.joblib"))
    not_model = tmp_path / "junk.joblib"
    not_model.write_bytes(b"not a model")
    with pytest.raises(CommandError, match="cannot load"):
        call_command("reply_quality", "install", "--model", str(not_model))
    assert rq.load() is None


def test_a_broken_installed_model_falls_back_to_the_rules(data_dir: Path) -> None:
    rq.model_path().parent.mkdir(parents=True, exist_ok=True)
    rq.model_path().write_bytes(b"broken")
    scored = rq.score("路灯坏了，希望修复。", "您好，经现场核实，路灯已于今日修复。")
    assert scored.learned is False
    assert rqt.DataError is not None
