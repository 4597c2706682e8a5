"""Helpers of the ledger tests: events, and the trial balance as a dict of closing balances."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microlend.accounting import service as ledger
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from tests.seed import World


def event(
    world: World,
    kind: str,
    key: str,
    day: date,
    office: str = "hq",
    product: str | None = None,
    **amounts: str,
) -> ledger.LedgerEvent:
    return ledger.LedgerEvent(
        type=kind,
        company_id=world.company_id,
        office_id=world.offices[office],
        business_date=day,
        amounts={role: Decimal(value) for role, value in amounts.items()},
        idempotency_key=key,
        summary=kind,
        dims=ledger.Dims(product_code=product, loan_id=1, customer_id=2),
    )


def post(world: World, actor: Principal, posted: ledger.LedgerEvent) -> ledger.VoucherView:
    with world.make_uow() as uow:
        voucher = ledger.post(uow, actor, event=posted, now=world.now)
        uow.commit()
    return voucher


def closing_balances(
    uow: UnitOfWork, actor: Principal, date_from: date, date_to: date, **options: object
) -> dict[str, str]:
    """Code -> signed closing balance (debit positive) of every account with one, as text."""
    report = ledger.trial_balance(uow, actor, date_from=date_from, date_to=date_to, **options)  # type: ignore[arg-type]
    assert report.balanced, report.totals
    return {
        row.code: str(row.closing_debit - row.closing_credit)
        for row in report.rows
        if row.closing_debit != row.closing_credit
    }


def a_voucher(world: World) -> int:
    """The id of a voucher in the world's company (a fee charged at head office)."""
    finance = world.principal("finance")
    return post(
        world, finance, event(world, "fee_charge", "page-probe", date(2025, 3, 3), fee="1")
    ).id


def an_attachment(world: World, content: bytes) -> tuple[int, ledger.AttachmentView]:
    """A manual voucher of head office (office supplies, 50.00) with ``content`` attached as
    收据.png by finance: the voucher's id and the attachment."""
    finance = world.principal("finance")
    with world.make_uow() as uow:
        voucher = ledger.post_manual_voucher(
            uow,
            finance,
            office_id=world.offices["hq"],
            business_date=date(2025, 3, 3),
            summary="办公用品",
            lines=[
                {"account_code": "6602", "side": "D", "amount": Decimal("50")},
                {"account_code": "1002", "side": "C", "amount": Decimal("50")},
            ],
            now=world.now,
        )
        assert isinstance(voucher, ledger.VoucherView)
        attached = ledger.attach_file(
            uow, finance, voucher_id=voucher.id, filename="收据.png", media_type="image/png",
            content=content, now=world.now,
        )  # fmt: skip
        uow.commit()
    assert isinstance(attached, ledger.AttachmentView)
    return voucher.id, attached
