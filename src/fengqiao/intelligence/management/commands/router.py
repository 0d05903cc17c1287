"""``fengqiao router train | eval | cv | export | train-demo``: routing models from labelled CSV files.

train  --data CSV --text-col C[,C2] --label-col L [--extra-cols A,B] --out MODEL
eval   --model MODEL --data CSV --text-col C --label-col L [--extra-cols A,B]   → one JSON line
cv     --data CSV --text-col C --label-col L [--extra-cols A,B] [--folds 5]   → one JSON line (ours + baseline)
export --what category|unit --out CSV                                         closed cases as labelled rows
train-demo [--limit N]                        category and lead-unit models from the database's closed cases
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

import joblib
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.intelligence import router, training


def _data_args(sub: CommandParser) -> None:
    sub.add_argument("--data", required=True, help="labelled CSV (UTF-8, UTF-8 with BOM, or GB18030)")
    sub.add_argument("--text-col", required=True, help="text column; several joined: 留言主题,留言详情")
    sub.add_argument("--label-col", required=True, help="label column")
    sub.add_argument("--extra-cols", default="", help="categorical columns, e.g. district,street")


class Command(BaseCommand):
    help = "训练、评估分类与分拨模型（router train / eval / cv / export / train-demo）。"

    def add_arguments(self, parser: CommandParser) -> None:
        subs = parser.add_subparsers(dest="operation", required=True)
        train = subs.add_parser("train", help="train a model from a CSV file")
        _data_args(train)
        train.add_argument("--out", required=True, help="where to write the model (.joblib)")
        ev = subs.add_parser("eval", help="evaluate a model on a CSV file (one JSON line)")
        ev.add_argument("--model", required=True)
        _data_args(ev)
        cv = subs.add_parser("cv", help="k-fold cross-validation, ours and a TF-IDF + LinearSVC baseline")
        _data_args(cv)
        cv.add_argument("--folds", type=int, default=5)
        cv.add_argument("--no-baseline", action="store_true")
        export = subs.add_parser("export", help="closed cases as a labelled CSV")
        export.add_argument("--what", choices=["category", "unit"], required=True)
        export.add_argument("--out", required=True)
        export.add_argument("--limit", type=int, default=None, help="newest N cases only")
        demo = subs.add_parser("train-demo", help="install category and unit models from closed cases")
        demo.add_argument("--limit", type=int, default=30_000, help="newest N closed cases (default 30000)")
        demo.add_argument("--if-missing", action="store_true",
                          help="only the models that are not installed yet (scripts/demo runs it at every start)")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {"train": self._train, "eval": self._eval, "cv": self._cv, "export": self._export,
                   "train-demo": self._train_demo}[options["operation"]]
        try:
            handler(options)
        except training.DataError as e:
            raise CommandError(str(e)) from e

    def _read(self, options: dict[str, Any]) -> training.Dataset:
        return training.read_csv(options["data"], options["text_col"], options["label_col"],
                                 options["extra_cols"])

    def _json(self, payload: dict[str, Any]) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False))

    def _train(self, options: dict[str, Any]) -> None:
        data = self._read(options)
        model = training.train(data)
        out = Path(options["out"])
        _save(model, out)
        self.stderr.write(f"trained on {len(data.texts)} rows ({data.skipped} skipped), {len(model.labels)} "
                          f"labels, {model.meta['features']} features in {model.meta['train_seconds']} s → {out}")

    def _eval(self, options: dict[str, Any]) -> None:
        try:
            model = joblib.load(options["model"])
        except (OSError, EOFError) as e:
            raise CommandError(f"--model: cannot load {options['model']} ({e})") from e
        if not isinstance(model, router.RouterModel):
            raise CommandError(f"--model: {options['model']} is not a router model")
        data = self._read(options)
        if data.extra_cols != list(model.config.extra_cols):
            raise CommandError(f"--extra-cols: the model was trained with {list(model.config.extra_cols)}")
        self._json(training.evaluate(model, data))

    def _cv(self, options: dict[str, Any]) -> None:
        if options["folds"] < 2:
            raise CommandError("--folds: at least 2")
        self._json(training.cross_validate(self._read(options), options["folds"],
                                           with_baseline=not options["no_baseline"]))

    def _export(self, options: dict[str, Any]) -> None:
        rows = training.case_rows(options["what"], limit=options["limit"])
        training.write_rows(rows, options["out"])
        self.stderr.write(f"{len(rows)} rows → {options['out']}")

    def _train_demo(self, options: dict[str, Any]) -> None:
        for what in router.MODEL_NAMES:
            if options.get("if_missing") and (router.models_dir() / f"{what}.joblib").exists():
                self.stderr.write(f"{what}: already installed — kept")
                continue
            started = time.perf_counter()
            rows = training.case_rows(what, limit=options["limit"])
            data = training.rows_dataset(rows, training.DEMO_EXTRAS[what])
            if len(set(data.labels)) < 2:
                self.stderr.write(f"{what}: not enough closed cases to train ({len(rows)} rows) — skipped")
                continue
            model = training.train(data)
            out = router.models_dir() / f"{what}.joblib"
            _save(model, out)
            self.stderr.write(f"{what}: {len(data.texts)} cases, {len(model.labels)} labels, "
                              f"{time.perf_counter() - started:.1f} s → {out}")
        router.forget()


def _save(model: router.RouterModel, out: Path) -> None:
    """Write next to the target and rename, so a serving process never loads half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, suffix=".tmp", delete=False) as fh:
        tmp = Path(fh.name)
    try:
        joblib.dump(model, tmp, compress=3)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
