"""The receipt document (loans/documents/receipt.html) for a recovery after write-off: money
received on a loan off the books is not applied to installments, so the receipt is a 收款凭证
without the allocation table; a repayment's shows how it was applied."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from microlend.loans.document_render import render_document
from microlend.loans.receipts import Receipt

D = Decimal


def _receipt(kind: str, applied: dict[str, Decimal]) -> str:
    found = Receipt(
        number="DK2025000001-004",
        lender="示范小额贷款有限公司",
        office="城东支行",
        borrower="李四",
        loan_number="DK2025000001",
        contract_number="HT2025000001",
        currency="CNY",
        kind=kind,
        amount=D("2500.05"),
        value_date=date(2025, 9, 1),
        business_date=date(2025, 9, 2),
        channel="wechat",
        reference="",
        entered_by="孙财务",
        reversed=False,
        applied=applied,
    )
    return render_document("receipt.html", r=found)


def test_a_recovery_is_a_receipt_of_money_without_an_allocation() -> None:
    html = _receipt("recovery", {})
    assert "<h1>收款凭证</h1>" in html and "核销后收回" in html and "微信" in html
    assert 'id="receipt-capitals">人民币贰仟伍佰元零伍分<' in html
    assert 'id="receipt-applied"' not in html


def test_a_repayment_shows_how_it_was_applied() -> None:
    parts = {"principal": D("2000.00"), "interest": D("500.05"), "fee": D(0), "penalty": D(0)}
    html = _receipt("repayment", parts)
    assert "<h1>还款凭证</h1>" in html and 'id="receipt-applied"' in html
    assert "2,000.00" in html and "500.05" in html
