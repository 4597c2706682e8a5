"""Median latency of customer search over N customers, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/customer_search.py [--n 1000000] [--queries 200] [--skip-postgres]

Generates ``--n`` customers (valid resident ID numbers, mobile numbers, Chinese names drawn from
common surnames and given-name characters) straight into the ``customers`` table in batches —
the registration service would take hours for a million — then times
``customers.service.search_customers`` (the scoped, masked query the API runs, first page of 50)
by name prefix, name contains, ID number, phone, full pinyin ("zhangweiqiang") and pinyin
initials ("zwq") through ``by=auto``, ``--queries`` times each with random targets,
and reports the median and the 95th percentile in milliseconds. SQLite is a WAL file in a
temporary directory; PostgreSQL a throwaway cluster (tests/pg_cluster.py). Prints the figures and
writes benchmarks/results/customer_search.json. Never run as a test.

Indexes (migration 0003): ``name_key`` btree (a range on SQLite, LIKE with varchar_pattern_ops on
PostgreSQL) for prefixes; ``id_number`` and ``phone`` btrees; on PostgreSQL a pg_trgm GIN index on
``name_key``; and on both, ``customer_name_grams`` (every two-character piece of a name) for
"contains" — Chinese names are too short for trigrams. Migration 0005: ``name_pinyin`` and
``name_initials`` btrees (varchar_pattern_ops on PostgreSQL) for the pinyin prefixes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.customers import service as customers
from microlend.customers.model import name_bigrams, name_key, resident_id_check_char
from microlend.customers.pinyin_keys import pinyin_keys
from microlend.customers.tables import Customer, NameGram
from microlend.db.engine import create_engine_for
from microlend.db.migrate import upgrade_engine
from microlend.db.uow import SessionFactory, UnitOfWork, make_session_factory
from microlend.kernel.principal import Principal
from microlend.orgs import service as orgs

RESULTS = Path(__file__).resolve().parent / "results" / "customer_search.json"
NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DAY = date(2025, 3, 3)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰华飞鑫波斌宇浩凯健俊帆帅旭宁龙林"
    "欢阳建国志红梅玉婷雪琳晨辰雨萱子轩梓涵一诺佳怡欣然思源若曦博文天佑嘉懿煜城烨苑泽"
    "熠彤鸿煊霖祺智宸正豪昊立诚辉峻熙弘哲瀚鹏致远驰晟睿修洁黎昕航尧荣越瑾瑜皓擎苍渊楷"
    "瑞"
)
BATCH = 20_000


def identity(i: int) -> tuple[str, str, str]:
    """The i-th customer's name, resident ID number (valid check digit) and mobile number."""
    rng = random.Random(i)
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    born = date(1950, 1, 1) + timedelta(days=i % 20_000)
    body = f"{110101 + (i // 20_000) % 900:06d}{born:%Y%m%d}{(i // 18_000_000) % 1000:03d}"
    return name, body + resident_id_check_char(body), f"13{i:09d}"


def rows(n: int, *, group_id: int, company_id: int, offices: list[int]) -> Iterator[list[dict]]:  # type: ignore[type-arg]
    batch = []
    for i in range(n):
        name, number, phone = identity(i)
        spelled = pinyin_keys(name)
        batch.append(
            {
                "group_id": group_id,
                "company_id": company_id,
                "office_id": offices[i % len(offices)],
                "owner_id": None,
                "kind": "individual",
                "id_kind": "resident_id",
                "id_number": number,
                "name": name,
                "name_key": name_key(name),
                "name_pinyin": spelled[0],
                "name_initials": spelled[1],
                "phone": phone,
                "currency": "CNY",
                "held_since": DAY,
                "last_activity_on": DAY,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def prepare(url: str, n: int) -> tuple[SessionFactory, Principal]:
    engine = create_engine_for(url)
    upgrade_engine(engine)
    factory = make_session_factory(engine)
    with UnitOfWork(factory) as uow:
        company = orgs.found_company(
            uow, company_code="BENCH", company_name="Bench", business_date=DAY, now=NOW
        )
        actor = auth.system_principal(
            uow, company_id=company.id, permissions=frozenset(PERMISSIONS)
        )
        offices = [company.head_office_id or 0]
        for code in ("A", "B", "C"):
            office = orgs.create_office(
                uow, actor, parent_id=offices[0], code=code, name=f"Branch {code}", now=NOW
            )
            offices.append(office.id)  # type: ignore[union-attr]
        group_id = orgs.get_company(uow, actor, company_id=company.id).group_id
        uow.commit()
    started = time.perf_counter()
    with engine.begin() as connection:  # a fresh database: the i-th customer gets id i + 1
        for batch in rows(n, group_id=group_id, company_id=company.id, offices=offices):
            first_id = connection.execute(
                Customer.__table__.insert().returning(Customer.id), batch[:1]
            ).scalar_one()
            connection.execute(Customer.__table__.insert(), batch[1:])
            grams = [
                {"gram": gram, "customer_id": first_id + offset}
                for offset, row in enumerate(batch)
                for gram in name_bigrams(row["name_key"])
            ]
            connection.execute(NameGram.__table__.insert(), grams)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    print(f"  {n:,} customers generated in {time.perf_counter() - started:.0f} s", flush=True)
    return factory, actor


def timed(factory: SessionFactory, actor: Principal, queries: list[tuple[str, str]]) -> dict:  # type: ignore[type-arg]
    latencies: list[float] = []
    found = 0
    with UnitOfWork(factory, read_only=True) as uow:
        for q, by in queries:
            started = time.perf_counter()
            page = customers.search_customers(uow, actor, q=q, by=by, limit=50)
            latencies.append((time.perf_counter() - started) * 1000)
            found += bool(page.items)
    latencies.sort()
    return {
        "median_ms": round(statistics.median(latencies), 3),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 3),
        "hit_rate": round(found / len(queries), 3),
    }


def workloads(n: int, count: int) -> dict[str, list[tuple[str, str]]]:
    rng = random.Random(42)
    picks = [identity(rng.randrange(n)) for _ in range(count)]
    return {
        "name_prefix": [(name[:2], "name_prefix") for name, _, _ in picks],
        "name_contains": [(name[1:], "name_contains") for name, _, _ in picks],
        "id_number": [(number, "id_number") for _, number, _ in picks],
        "phone": [(phone, "phone") for _, _, phone in picks],
        "pinyin_full": [(pinyin_keys(name)[0], "auto") for name, _, _ in picks],
        "pinyin_initials": [(pinyin_keys(name)[1], "auto") for name, _, _ in picks],
    }


def measure(name: str, url: str, n: int, count: int) -> dict:  # type: ignore[type-arg]
    print(f"{name}:", flush=True)
    factory, actor = prepare(url, n)
    results = {}
    for mode, queries in workloads(n, count).items():
        timed(factory, actor, queries[:5])  # warm the caches
        results[mode] = timed(factory, actor, queries)
        print(
            f"  {mode:14} median {results[mode]['median_ms']:8.2f} ms   "
            f"p95 {results[mode]['p95_ms']:8.2f} ms",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()
    measured: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{os.path.join(directory, 'bench.db')}"
        measured["sqlite"] = measure("sqlite", url, options.n, options.queries)
    if not options.skip_postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.pg_cluster import PgCluster

        cluster = PgCluster().start()
        try:
            measured["postgres"] = measure("postgres", cluster.url(), options.n, options.queries)
        finally:
            cluster.stop()
    report = {
        "customers": options.n,
        "queries_per_mode": options.queries,
        "page_size": 50,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "results": measured,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
