"""``fengqiao warning train [--horizon DAYS]`` · ``fengqiao warning backtest [--json] [--source city|baltimore]
[--horizon DAYS] [--split F]`` · ``fengqiao warning score [--all]``

``train`` fits the escalation model on every case snapshot whose horizon has ended and installs it
(``DATA_DIR/models/escalation.joblib``).  ``backtest`` trains on the earlier period and tests on the later
one, with a baseline measured on the same rows; ``--json`` prints one JSON line.  ``score`` scores the cases
that are due (as the periodic job does), or with ``--all`` every case that is not closed.  City-wide: the
command is the administrator's.  Definitions: docs/warning.md.
"""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.cases.models import Case
from fengqiao.cases.states import FINAL_STATES
from fengqiao.kit import clock
from fengqiao.warning import baltimore, data, services
from fengqiao.warning import model as escalation
from fengqiao.warning.features import HORIZON_DAYS, History


class Command(BaseCommand):
    help = "Escalation scores: train the model, backtest it (time split, with a baseline), score cases."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="operation", required=True)
        train = sub.add_parser("train", help="fit the model on the city's own outcomes and install it")
        train.add_argument("--horizon", type=int, default=HORIZON_DAYS, help="days after the snapshot (90)")
        test = sub.add_parser("backtest", help="train on the earlier period, test on the later one")
        test.add_argument("--json", action="store_true", help="print one JSON line")
        test.add_argument("--source", choices=["city", "baltimore"], default="city",
                          help="city: this database; baltimore: the real 311 sample in ../shared/data")
        test.add_argument("--horizon", type=int, default=HORIZON_DAYS, help="days after the snapshot (90)")
        test.add_argument("--split", type=float, default=0.5, help="where the time split falls (0–1, 0.5)")
        score = sub.add_parser("score", help="score the cases that are due (changed or never scored)")
        score.add_argument("--all", action="store_true", help="every case that is not closed")

    def handle(self, *args: Any, **options: Any) -> None:
        operation = options["operation"]
        if options.get("horizon") is not None and not 1 <= options["horizon"] <= 730:
            raise CommandError("--horizon：应为 1 到 730 天。")
        if operation == "train":
            self._train(options)
        elif operation == "backtest":
            self._backtest(options)
        else:
            self._score(options)

    def _train(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        history = History(data.everything())
        version = f"{clock.now():%Y%m%d%H%M}"
        try:
            found = escalation.train_all(history, clock.now().timestamp(), version, options["horizon"])
        except escalation.NotEnoughData as error:
            raise CommandError(f"无法训练：{error}") from None
        out = escalation.save(found)
        self.stderr.write(f"escalation: {found.figures['rows']} snapshots, {found.figures['escalated']} escalated, "
                          f"{time.perf_counter() - started:.1f} s → {out}")

    def _backtest(self, options: dict[str, Any]) -> None:
        if not 0.1 <= options["split"] <= 0.9:
            raise CommandError("--split：应在 0.1 到 0.9 之间。")
        started = time.perf_counter()
        if options["source"] == "baltimore":
            where = baltimore.find()
            if where is None:
                raise CommandError("Baltimore 311 数据不在 ../shared/data/baltimore311/：跳过。")
            records = baltimore.records(where)
            now = max(r.at for r in records) + 1
            base = "place_contacts"
        else:
            records = data.everything()
            now = clock.now().timestamp()
            base = "party_contacts"
        try:
            result = escalation.backtest(History(records), now, horizon_days=options["horizon"],
                                         split=options["split"], baseline=base)
        except escalation.NotEnoughData as error:
            raise CommandError(f"无法回测：{error}") from None
        result = {"source": options["source"], **result, "seconds": round(time.perf_counter() - started, 1)}
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        b = result["baseline"]
        self.stdout.write(f"{result['source']}: AUC {result['auc']} (baseline {b['auc']}), precision@100 "
                          f"{result['precision_at_100']} (baseline {b['precision_at_100']}), ECE "
                          f"{result['calibration_error']} (baseline {b['calibration_error']}); train "
                          f"{result['train_rows']} / test {result['test_rows']} rows, "
                          f"{result['test_escalated']} escalated in test")

    def _score(self, options: dict[str, Any]) -> None:
        if escalation.load() is None:
            raise CommandError("尚未安装激化预警模型：先运行 fengqiao warning train。")
        if options["all"]:
            history = History(data.everything())
            ids = list(Case.objects.exclude(status__in=[s.value for s in FINAL_STATES]).values_list("pk", flat=True))
            done = services.score_many(history, ids)
        else:
            done = services.score_due(limit=100_000)
        self.stdout.write(f"scored {done} cases")
