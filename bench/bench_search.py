"""How fast is resident search on a street office's register?

Builds (once, cached in bench/out/) a SQLite register of N residents with
valid ID numbers, Chinese names, pinyin initials and phones, then times
``services.registry.search_residents`` for every kind of query the counter
sees: full ID number, last 4 and last 6 characters, name, pinyin initials and
phone. Prints median, 95th and 99th percentiles per kind and overall.

    .venv/bin/python bench/bench_search.py [--residents 300000] [--queries 2000]

Target (issue 2): 95 % of searches under 5 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from db.engine import Database  # noqa: E402
from db.migrate import upgrade_database  # noqa: E402
from db.models import Office, Resident, Village  # noqa: E402
from services.idcard import check_character  # noqa: E402
from services.registry import name_initials, search_residents  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉珍凤华建国志强伟芳娜敏静丽军磊洋勇艳杰娟涛明超霞平刚燕辉玲桂香鹏飞红梅丹文博宇浩然欣怡子涵雨轩思琪佳怡俊杰晓东海燕春生冬梅德胜福贵"
AREAS = ["120221", "120222", "120223", "500233", "500101"]


def build_register(path: Path, residents: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    db = Database(f"sqlite:///{path}")
    upgrade_database(db)
    now = dt.datetime(2023, 10, 10, 9, 0)
    with db.write() as s:
        office = Office(
            code="BENCH",
            name="芦台街道办事处",
            level="street_office",
            policy_key="tianjin-2024",
            receipt_prefix="LT",
            deposit_days=5,
            deposit_limit_fen=1_000_000,
            payment_link_template="",
            payment_instructions="",
            address="",
            phone="",
            printer_name="",
            created_at=now,
        )
        s.add(office)
        s.flush()
        villages = []
        for i in range(40):
            v = Village(office_id=office.id, name=f"第{i + 1}村", active=True)
            s.add(v)
            villages.append(v)
        s.flush()
        office_id, village_ids = office.id, [v.id for v in villages]
    used: set[str] = set()
    batch: list[dict[str, object]] = []
    t0 = time.perf_counter()
    while len(used) < residents:
        birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 32000))
        body = f"{rng.choice(AREAS)}{birth:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + check_character(body)
        if number in used:
            continue
        used.add(number)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        batch.append(
            dict(
                id_number=number,
                id_tail=number[-4:],
                name=name,
                name_initials=name_initials(name),
                sex="M" if int(number[16]) % 2 else "F",
                birth_date=birth,
                document_type="居民身份证",
                phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                address="",
                household_no="",
                village_id=rng.choice(village_ids),
                office_id=office_id,
                created_at=now,
                created_by=None,
            )
        )
        if len(batch) == 20_000:
            with db.write() as s:
                s.execute(insert(Resident), batch)
            batch.clear()
    if batch:
        with db.write() as s:
            s.execute(insert(Resident), batch)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(f"built register of {residents:,} residents in {time.perf_counter() - t0:.1f} s")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"register-{args.residents}.sqlite3"
    if not path.exists():
        build_register(path, args.residents)
    db = Database(f"sqlite:///{path}")
    rng = random.Random(11)
    with db.read() as s:
        total = s.scalar(select(func.count(Resident.id)))
        sample = s.execute(
            select(Resident.id_number, Resident.name, Resident.name_initials, Resident.phone)
            .where(Resident.id % 97 == 0)
            .limit(5_000)
        ).all()
    kinds = {
        "full ID number": lambda r: r.id_number,
        "last 4 characters": lambda r: r.id_number[-4:],
        "last 6 characters": lambda r: r.id_number[-6:],
        "name": lambda r: r.name,
        "surname only": lambda r: r.name[0],
        "pinyin initials": lambda r: r.name_initials,
        "phone": lambda r: r.phone,
    }
    timings: dict[str, list[float]] = {k: [] for k in kinds}
    with db.read() as s:
        search_residents(s, "warm-up")
        for i in range(args.queries):
            kind = list(kinds)[i % len(kinds)]
            query = kinds[kind](rng.choice(sample))
            t = time.perf_counter()
            results = search_residents(s, query)
            timings[kind].append((time.perf_counter() - t) * 1000)
            assert results, f"{kind} {query!r} found nothing"
    print(f"search on {total:,} residents, {args.queries} queries (ms)")
    print(f"{'kind':<20}{'median':>8}{'p95':>8}{'p99':>8}{'max':>8}")

    def row(label: str, values: list[float]) -> None:
        q = statistics.quantiles(values, n=100)
        print(
            f"{label:<20}{statistics.median(values):8.2f}{q[94]:8.2f}{q[98]:8.2f}{max(values):8.2f}"
        )

    for kind, values in timings.items():
        row(kind, values)
    row("all", [v for values in timings.values() for v in values])
    db.dispose()


if __name__ == "__main__":
    main()
