"""Balances kept at the end of closed months: reports read them instead of the lines before
them, and say exactly what they said from every line; a reopen takes them back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from microlend.accounting import service as ledger
from microlend.accounting.tables import LedgerAccount, LedgerPeriodBalance
from microlend.kernel.principal import Principal
from tests.ledger_support import closing_balances, event, post
from tests.seed import World

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)


def _history(world: World) -> None:
    """Lines in January, on the last day of February and in March, at three offices."""
    finance = world.principal("finance")
    for posted in (
        event(world, "disbursement", "d:1", date(2025, 1, 2), principal="10000"),
        event(world, "fee_charge", "f:1", date(2025, 1, 31), office="a", fee="30"),
        event(world, "interest_accrual", "i:1", date(2025, 2, 10), office="a1", interest="80"),
        event(world, "fee_charge", "f:2", date(2025, 2, 28), office="b", fee="7"),
        event(world, "interest_accrual", "i:2", date(2025, 3, 1), interest="12"),
        event(world, "fee_charge", "f:3", date(2025, 3, 2), office="a", fee="5"),
    ):
        post(world, finance, posted)


def _reports(world: World) -> dict[str, Any]:
    """What the reports say over windows on both sides of the months' ends."""
    finance = world.principal("finance")
    windows = [
        (JAN, date(2025, 1, 31)),
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2025, 2, 10), date(2025, 3, 3)),
        (date(2025, 2, 28), date(2025, 2, 28)),
        (MAR, date(2025, 3, 3)),
        (date(2025, 3, 2), date(2025, 3, 2)),
    ]
    out: dict[str, Any] = {}
    with world.make_uow(read_only=True) as uow:
        for first, last in windows:
            out[f"tb {first} {last}"] = closing_balances(uow, finance, first, last)
            report = ledger.trial_balance(uow, finance, date_from=first, date_to=last)
            out[f"rows {first} {last}"] = report.rows
            branch = ledger.trial_balance(
                uow, finance, date_from=first, date_to=last, office_id=world.offices["a"]
            )
            out[f"a {first} {last}"] = branch.rows
            out[f"1221 {last}"] = _balance(uow, finance, "1221", last)
            out[f"sheet {last}"] = ledger.balance_sheet(uow, finance, as_of=last)
        group = world.principal("group_auditor")
        out["group"] = closing_balances(uow, group, FEB, date(2025, 3, 3), consolidated=True)
    return out


def _balance(uow: Any, actor: Principal, code: str, day: date) -> Decimal:
    return ledger.account_balance(uow, actor, code=code, as_of=day)


def _close(world: World, *periods: str) -> None:
    finance = world.principal("finance")
    with world.make_uow() as uow:
        for period in periods:
            ledger.close_period(uow, finance, period=period, now=world.now)
        uow.commit()


def _kept(world: World) -> dict[tuple[str, str, int], int]:
    """(period, account code, office) -> kept balance in minor units."""
    with world.make_uow(read_only=True) as uow:
        rows = uow.session.execute(
            select(
                LedgerPeriodBalance.period,
                LedgerAccount.code,
                LedgerPeriodBalance.office_id,
                LedgerPeriodBalance.balance_minor,
            ).join(LedgerAccount, LedgerAccount.id == LedgerPeriodBalance.account_id)
        ).all()
    return {(period, code, office): balance for period, code, office, balance in rows}


def test_the_reports_say_the_same_from_kept_balances_as_from_every_line(world: World) -> None:
    _history(world)
    from_lines = _reports(world)
    _close(world, "2025-01", "2025-02")
    kept = _kept(world)
    hq, a, a1, b = (world.offices[key] for key in ("hq", "a", "a1", "b"))
    # January: the loan paid out at head office, the fee charged at branch A (by hand)
    assert kept[("2025-01", "130301", hq)] == 1_000_000
    assert kept[("2025-01", "6021", a)] == -3_000
    assert ("2025-01", "6021", b) not in kept
    # February carries January forward and adds its own month
    assert kept[("2025-02", "130301", hq)] == 1_000_000
    assert kept[("2025-02", "6021", a)] == -3_000
    assert kept[("2025-02", "6021", b)] == -700
    assert sum(v for (p, code, office), v in kept.items() if p == "2025-02" and office == a1) == 0
    assert _reports(world) == from_lines
    assert _problems(world) == []

    admin = world.principal("admin")
    with world.make_uow() as uow:
        ledger.reopen_period(uow, admin, period="2025-02", reason="late invoice", now=world.now)
        uow.commit()
    assert {period for period, _, _ in _kept(world)} == {"2025-01"}
    assert _reports(world) == from_lines


def test_a_report_after_a_closed_month_reads_its_kept_balances(world: World) -> None:
    """A kept balance changed behind the ledger's back (never done but here) shows in every report
    after its month, and in none that starts within it or before it: those after read it instead
    of the month's lines."""
    _history(world)
    _close(world, "2025-01")
    finance = world.principal("finance")
    with world.make_uow() as uow:
        account = uow.session.scalar(
            select(LedgerAccount.id).where(
                LedgerAccount.company_id == world.company_id, LedgerAccount.code == "6021"
            )
        )
        uow.session.execute(
            update(LedgerPeriodBalance)
            .where(LedgerPeriodBalance.account_id == account)
            .values(balance_minor=LedgerPeriodBalance.balance_minor - 100)
        )
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        after = _fees(uow, finance, FEB, date(2025, 2, 28))
        within = _fees(uow, finance, date(2025, 1, 31), date(2025, 2, 28))
        fee = _balance(uow, finance, "6021", date(2025, 2, 28))
    assert after == (Decimal("31.00"), Decimal("38.00"))  # 30.00 and the 1.00 changed; 7.00
    assert within == (Decimal("0.00"), Decimal("37.00"))  # January's lines from the 31st read
    assert fee == Decimal("-38.00")
    differ = "2025-01: 1 kept balance(s) differ from the lines"
    assert _problems(world) == [("kept_balance", differ)]


def _problems(world: World) -> list[tuple[str, str]]:
    """What ``ledger check`` finds."""
    with world.make_uow(read_only=True) as uow:
        found = ledger.check_ledger(uow, world.principal("finance"))
    return [(problem.kind, problem.message) for problem in found]


def _fees(uow: Any, actor: Principal, first: date, last: date) -> tuple[Decimal, Decimal]:
    """Fee income (6021): its opening and closing credit balance."""
    report = ledger.trial_balance(uow, actor, date_from=first, date_to=last)
    row = next(row for row in report.rows if row.code == "6021")
    return row.opening_credit, row.closing_credit


def test_a_month_closed_without_kept_balances_is_read_from_its_lines(world: World) -> None:
    """Months closed before the balances were kept (migration 0029) have none: the next close
    sums every line up to its end, and reports read the lines back to the first."""
    _history(world)
    _close(world, "2025-01")
    with world.make_uow() as uow:
        uow.session.execute(LedgerPeriodBalance.__table__.delete())
        uow.commit()
    from_lines = _reports(world)
    _close(world, "2025-02")
    assert {period for period, _, _ in _kept(world)} == {"2025-02"}
    assert _kept(world)[("2025-02", "6021", world.offices["a"])] == -3_000
    assert _reports(world) == from_lines


def _year_close(world: World, *, keep: bool) -> set[tuple[str, str, str, int]]:
    """The lines of 2025's closing voucher: (code, side, amount, office), committed if ``keep``."""
    with world.make_uow() as uow:
        voucher = ledger.close_year(uow, world.principal("finance"), year=2025, now=world.now)
        assert isinstance(voucher, ledger.VoucherView)
        if keep:
            uow.commit()
    return {(ln.account_code, ln.side, str(ln.amount), ln.office_id) for ln in voucher.lines}


def test_the_year_end_close_reads_the_kept_balances(world: World) -> None:
    """Income by hand: fees of 30.00 (January) and 5.00 (March) at branch A and 7.00
    (February) at B; interest of 80.00 (February) at A1 and 12.00 (March) at head office. Each
    is debited out to 4103, and each office's profit carried from 4103 to 4104. With January
    and February closed, the close reads their kept balances: one changed behind the ledger's
    back changes the voucher."""
    _history(world)
    _close(world, "2025-01", "2025-02")
    hq, a, a1, b = (world.offices[key] for key in ("hq", "a", "a1", "b"))
    expected = {
        ("6021", "D", "35.00", a), ("4103", "C", "35.00", a),
        ("6021", "D", "7.00", b), ("4103", "C", "7.00", b),
        ("6011", "D", "80.00", a1), ("4103", "C", "80.00", a1),
        ("6011", "D", "12.00", hq), ("4103", "C", "12.00", hq),
        ("4103", "D", "35.00", a), ("4104", "C", "35.00", a),
        ("4103", "D", "7.00", b), ("4104", "C", "7.00", b),
        ("4103", "D", "80.00", a1), ("4104", "C", "80.00", a1),
        ("4103", "D", "12.00", hq), ("4104", "C", "12.00", hq),
    }  # fmt: skip
    assert _year_close(world, keep=False) == expected
    with world.make_uow() as uow:
        fees = select(LedgerAccount.id).where(
            LedgerAccount.company_id == world.company_id, LedgerAccount.code == "6021"
        )
        uow.session.execute(
            update(LedgerPeriodBalance)
            .where(
                LedgerPeriodBalance.account_id == fees.scalar_subquery(),
                LedgerPeriodBalance.period == "2025-02",
                LedgerPeriodBalance.office_id == a,
            )
            .values(balance_minor=LedgerPeriodBalance.balance_minor - 100)
        )
        uow.commit()
    changed = _year_close(world, keep=True)
    assert changed - expected == {
        ("6021", "D", "36.00", a), ("4103", "C", "36.00", a),
        ("4103", "D", "36.00", a), ("4104", "C", "36.00", a),
    }  # fmt: skip
