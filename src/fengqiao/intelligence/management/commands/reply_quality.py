"""``fengqiao reply_quality train | eval | install``: the reply quality model from a labelled CSV.

train   --data CSV --out MODEL          fit on every row (syu_可解释性, rollbear_完整性 where present)
eval    --data CSV [--model MODEL]      one JSON line: the model on the file, or (no --model) k-fold CV of
                                        each score beside its baseline on the same folds
install --model MODEL                   copy to DATA_DIR/models/reply_quality.joblib (temp name + rename)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import joblib
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.intelligence import reply_quality as rq
from fengqiao.intelligence import reply_quality_train as rqt


class Command(BaseCommand):
    help = "训练、评估答复质量模型（reply_quality train / eval / install）。"

    def add_arguments(self, parser: CommandParser) -> None:
        subs = parser.add_subparsers(dest="operation", required=True)
        train = subs.add_parser("train", help="train from a CSV of messages with replies")
        train.add_argument("--data", required=True)
        train.add_argument("--out", required=True)
        ev = subs.add_parser("eval", help="one JSON line of metrics")
        ev.add_argument("--data", required=True)
        ev.add_argument("--model", default="", help="a trained model; without it, k-fold CV")
        ev.add_argument("--folds", type=int, default=5)
        inst = subs.add_parser("install", help="install a trained model for the web and workers")
        inst.add_argument("--model", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            {"train": self._train, "eval": self._eval, "install": self._install}[options["operation"]](options)
        except (rqt.DataError, FileNotFoundError) as e:
            raise CommandError(str(e)) from e

    def _train(self, options: dict[str, Any]) -> None:
        rows = rqt.read_csv(options["data"])
        model = rqt.train(rows)
        out = Path(options["out"])
        _save(model, out)
        self.stderr.write(f"trained on {len(rows)} replies in {model.meta['train_seconds']} s → {out}")

    def _eval(self, options: dict[str, Any]) -> None:
        rows = rqt.read_csv(options["data"])
        if options["model"]:
            model = _load(options["model"])
            payload = rqt.evaluate(model, rows)
        else:
            if not 2 <= options["folds"] <= 20:
                raise CommandError("--folds: 2 到 20 之间")
            payload = rqt.measure(rows, options["folds"])
        self.stdout.write(json.dumps(payload, ensure_ascii=False))

    def _install(self, options: dict[str, Any]) -> None:
        _load(options["model"])  # refuse anything that is not a reply quality model
        target = rq.model_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(fd)
        shutil.copyfile(options["model"], tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        rq.forget()
        self.stderr.write(f"installed → {target}")


def _load(path: str) -> rq.ReplyQualityModel:
    try:
        model = joblib.load(path)
    except Exception as e:  # joblib/pickle raise anything on a file that is not one of theirs
        raise CommandError(f"--model: cannot load {path} ({type(e).__name__}: {e})") from e
    if not isinstance(model, rq.ReplyQualityModel):
        raise CommandError(f"--model: {path} is not a reply quality model")
    return model


def _save(model: rq.ReplyQualityModel, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    os.close(fd)
    joblib.dump(model, tmp, compress=3)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)
