"""The batch import's reads and writes, on SQLite and PostgreSQL: the references looked up by
channel and reference together (the same reference on another channel is another payment), and
on PostgreSQL each part of the file (``send_every`` lines) written in one statement with one
insert per table, however many lines it has, sent while the next part is applied.

The loans (tests/integration/loans_support.py): 12,000.00, equal principal, 12 months at 12 %,
disbursed 2025-01-15; installment 1 (2025-02-15) is 1,000.00 principal + 120.00 interest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, func, select

from microlend.auth import service as auth
from microlend.db import sent as sent_writes
from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.loans import service as loans
from microlend.loans import tables
from microlend.loans.batch import repay_batch
from microlend.loans.batch_file import refused_line
from microlend.loans.views import EventOutcome
from tests.integration.loans_support import disbursed, set_business_date
from tests.integration.test_loans import _balances
from tests.integration.test_loans_batch import _state
from tests.seed import World


@contextmanager
def _sent(world: World) -> Iterator[list[str]]:
    """The statements sent to the database meanwhile."""
    with world.make_uow(read_only=True) as uow:
        engine = uow.session.get_bind().engine  # type: ignore[union-attr]
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _repayments(world: World) -> list[tuple[str, str | None, int]]:
    with world.make_uow(read_only=True) as uow:
        found = uow.session.execute(
            select(
                tables.LoanEvent.channel,
                tables.LoanEvent.external_reference,
                tables.LoanEvent.amount_minor,
            )
            .where(tables.LoanEvent.kind == "repayment")
            .order_by(tables.LoanEvent.id)
        )
        return [(channel, reference, amount) for channel, reference, amount in found]


def test_a_reference_is_known_by_its_channel(world: World) -> None:
    first = disbursed(world)
    second = disbursed(world, code="L2", id_number="110105198501010012")
    set_business_date(world, date(2025, 2, 15))
    finance = world.principal("finance")
    paid = {"loan_id": str(first.id), "amount": "100.00", "external_reference": "R-1"}
    with world.make_uow() as uow:
        repay_batch(uow, finance, [paid], now=world.now)
        uow.commit()
    lines = [
        {**paid, "channel": "cash"},  # the same reference on another channel: a new payment
        {"loan_id": str(second.id), "amount": "30.00", "external_reference": "R-2"},
        paid,  # in the database already: replayed
        {"loan_id": str(second.id), "amount": "20.00", "external_reference": "R-3"},
    ]
    with world.make_uow() as uow:
        done = repay_batch(uow, finance, lines, now=world.now)
        uow.commit()
    assert [isinstance(d, EventOutcome) and d.replayed for d in done] == [
        False,
        False,
        True,
        False,
    ]
    assert _repayments(world) == [
        ("bank", "R-1", 10000),
        ("cash", "R-1", 10000),
        ("bank", "R-2", 3000),
        ("bank", "R-3", 2000),
    ]


def test_on_postgresql_a_file_is_written_with_one_insert_per_table(
    world: World, db_backend: str
) -> None:
    both = [disbursed(world), disbursed(world, code="L2", id_number="110105198501010012")]
    set_business_date(world, date(2025, 2, 15))
    finance = world.principal("finance")

    def file(prefix: str, count: int) -> list[dict[str, str]]:
        return [
            {
                "loan_id": str(both[n % 2].id),
                "amount": "10.00",
                "external_reference": f"{prefix}{n}",
            }
            for n in range(count)
        ]

    with world.make_uow() as uow:  # each loan's first repayment stores its engine state
        repay_batch(uow, finance, file("V-", 2), now=world.now)
        uow.commit()
    with _sent(world) as sent, world.make_uow() as uow:
        repay_batch(uow, finance, file("W-", 6), now=world.now)
        uow.commit()
    with world.make_uow(read_only=True) as uow:
        count = select(func.count()).select_from(tables.LoanEvent)
        assert uow.session.scalar(count.where(tables.LoanEvent.kind == "repayment")) == 8
    if db_backend != "postgres":
        return
    written = [s for s in sent if s.startswith("WITH")]
    assert len(written) == 1
    for table in ("loan_events", "audit_log", "vouchers", "voucher_lines"):
        assert written[0].count(f"INSERT INTO {table} ") == 1, table


def test_a_replayed_line_shows_what_earlier_lines_of_its_file_changed(world: World) -> None:
    first = disbursed(world)
    second = disbursed(world, code="L2", id_number="110105198501010012")
    set_business_date(world, date(2025, 2, 20))
    finance = world.principal("finance")

    def line(loan_id: int, amount: str, day: str, reference: str) -> dict[str, str]:
        return {
            "loan_id": str(loan_id),
            "amount": amount,
            "value_date": day,
            "external_reference": reference,
        }

    e1 = line(first.id, "500.00", "2025-02-18", "E-1")
    e2 = line(second.id, "400.00", "2025-02-18", "E-2")
    with world.make_uow() as uow:
        repay_batch(uow, finance, [e1, e2], now=world.now)
        uow.commit()
    # a payment dated before E-1 reposts it; E-1 again is replayed with its new posting, E-2
    # (a loan no line of the file changed) as it was
    earlier = line(first.id, "300.00", "2025-02-16", "N-1")
    with world.make_uow() as uow:
        done = repay_batch(uow, finance, [earlier, e1, e2], now=world.now)
        uow.commit()
    with world.make_uow() as uow:
        again = repay_batch(uow, finance, [e1, e2], now=world.now)
        uow.commit()
    outcomes = [d for d in [*done, *again] if isinstance(d, EventOutcome)]
    assert [d.replayed for d in outcomes] == [False, True, True, True, True]
    _, one, two, one_later, two_later = outcomes
    assert one.posting is not None and two.posting is not None
    assert (one.event, one.posting) == (one_later.event, one_later.posting)
    assert (two.event, two.posting) == (two_later.event, two_later.posting)


def test_a_re_sent_file_replays_as_single_repayments_do(world: World) -> None:
    first = disbursed(world)
    second = disbursed(world, code="L2", id_number="110105198501010012")
    set_business_date(world, date(2025, 2, 20))
    finance = world.principal("finance")
    lines = [
        {"loan_id": str(loan.id), "amount": "500.00", "value_date": "2025-02-18"}
        | {"external_reference": f"S-{loan.id}"}
        for loan in (first, second)
    ]
    with world.make_uow() as uow:
        posted = repay_batch(uow, finance, lines, now=world.now)
        uow.commit()
    taken_back = posted[0]
    assert isinstance(taken_back, EventOutcome)
    with world.make_uow() as uow:
        loans.reverse(
            uow,
            finance,
            loan_id=first.id,
            event_id=taken_back.event.id,
            reason="退票",
            now=world.now,
        )
        uow.commit()
    counts, again = [], []
    for file in (lines, [*lines, *lines]):  # the statements do not grow with the lines
        with _sent(world) as sent, world.make_uow() as uow:
            again = repay_batch(uow, finance, file, now=world.now)
            uow.commit()
        counts.append(len(sent))
    assert counts[1] <= counts[0]
    singles = []
    for row in lines:
        with world.make_uow() as uow:
            singles.append(
                loans.repay(
                    uow,
                    finance,
                    loan_id=int(row["loan_id"]),
                    amount=row["amount"],
                    value_date=date.fromisoformat(row["value_date"]),
                    external_reference=row["external_reference"],
                    now=world.now,
                )
            )
            uow.commit()
    assert all(isinstance(d, EventOutcome) and d.replayed for d in [*again, *singles])
    assert again[:2] == singles and again[2:] == singles
    one = singles[0]
    assert isinstance(one, EventOutcome) and one.event.reversed


def test_a_file_sent_in_parts_ends_as_one_written_whole(
    world: World, db_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every two lines are sent to be written while the next are applied (PostgreSQL; SQLite
    writes them at once): a back-dated line reposting a line of an earlier part, and a line
    sent again after it, end as the same file written in one part leaves two other loans. A
    refused last line leaves nothing of the parts sent before it."""
    ids = [
        disbursed(world, code=f"L{n}", id_number=number).id
        for n, number in enumerate(
            ("110105198001010016", "110105198501010012", "11010519491231002X", "110105199001010010")
        )
    ]
    set_business_date(world, date(2025, 2, 20))
    finance = world.principal("finance")

    def file(one: int, two: int, prefix: str) -> list[dict[str, str]]:
        def line(loan_id: int, amount: str, day: str, n: int) -> dict[str, str]:
            reference = f"{prefix}-{n}"
            return {"loan_id": str(loan_id), "amount": amount, "value_date": day} | {
                "external_reference": reference
            }

        first = line(one, "500.00", "2025-02-18", 1)
        return [
            first,
            line(two, "400.00", "2025-02-18", 2),
            line(one, "300.00", "2025-02-16", 3),  # before line 1, sent in the first part
            line(two, "50.00", "", 4),
            first,  # replayed, with the posting line 3 gave it
        ]

    sends: list[object] = []
    send = sent_writes.send
    monkeypatch.setattr(sent_writes, "send", lambda *a: sends.append(a) or send(*a))
    outcomes = {}
    for every, (one, two), prefix in ((2, ids[:2], "P"), (1000, ids[2:], "W")):
        with world.make_uow() as uow:
            lines = file(one, two, prefix)
            outcomes[prefix] = repay_batch(uow, finance, lines, now=world.now, send_every=every)
            uow.commit()
    assert len(sends) == (2 if db_backend == "postgres" else 0)
    for prefix in ("P", "W"):
        assert [d.replayed for d in outcomes[prefix]] == [False] * 4 + [True]  # type: ignore[union-attr]
    for parted, whole in ((ids[0], ids[2]), (ids[1], ids[3])):
        assert _state(world, parted) == _state(world, whole)
        assert _balances(world, parted) == _balances(world, whole)

    before = _repayments(world)
    refused = [*file(ids[0], ids[1], "R")[:4], {"loan_id": str(ids[0]), "amount": "1.001"}]
    with world.make_uow() as uow, pytest.raises(ValidationFailed) as caught:
        repay_batch(uow, finance, refused, now=world.now, send_every=2)
    assert "line 5" in caught.value.__notes__
    assert _repayments(world) == before
    with world.make_uow(read_only=True) as uow:
        assert auth.verify_audit(uow, world.principal("auditor")) == []


def test_the_parts_of_a_file_leave_the_audit_head_to_the_last_part(
    world: World, db_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every command locks the audit chain's head to link its record: the parts of a file sent
    before its last leave it free for them (the lines' records go with the last part)."""
    if db_backend != "postgres":
        return  # SQLite writes every part at once, under its one write lock
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    with world.make_uow(read_only=True) as uow:
        url = uow.session.get_bind().engine.url  # type: ignore[union-attr]
    free: list[bool] = []
    send = sent_writes.send

    def sent_then_probed(*args: Any) -> sent_writes.Sent:
        on_its_way = send(*args)
        on_its_way.wait()  # written: whatever it locks is locked now
        with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as other:
            try:
                other.execute("SELECT 1 FROM audit_chain_head WHERE id = 1 FOR UPDATE NOWAIT")
                free.append(True)
            except psycopg.errors.LockNotAvailable:
                free.append(False)
        return on_its_way

    monkeypatch.setattr(sent_writes, "send", sent_then_probed)
    lines = [
        {"loan_id": str(loan.id), "amount": "10.00", "external_reference": f"H-{n}"}
        for n in range(3)
    ]
    with world.make_uow() as uow:
        repay_batch(uow, world.principal("finance"), lines, now=world.now, send_every=1)
        uow.commit()
    assert free == [True, True, True]
    with world.make_uow(read_only=True) as uow:
        assert auth.verify_audit(uow, world.principal("auditor")) == []


def test_a_refusal_of_a_sent_part_is_the_files_not_the_line_being_applied(
    world: World, db_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks of a sent part run when the import next writes or reads what it wrote: here
    while line 3 (back-dated, so its loan's history is read) is applied. The period its
    vouchers go to was closed meanwhile: the file is refused, and no line is named as the
    refused one (line 3 did nothing wrong)."""
    if db_backend != "postgres":
        return  # SQLite writes each part at once: its checks run before the next line
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 20))
    with world.make_uow(read_only=True) as uow:
        url = uow.session.get_bind().engine.url  # type: ignore[union-attr]
    send = sent_writes.send

    def closed_then_sent(*args: Any) -> sent_writes.Sent:
        with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as other:
            other.execute(
                "INSERT INTO ledger_periods (company_id, period, status, last_number) "
                "VALUES (%s, '2025-02', 'closed', 0) ON CONFLICT (company_id, period) "
                "DO UPDATE SET status = 'closed'",
                (world.company_id,),
            )
        return send(*args)

    monkeypatch.setattr(sent_writes, "send", closed_then_sent)
    lines = [
        {"loan_id": str(loan.id), "amount": "10.00", "value_date": day}
        for day in ("2025-02-18", "2025-02-19", "2025-02-16")
    ]
    before = _repayments(world)
    with world.make_uow() as uow, pytest.raises(RuleViolation) as caught:
        repay_batch(uow, world.principal("finance"), lines, now=world.now, send_every=2)
    assert caught.value.code == "period_closed"
    assert refused_line(caught.value) is None and "line" not in caught.value.extra
    assert _repayments(world) == before
