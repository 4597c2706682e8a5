"""Payoff certificates (结清证明, loans/payoff_certificates.py): written for a paid-off loan only,
numbered, stating what was paid; a reprint is the same certificate; a reversal that reopens
the loan voids it, and the next payoff gets a new number.

The loan: 3,000.00 over 3 months, equal principal at 12 % a year (1 % a month on the balance),
disbursed 15 Jan 2025. By hand: installments 1,000.00 + 30.00, 1,000.00 + 20.00,
1,000.00 + 10.00; 60.00 of interest, 3,060.00 in all."""

from __future__ import annotations

from datetime import date

import pytest

from microlend.kernel.errors import Forbidden, NotFound, RuleViolation
from microlend.loans import service as loans
from microlend.loans.payoff_certificates import CertificateView
from microlend.loans.views import EventOutcome
from tests.integration.loans_support import disbursed, repaid, reversed_event, set_business_date
from tests.seed import World

ID_NUMBER = "110105198001010016"
OFFICER, FIN = "officer_a", "finance"


def _repay(
    world: World, loan_id: int, amount: str, day: date, value_date: date | None = None
) -> EventOutcome:
    """A repayment entered on business date ``day``."""
    set_business_date(world, day)
    return repaid(world, loan_id, amount, value_date)


def _issue(world: World, loan_id: int, user: str = OFFICER) -> CertificateView:
    with world.make_uow() as uow:
        view = loans.issue_certificate(uow, world.principal(user), loan_id=loan_id, now=world.now)
        uow.commit()
    assert isinstance(view, CertificateView)
    return view


def _html(world: World, loan_id: int, certificate_id: int, user: str) -> str:
    with world.make_uow(read_only=True) as uow:
        return loans.certificate_html(
            uow, world.principal(user), loan_id=loan_id, certificate_id=certificate_id
        )


def test_a_paid_off_loan_gets_one_certificate_until_a_reversal_reopens_it(world: World) -> None:
    loan = disbursed(world, amount="3000.00", term=3, id_number=ID_NUMBER)
    _repay(world, loan.id, "1030.00", date(2025, 2, 15))
    with world.make_uow() as uow, pytest.raises(RuleViolation) as refused:
        loans.issue_certificate(uow, world.principal(OFFICER), loan_id=loan.id, now=world.now)
    assert refused.value.code == "loan_not_paid_off"
    _repay(world, loan.id, "1020.00", date(2025, 3, 15))
    last = _repay(world, loan.id, "1015.00", date(2025, 4, 15))  # 5.00 more than owed
    assert last.loan.status == "closed"
    set_business_date(world, date(2025, 4, 18))

    first = _issue(world, loan.id)
    assert (first.number, first.paid_off_on, first.issued_on) == (
        "JQ2025000001",
        date(2025, 4, 15),
        date(2025, 4, 18),
    )
    facts = first.facts
    assert facts["paid"] == {
        "principal": "3000.00",
        "interest": "60.00",
        "fee": "0.00",
        "penalty": "0.00",
    }
    assert (facts["paid_total"], facts["waived"], facts["credit_balance"]) == (
        "3060.00",
        "0.00",
        "5.00",
    )
    assert facts["borrower"] == {"name": "李四", "id_kind": "resident_id", "id_number": ID_NUMBER}
    assert (facts["principal"], facts["maturity_date"]) == ("3000.00", "2025-04-15")
    reprint = _issue(world, loan.id, FIN)  # the same certificate, as finance may see it
    assert (reprint.id, reprint.number, reprint.created_at) == (
        first.id,
        first.number,
        first.created_at,
    )
    assert reprint.facts["borrower"]["id_number"] == "110***********0016"  # no pii.view

    with world.make_uow(read_only=True) as uow:
        view, pdf = loans.certificate_pdf(
            uow, world.principal(OFFICER), loan_id=loan.id, certificate_id=first.id
        )
    assert pdf.startswith(b"%PDF") and view == first
    shown_whole = _html(world, loan.id, first.id, OFFICER)  # the officer sees PII
    masked = _html(world, loan.id, first.id, FIN)  # finance does not
    assert ID_NUMBER in shown_whole and ID_NUMBER not in masked
    assert "JQ2025000001" in masked and "3,060.00" in masked and "已作废" not in masked

    reversed_event(world, loan.id, last.event.id)
    with world.make_uow(read_only=True) as uow:
        listed = loans.certificates(uow, world.principal(OFFICER), loan_id=loan.id)
        reopened = loans.get_loan(uow, world.principal(OFFICER), loan_id=loan.id)
    assert reopened.status == "overdue"  # installment 3 (due 15 Apr) is unpaid again
    assert [(c.number, c.in_force, c.voided_on) for c in listed] == [
        ("JQ2025000001", False, date(2025, 4, 18))
    ]
    assert "已作废" in _html(world, loan.id, first.id, OFFICER)
    with world.make_uow() as uow, pytest.raises(RuleViolation):
        loans.issue_certificate(uow, world.principal(OFFICER), loan_id=loan.id, now=world.now)

    # the cheque's money came in after all: a payment dated the due day, entered on the 18th
    _repay(world, loan.id, "1010.00", date(2025, 4, 18), value_date=date(2025, 4, 15))
    second = _issue(world, loan.id)
    assert (second.number, second.paid_off_on) == ("JQ2025000002", date(2025, 4, 15))
    assert second.facts["credit_balance"] == "0.00"
    assert second.facts["paid_total"] == "3060.00"


def test_a_certificate_needs_the_permission_and_the_loan_in_scope(world: World) -> None:
    loan = disbursed(world, amount="1000.00", term=1)
    _repay(world, loan.id, "1010.00", date(2025, 2, 15))
    refusals = {"collector": Forbidden, "officer_a1": NotFound}  # no permission; office A1 only
    for user, refusal in refusals.items():
        with world.make_uow() as uow, pytest.raises(refusal):
            loans.issue_certificate(uow, world.principal(user), loan_id=loan.id, now=world.now)
    with world.make_uow(read_only=True) as uow, pytest.raises(Forbidden):
        loans.certificate_pdf(uow, world.principal(FIN), loan_id=loan.id, certificate_id=1)
    assert _issue(world, loan.id, FIN).number == "JQ2025000001"


def test_a_loan_keeps_the_day_it_closed_through_later_commands(world: World) -> None:
    loan = disbursed(world, amount="1000.00", term=1)
    closing = _repay(world, loan.id, "1015.00", date(2025, 2, 15))  # 5.00 more than owed
    assert (closing.loan.status, closing.loan.closed_on) == ("closed", date(2025, 2, 15))
    set_business_date(world, date(2025, 3, 2))
    with world.make_uow() as uow:  # the credit balance given back a fortnight later
        refunded = loans.refund(
            uow, world.principal(FIN), loan_id=loan.id, amount="5.00", now=world.now
        )
        uow.commit()
    assert isinstance(refunded, EventOutcome)
    assert (refunded.loan.status, refunded.loan.closed_on) == ("closed", date(2025, 2, 15))
    assert reversed_event(world, loan.id, refunded.event.id).loan.closed_on == date(2025, 2, 15)
