"""``microlend import customers``: every row checked first, bad rows named by line and field,
nothing imported while one is bad (unless --skip-bad), idempotent; CSV and XLSX written here."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from microlend.cli import app
from microlend.customers.tables import Customer
from tests.seed import World

# Resident IDs with check digits by hand (tests/unit/customers/test_identity.py); the USCC too.
ZHANG, LI, WANG, USCC = (
    "11010519491231002X",
    "440524188001010014",
    "110105194912310011",
    ("91350100M000100Y43"),
)
HEADER = "kind,id_number,name,phone,monthly_income,registered_capital\n"


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["import", "customers", *args],
                                env={"MICROLEND_DATABASE_URL": db_url})  # fmt: skip
    return result.exit_code, result.output


def customers_in(world: World) -> list[tuple[str, str, int | None]]:
    with world.make_uow(read_only=True) as uow:
        rows = uow.session.execute(select(Customer.name, Customer.id_number, Customer.owner_id)
                                   .order_by(Customer.id)).all()  # fmt: skip
    return [tuple(row) for row in rows]  # type: ignore[misc]


def write_csv(path: Path, body: str) -> Path:
    path.write_text(HEADER + body, encoding="utf-8-sig")
    return path


def test_a_bad_row_stops_the_import_and_is_named(db_url: str, world: World, tmp_path: Path) -> None:
    file = write_csv(tmp_path / "c.csv", f"individual,{ZHANG},张三,13912345678,8000,\n"
                     f"individual,110105194912310021,李四,,,\n"  # wrong check digit
                     f"个人,{LI},王五,123,,\n"  # bad phone
                     f"enterprise,{USCC},某某科技有限公司,,,1000000\n")  # fmt: skip
    code, output = run(db_url, str(file), "--company", "MLC")
    assert code == 1
    assert "line 3: id_number: the resident ID number's check digit is wrong" in output
    assert "line 4: phone: a mobile number has 11 digits and starts with 13 to 19" in output
    assert "2 bad rows: nothing imported" in output
    assert customers_in(world) == []


def test_skip_bad_imports_the_good_rows_and_rerunning_imports_nothing(
    db_url: str, world: World, tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "c.csv", f"individual,{ZHANG},张三,13912345678,8000,\n"
                     f"individual,{ZHANG},张三,,,\n"  # the same identity twice
                     f"enterprise,{USCC},某某科技有限公司,,,1000000\n")  # fmt: skip
    code, output = run(db_url, str(file), "--company", "MLC", "--as", "officer_a", "--skip-bad")
    assert code == 0, output
    assert "line 3: id_number: the same identity as line 2" in output
    assert output.endswith("imported 2, already registered 0, bad 1\n")
    officer = world.user_ids["officer_a"]
    assert customers_in(world) == [("张三", ZHANG, officer), ("某某科技有限公司", USCC, officer)]
    code, output = run(db_url, str(file), "--company", "MLC", "--as", "officer_a", "--skip-bad")
    assert output.endswith("imported 0, already registered 2, bad 1\n")
    assert len(customers_in(world)) == 2


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_an_xlsx_with_chinese_headers_is_imported(
    db_url: str, world: World, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["客户类型", "证件号码", "姓名", "手机号", "月收入"])
    sheet.append(["个人", WANG, "王五", 13912345678, 9000])  # numbers as Excel keeps them
    sheet.append([None, None, None, None, None])  # a blank row is ignored
    sheet.append(["个人", LI, "李四", None, None])
    book.save(tmp_path / "c.xlsx")
    code, output = run(db_url, str(tmp_path / "c.xlsx"), "--company", "MLC", "--office", "A")
    assert (code, output) == (0, "imported 2, already registered 0, bad 0\n")
    with world.make_uow(read_only=True) as uow:
        office_ids = set(uow.session.scalars(select(Customer.office_id)))
        incomes = uow.session.scalar(select(func.sum(Customer.monthly_income_minor)))
    assert office_ids == {world.offices["a"]} and incomes == 900000  # 9000.00 CNY in fen
    assert [row[2] for row in customers_in(world)] == [None, None]  # no --as: in the pool


def test_an_unknown_column_is_refused(db_url: str, world: World, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(f"id_number,name,colour\n{ZHANG},张三,red\n")
    code, output = run(db_url, str(tmp_path / "c.csv"))
    assert code == 2 and "unknown column 'colour'" in output
