"""What a bank file would do (``batch_preview``) and how it is read (``batch_file``): scoped and
permission-checked like the posting, nothing written, failed debits skipped, the file's line put
back into a refusal of the lines posted."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from microlend.kernel.errors import Forbidden, NotFound, ValidationFailed
from microlend.kernel.principal import DataScope
from microlend.loans import tables
from microlend.loans.batch_file import renumber, rows_of, succeeded, text_of
from microlend.loans.batch_preview import preview_repayments
from tests.integration.loans_support import disbursed, set_business_date
from tests.seed import World


def test_a_file_is_read_by_its_header_whatever_the_case_and_the_other_columns() -> None:
    text = (
        "\ufeffAccount, Loan_Number ,AMOUNT,status\n"
        "6222,DK1, 100.00 ,成功\n"
        "\n"
        "6223,DK2,200.00,余额不足\n"
        "6224,DK3,300.00\n"
    )
    rows = rows_of(text)
    assert rows == [
        {"loan_number": "DK1", "amount": "100.00", "status": "成功"},
        {"loan_number": "DK2", "amount": "200.00", "status": "余额不足"},
        {"loan_number": "DK3", "amount": "300.00", "status": ""},
    ]
    assert [succeeded(row) for row in rows] == [True, False, True]
    assert all(succeeded({"status": word}) for word in ("SUCCESS", "Ok", " 成功 ", ""))
    again = rows_of(text_of(rows))
    assert [{k: v for k, v in row.items() if v} for row in again] == [
        {k: v for k, v in row.items() if v} for row in rows
    ]
    with pytest.raises(ValidationFailed) as caught:
        rows_of("loan_number,amount\n" + "DK1,1\n" * 3, limit=2)
    assert caught.value.field == "file" and caught.value.params == {"limit": 2}


def test_a_refusal_is_renumbered_to_the_files_line() -> None:
    error = NotFound("no loan")
    error.add_note("line 2")
    error.extra.update(line=2, first_line=1)
    renumber(error, [1, 3, 5])  # lines 2 and 4 of the file were skipped
    assert error.__notes__ == ["line 3"] and error.extra == {"line": 3, "first_line": 1}


def test_the_preview_is_scoped_permission_checked_and_writes_nothing(world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    rows = [{"loan_number": loan.number, "amount": "100.00", "external_reference": "P-1"}]
    with world.make_uow() as uow:
        found = preview_repayments(uow, world.principal("finance"), rows)
        written = len(uow.session.new) + len(uow.session.dirty)
    [line] = found.lines
    assert line.loan is not None and line.loan.borrower == "李四" and not line.problems
    assert found.ready and written == 0
    assert found.items() == [{**rows[0], "value_date": "", "channel": ""}]
    branch_b = replace(
        world.principal("finance"),
        scope=DataScope.OFFICE,
        office_ids=frozenset({world.offices["b"]}),
    )
    with world.make_uow() as uow:
        hidden = preview_repayments(uow, branch_b, rows)
    assert hidden.lines[0].loan is None and not hidden.ready
    assert hidden.lines[0].problems[0].template == "line %(number)s: no loan %(loan_number)s"
    with world.make_uow() as uow, pytest.raises(Forbidden):
        preview_repayments(uow, world.principal("auditor"), rows)
    with world.make_uow(read_only=True) as uow:
        events = uow.session.scalar(select(func.count()).select_from(tables.LoanEvent))
    assert events == 1  # the disbursement
