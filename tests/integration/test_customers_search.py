"""Search by pinyin and by loan number, and the pinyin keys the migration computes for the
customers that existed before it (SQLite and PostgreSQL where a database is involved)."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from microlend.customers import extensions
from microlend.customers import service as customers
from microlend.customers.views import CustomerView
from microlend.db.migrate import alembic_config
from microlend.kernel.principal import Principal
from tests.seed import World

ZHANG, LI, WANG = "11010519491231002X", "440524188001010014", "110105194912310011"


def register(world: World, username: str, number: str, name: str, kind: str = "individual",
             **fields: object) -> int:  # fmt: skip
    with world.make_uow() as uow:
        view = customers.register_customer(uow, world.principal(username), kind=kind,
                                           id_number=number, name=name, now=world.now,
                                           **fields)  # fmt: skip
        uow.commit()
    assert isinstance(view, CustomerView)
    return view.id


def found(world: World, actor: Principal, q: str, by: str = "auto") -> list[int]:
    with world.make_uow(read_only=True) as uow:
        return [c.id for c in customers.search_customers(uow, actor, q=q, by=by).items]


def test_pinyin_finds_by_full_pinyin_and_initials(world: World) -> None:
    zhang = register(world, "officer_a", ZHANG, "张三")
    zeng = register(world, "officer_a", LI, "曾国藩")
    other = register(world, "officer_a", WANG, "李四")
    manager = world.principal("manager")
    assert found(world, manager, "zhangsan") == [zhang]
    assert found(world, manager, "Zhang San") == [zhang]  # case and blanks do not count
    assert found(world, manager, "zs") == [zhang]
    assert found(world, manager, "zgf") == found(world, manager, "zengguo") == [zeng]  # 曾: zeng
    assert found(world, manager, "z") == [zeng, zhang]  # newest first
    assert found(world, manager, "ls", by="pinyin") == [other]
    assert found(world, manager, "lisi") == [other]
    assert found(world, manager, "zhangsi") == []


def test_pinyin_search_keeps_to_the_scope(world: World) -> None:
    register(world, "officer_b", ZHANG, "张三")
    assert found(world, world.principal("officer_a"), "zs") == []


def test_a_renamed_customer_gets_new_pinyin(world: World) -> None:
    customer_id = register(world, "officer_a", ZHANG, "张三")
    with world.make_uow() as uow:
        customers.update_customer(uow, world.principal("officer_a"), customer_id=customer_id,
                                  changes={"name": "王五"}, now=world.now)  # fmt: skip
        uow.commit()
    manager = world.principal("manager")
    assert (found(world, manager, "zs"), found(world, manager, "ww")) == ([], [customer_id])


def test_a_loan_number_finds_its_customers_within_the_scope(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = register(world, "officer_a", ZHANG, "张三")
    theirs = register(world, "officer_b", LI, "李四")
    asked: list[str] = []

    def customers_by_number(uow: object, actor: object, *, number: str) -> list[int]:
        asked.append(number)
        return [mine, theirs] if number == "MLC-2025-0007" else []

    loans = types.SimpleNamespace(customers_by_number=customers_by_number)
    monkeypatch.setattr(extensions, "contributions", lambda: (loans,))
    assert found(world, world.principal("manager"), "MLC-2025-0007") == [theirs, mine]
    assert found(world, world.principal("officer_a"), "MLC-2025-0007") == [mine]
    assert found(world, world.principal("manager"), "MLC-2025-0008", by="loan_number") == []
    assert asked == ["MLC-2025-0007", "MLC-2025-0007", "MLC-2025-0008"]


def test_the_migration_computes_the_pinyin_of_existing_customers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0004")
    engine = create_engine(url)  # foreign keys not enforced: only the customers rows matter
    with engine.begin() as connection:
        for row_id, kind, name in ((1, "individual", "曾国藩"), (2, "enterprise", "重庆小贷")):
            connection.execute(text(
                "INSERT INTO customers (id, group_id, company_id, office_id, kind, id_kind, "
                "id_number, name, name_key, currency, created_at, updated_at) VALUES (:id, 1, 1, "
                "1, :kind, 'passport', :number, :name, :name, 'CNY', '2025-01-01 00:00:00', "
                "'2025-01-01 00:00:00')"), {"id": row_id, "kind": kind, "name": name,
                                            "number": f"P{row_id:08d}"})  # fmt: skip
    command.upgrade(alembic_config(url), "0005")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, name_pinyin, name_initials FROM customers ORDER BY id")
        ).all()
    engine.dispose()
    assert [tuple(row) for row in rows] == [
        (1, "zengguofan", "zgf"),
        (2, "chongqingxiaodai", "cqxd"),
    ]


def test_the_migrations_frozen_pinyin_agrees_with_the_live_one() -> None:
    import importlib.util

    from microlend.customers import pinyin_keys
    from microlend.db.migrate import MIGRATIONS

    spec = importlib.util.spec_from_file_location(
        "migration_0005", MIGRATIONS / "versions" / "0005_customers_pool.py"
    )
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.SURNAME_READINGS == pinyin_keys.SURNAME_READINGS
    assert migration.COMPOUND_SURNAMES == pinyin_keys.COMPOUND_SURNAMES
    for name, person in (("张三", True), ("欧阳 修", True), ("单雄信", True), ("单位食堂", False),
                         ("ＡＢＣ科技2号", False), ("Alice 王", True), ("吕布", True)):  # fmt: skip
        assert migration.pinyin_keys(name, person=person) == pinyin_keys.pinyin_keys(
            name, person=person
        )
