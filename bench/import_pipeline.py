"""Import N generated hotline rows through the whole intake pipeline, on SQLite and PostgreSQL.

Pipeline = parse (CSV) → validate → classify (router, when a model is installed) → locate (point → grid;
gazetteer for address-only rows) → write (cases, encrypted parties, chained register events, checkpoint)
→ duplicate index (when the dedup module is present), in batches of 1,000 rows per transaction.
Baseline, same run, same database: the same rows' 12 text columns bulk-inserted into a bare table —
``executemany`` on SQLite, ``COPY`` on PostgreSQL.  Ratio = pipeline rows/s ÷ baseline rows/s.
Peak memory = the process's max RSS (resource.getrusage), which must stay under 1 GB (the rows stream).

    uv run python bench/import_pipeline.py [--engine sqlite|postgres|both] [--rows 1000000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from _db import emit, fresh_database, run_per_engine, setup_django

HEADER = ["工单编号", "标题", "诉求内容", "分类编码", "紧急程度", "事发地址", "经度", "纬度", "来电时间", "来电人",
          "来电号码", "身份证号"]
PLACES = ["东风路", "海陵北路", "鼓楼南路", "五一路", "青年路", "凤凰路", "迎春路", "江洲路"]
SUBJECTS = [("噪声扰民", "夜间施工噪声扰民，影响休息，请求相关部门处理。", "0201"),
            ("物业服务差", "小区物业长期不打扫楼道，垃圾堆积，业主多次反映无果。", "010101"),
            ("路灯不亮", "路段路灯已经坏了一个多星期，晚上出行不安全，希望尽快维修。", "0101"),
            ("占道经营", "商户长期占用人行道经营，行人只能走机动车道，存在安全隐患。", "01"),
            ("污水外溢", "小区门口下水道堵塞，污水外溢，气味难闻，请尽快疏通。", "02")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def generate(path: Path, rows: int, points: list[tuple[float, float]], seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            title, text, code = SUBJECTS[rng.randrange(len(SUBJECTS))]
            lng, lat = points[rng.randrange(len(points))]
            place = f"{PLACES[rng.randrange(len(PLACES))]}{rng.randint(1, 300)}号"
            day = i * 336 // max(rows, 1)
            when = f"2024-{1 + day // 28:02d}-{1 + day % 28:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
            phone = f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"
            writer.writerow([
                f"HL{i:08d}", f"{title}（{place}）", f"{place}{text}来电编号{i}。", code,
                "紧急" if rng.random() < 0.1 else "一般", place,
                f"{lng + rng.uniform(-0.004, 0.004):.6f}", f"{lat + rng.uniform(-0.004, 0.004):.6f}",
                when, SURNAMES[rng.randrange(len(SURNAMES))] + "先生", phone, "",
            ])


def baseline(path: Path, engine: str) -> float:
    """Seconds to bulk-insert the same rows as plain text into a bare table."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw (" + ", ".join(f"c{i} text" for i in range(12)) + ")")
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle, transaction.atomic():
        reader = csv.reader(handle)
        next(reader)
        if engine == "postgres":
            raw = connection.connection  # psycopg 3
            with raw.cursor() as cursor, cursor.copy("COPY bench_raw FROM STDIN") as copy:
                for row in reader:
                    copy.write_row(row)
        else:
            with connection.cursor() as cursor:
                while chunk := [row for _, row in zip(range(10_000), reader, strict=False)]:
                    cursor.executemany("INSERT INTO bench_raw VALUES (" + ", ".join(["%s"] * 12) + ")", chunk)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", default="both", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="default: the pipeline's own choice")
    args = parser.parse_args()
    if args.engine == "both":
        extra = ["--rows", str(args.rows), "--batch", str(args.batch)]
        if args.workers:
            extra += ["--workers", str(args.workers)]
        return run_per_engine(__file__, ["sqlite", "postgres"], extra)
    setup_django(fresh_database(args.engine, "import"))

    from tests.factories import build_city

    from fengqiao.cases.models import Case, CaseEvent
    from fengqiao.intake import enrich, mapping, pipeline, services

    city = build_city()
    path = Path(tempfile.mkdtemp(prefix="fq-import-")) / "hotline.csv"
    started = time.perf_counter()
    generate(path, args.rows, [city.point_in(i) for i in range(len(city.grids))])
    generated = time.perf_counter() - started
    raw, _ = mapping.load("hotline_12345")
    job, _ = services.start_job(city.users["operator"], "hotline_12345", path, raw)
    started = time.perf_counter()
    workers = args.workers or pipeline.default_workers(args.rows, args.batch)
    job = pipeline.run_job(job.pk, batch_size=args.batch, workers=workers)
    elapsed = time.perf_counter() - started
    assert job.created == args.rows == Case.objects.count() == CaseEvent.objects.count(), job.message
    base = baseline(path, args.engine)
    rss_mb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    enrichers = {name: enrich._function(module, fn) is not None for name, module, fn in [
        ("classify", "fengqiao.intelligence.router", "suggest_many"),
        ("locate", "fengqiao.intake.gazetteer", "locate_many"),
        ("dedup_index", "fengqiao.intelligence.dedup", "index_new")]}
    emit({
        "bench": "import_pipeline", "engine": args.engine, "rows": args.rows, "batch": args.batch, "workers": workers,
        "created": job.created, "failed": job.failed, "seconds": round(elapsed, 1),
        "rows_per_s": round(args.rows / elapsed, 1), "peak_rss_mb": round(rss_mb, 1),
        "baseline": "executemany" if args.engine == "sqlite" else "COPY",
        "baseline_rows_per_s": round(args.rows / base, 1), "ratio_to_baseline": round(base / elapsed, 4),
        "generate_s": round(generated, 1), "enrichers_present": enrichers,
        "note": "classify runs only for rows without a category (none here); the router needs a trained model",
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
