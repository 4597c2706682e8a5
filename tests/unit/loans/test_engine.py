"""The loan account engine's conventions, each pinned by a small hand-checked example.

Loan used throughout unless stated: 12,000 at 12 % a year, 12 monthly installments, equal
principal, disbursed 2025-01-15: installment k is due on the 15th, principal 1000.00, interest
1 % of the balance (120.00, 110.00, 100.00...). Penalty 12 % x 1.5 / 360 = 0.05 % a day, i.e.
0.50 a day on 1000.00 of overdue principal.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D
from itertools import pairwise

import pytest

from microlend.kernel.daycount import DayCount
from microlend.kernel.errors import Refusal, ValidationFailed
from microlend.loans.calculator.model import InterestBasis, RepaymentMethod, Terms
from microlend.loans.calculator.servicing_terms import (
    Component,
    PenaltyBase,
    PenaltyTerms,
    PrepaymentMode,
)
from microlend.loans.engine import (
    InstallmentStatus,
    LoanContract,
    LoanEvent,
    LoanStatus,
    Prepayment,
    Refund,
    Repayment,
    Reschedule,
    Reversal,
    Tranche,
    Waiver,
    payoff_quote,
    position,
    position_of,
    post,
    replay,
)

TERMS = Terms(
    principal=D("12000"),
    annual_rate=D("12"),
    term=12,
    method=RepaymentMethod.EQUAL_PRINCIPAL,
    disbursement_date=date(2025, 1, 15),
)
DUE1, DUE2 = date(2025, 2, 15), date(2025, 3, 15)


def loan(
    penalty: PenaltyTerms | None = None, terms: Terms = TERMS, **settings: object
) -> LoanContract:
    return LoanContract.open(terms, penalty=penalty, **settings)  # type: ignore[arg-type]


def pay(ident: str, day: date, amount: str, sequence: int = 1) -> Repayment:
    return Repayment(ident, day, sequence, D(amount), channel="bank", reference=f"ref-{ident}")


# --- penalty -----------------------------------------------------------------------------------


def test_penalty_starts_the_day_after_the_due_date() -> None:
    on_due = position(loan(), [], DUE1)
    day_one = position(loan(), [], date(2025, 2, 16))
    assert (on_due.overdue.penalty, on_due.days_past_due) == (D(0), 0)
    assert on_due.installments[0].status is InstallmentStatus.DUE
    assert (day_one.overdue.penalty, day_one.days_past_due) == (D("0.50"), 1)
    assert day_one.status is LoanStatus.OVERDUE


def test_penalty_year_follows_the_day_count() -> None:
    # ACT/365F: 1000.00 x 12 % x 1.5 / 365 = 0.49315... -> 0.49 a day; 10 days = 4.90
    terms = replace(TERMS, day_count=DayCount.ACT_365F)
    assert position(loan(terms=terms), [], date(2025, 2, 25)).overdue.penalty == D("4.90")
    # 30/360: still calendar days past due, / 360: 10 x 0.50
    assert position(loan(), [], date(2025, 2, 25)).overdue.penalty == D("5.00")


def test_penalty_is_rounded_per_day() -> None:
    # 333.33 of overdue principal: 0.166665 -> 0.17 a day; 3 days = 0.51 (not 0.499995 -> 0.50)
    events = [pay("a", DUE1, "786.67")]  # 120.00 interest + 666.67 principal: 333.33 left
    assert position(loan(), events, date(2025, 2, 18)).overdue.penalty == D("0.51")


def test_payment_within_grace_costs_no_penalty() -> None:
    contract = loan(PenaltyTerms(grace_days=3))
    during = position(contract, [], date(2025, 2, 18))
    assert during.overdue.penalty == 0 and during.penalty_in_grace == D("1.50")
    paid = position(contract, [pay("a", date(2025, 2, 18), "1120.00")], date(2025, 2, 28))
    assert paid.penalty_charged == 0 and paid.penalty_in_grace == 0 and paid.credit_balance == 0


def test_after_grace_penalty_counts_from_day_one() -> None:
    contract = loan(PenaltyTerms(grace_days=3))
    after = position(contract, [], date(2025, 2, 19))
    assert after.overdue.penalty == D("2.00") and after.penalty_in_grace == 0  # 4 days x 0.50
    late = replay(contract, [pay("a", date(2025, 2, 19), "1122.00")], date(2025, 2, 19))
    assert late.postings[0].by_component()[Component.PENALTY] == D("2.00")


def test_partial_payment_in_grace_lowers_the_base_of_the_grace_days() -> None:
    # 620.00 on day 1 (interest 120, principal 500): days 0 on 1000, days 1..3 on 500 (0.25)
    contract = loan(PenaltyTerms(grace_days=3))
    events = [pay("a", date(2025, 2, 16), "620.00")]
    assert position(contract, events, date(2025, 2, 19)).overdue.penalty == D("1.25")


def test_compound_interest_on_overdue_interest() -> None:
    # base 1000.00 principal + 120.00 interest = 1120.00 x 0.0005 = 0.56 a day
    contract = loan(PenaltyTerms(compound=True))
    assert position(contract, [], date(2025, 2, 20)).overdue.penalty == D("2.80")
    same = loan(PenaltyTerms(base=PenaltyBase.OVERDUE_INSTALLMENT))
    assert position(same, [], date(2025, 2, 20)).overdue.penalty == D("2.80")


def test_penalty_multiplier() -> None:
    # x 2: 24 % / 360 on 1000 = 0.666... -> 0.67 a day
    contract = loan(PenaltyTerms(multiplier=D("2")))
    assert position(contract, [], date(2025, 2, 17)).overdue.penalty == D("1.34")


# --- allocation ----------------------------------------------------------------------------------


def test_principal_first_preset() -> None:
    contract = loan(allocation="principal_interest_penalty_fee")
    book = replay(contract, [pay("a", date(2025, 2, 25), "1050.00")], date(2025, 2, 25))
    lines = [(ln.component, ln.amount) for ln in book.postings[0].lines]
    assert lines == [(Component.PRINCIPAL, D("1000.00")), (Component.INTEREST, D("50.00"))]


def test_custom_order_leaving_out_a_slot_keeps_the_rest_as_credit() -> None:
    contract = loan(allocation=["past_due.principal", "due.principal"])
    book = replay(contract, [pay("a", date(2025, 2, 25), "1200.00")], date(2025, 2, 25))
    assert book.postings[0].by_component()[Component.PRINCIPAL] == D("1000.00")
    assert book.credit == D("200.00")


def test_oldest_installment_first_within_a_slot() -> None:
    # 2 installments overdue on 2025-03-20: penalties 1 (33 days x 0.50 = 16.50) then 2 (2.50)
    book = replay(loan(), [pay("a", date(2025, 3, 20), "20.00")], date(2025, 3, 20))
    assert [(ln.installment, ln.component, ln.amount) for ln in book.postings[0].lines] == [
        (1, Component.PENALTY, D("16.50")),
        (2, Component.PENALTY, D("2.50")),
        (1, Component.INTEREST, D("1.00")),
    ]


def test_refund_of_the_credit_balance() -> None:
    events: list[LoanEvent] = [
        pay("a", DUE1, "1500.00"),
        Refund("b", date(2025, 2, 20), 2, D("380.00")),
    ]
    book = replay(loan(), events, DUE2)
    assert book.credit == 0 and book.postings[1].cash_out == D("380.00")
    with pytest.raises(ValidationFailed, match="credit"):
        post(loan(), events[:1], Refund("c", date(2025, 2, 20), 2, D("380.01")), DUE2)


# --- waivers and reversals -----------------------------------------------------------------------


def test_waiver_of_penalty_then_payment() -> None:
    waive = Waiver("w", date(2025, 2, 25), 1, Component.PENALTY, D("5.00"))
    here = position(loan(), [waive, pay("a", date(2025, 2, 25), "1120.00", 2)], date(2025, 2, 25))
    assert here.status is LoanStatus.ACTIVE and here.credit_balance == 0
    assert here.installments[0].waived.penalty == D("5.00")


def test_waiver_larger_than_owed_is_refused() -> None:
    waive = Waiver("w", date(2025, 2, 25), 1, Component.INTEREST, D("120.01"))
    with pytest.raises(ValidationFailed, match="owed"):
        post(loan(), [], waive, date(2025, 2, 25))


def test_principal_cannot_be_waived() -> None:
    waive = Waiver("w", date(2025, 2, 25), 1, Component.PRINCIPAL, D("1"))
    with pytest.raises(ValidationFailed) as error:
        replay(loan(), [waive], date(2025, 2, 25))
    assert error.value.field == "component"


def test_reversal_reports_the_postings_to_undo() -> None:
    history = [pay("a", DUE1, "1500.00"), pay("b", DUE2, "730.00", 2)]
    result = post(loan(), history, Reversal("x", date(2025, 3, 20), 3, "a"), date(2025, 3, 20))
    assert result.posting is None
    assert result.changed == ("a", "b", "credit@2025-03-15")
    assert position_of(result.after).days_past_due == 33


@pytest.mark.parametrize(
    "events",
    [
        [Reversal("x", DUE1, 1, "nope")],
        [pay("a", DUE1, "1"), Reversal("x", DUE1, 2, "a"), Reversal("y", DUE1, 3, "a")],
        [pay("a", DUE1, "1"), Reversal("x", DUE1, 2, "a"), Reversal("y", DUE1, 3, "x")],
        [pay("a", DUE1, "1"), pay("a", DUE2, "1", 2)],
    ],
)
def test_inconsistent_histories_are_refused(events: list[Repayment | Reversal]) -> None:
    with pytest.raises(ValidationFailed):
        replay(loan(), events, DUE2)


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (pay("a", date(2025, 1, 14), "1"), "value_date"),
        (pay("a", DUE1, "1.001"), "amount"),
        (pay("a", DUE1, "0"), "amount"),
        (Prepayment("a", DUE1, 1, D("100"), fee=D("-1")), "fee"),
    ],
)
def test_bad_events_are_refused(event: Repayment | Prepayment, field: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        replay(loan(), [event], DUE2)
    assert error.value.field == field


def test_an_event_after_the_business_date_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="business date"):
        post(loan(), [], pay("a", DUE2, "1"), DUE1)


# --- position ------------------------------------------------------------------------------------


def test_position_statuses_and_dpd() -> None:
    events = [pay("a", date(2025, 3, 20), "10.00")]  # pays 10.00 of installment 1's penalty
    here = position(loan(), events, date(2025, 4, 15))
    statuses = [row.status for row in here.installments[:4]]
    assert statuses == [
        InstallmentStatus.PARTIALLY_PAID,
        InstallmentStatus.OVERDUE,
        InstallmentStatus.DUE,
        InstallmentStatus.FUTURE,
    ]
    assert here.days_past_due == (date(2025, 4, 15) - DUE1).days == 59
    assert here.installments[1].days_past_due == 31
    assert here.overdue.principal == D("2000.00") and here.overdue.interest == D("230.00")
    # penalty: installment 1, 59 days x 0.50 = 29.50 - 10.00 paid; installment 2, 31 x 0.50
    assert here.overdue.penalty == D("19.50") + D("15.50")
    assert here.due_today.total == D("1100.00")
    assert here.next_due_date == date(2025, 5, 15) and not here.non_accrual


def test_non_accrual_after_90_days() -> None:
    assert not position(loan(), [], date(2025, 5, 16)).non_accrual  # 90 DPD
    assert position(loan(), [], date(2025, 5, 17)).non_accrual


def test_accrued_interest_by_the_day_count() -> None:
    # daily basis, ACT/365F: period 2 (15 Feb - 15 Mar, 28 days) on 11000: 11000 x 12 % x 28/365
    terms = replace(TERMS, interest_basis=InterestBasis.DAILY, day_count=DayCount.ACT_365F)
    contract = loan(terms=terms)
    interest = contract.schedule.installments[1].interest
    assert interest == D("101.26")  # 101.2602...
    events = [pay("a", DUE1, str(contract.schedule.installments[0].total))]
    # 10 days in: 101.26 x 10 / 28 = 36.164... -> 36.16
    assert position(contract, events, date(2025, 2, 25)).accrued_interest == D("36.16")
    assert position(contract, events, DUE2).due_today.interest == interest


# --- prepayment ----------------------------------------------------------------------------------


def test_payoff_quote_and_full_payoff() -> None:
    # 2025-03-01: installment 1 overdue (1000 + 120, penalty 14 days x 0.50 = 7.00), period 2
    # accrued 110.00 x 16 / 30 (30/360 days 15 Feb -> 1 Mar) = 58.67; fee 100.00
    quote = payoff_quote(loan(), [], date(2025, 3, 1), prepayment_fee=D("100.00"))
    assert (quote.principal, quote.interest, quote.fee, quote.penalty) == (
        D("12000.00"),
        D("178.67"),
        D("0.00"),
        D("7.00"),
    )
    assert quote.total == quote.amount_to_pay == D("12285.67")
    payoff = Prepayment("p", date(2025, 3, 1), 1, quote.total, fee=D("100.00"))
    result = post(loan(), [], payoff, date(2025, 3, 1))
    here = position(loan(), [payoff], date(2025, 6, 1))
    assert here.status is LoanStatus.CLOSED and here.outstanding_principal == 0
    assert result.posting is not None and result.posting.prepaid_principal == D("11000.00")
    assert here.installments[-1].settlement and here.installments[-1].charged.fee == D("100.00")


def test_prepayment_that_does_not_cover_the_accrued_interest_is_refused() -> None:
    history = [pay("a", DUE1, "1120.00")]
    short = Prepayment("p", date(2025, 3, 1), 2, D("58.66"))  # accrued is 58.67
    with pytest.raises(ValidationFailed, match="accrued interest"):
        post(loan(), history, short, date(2025, 3, 1))
    # replayed anyway (as after a back-dated change), the money stays as credit
    assert replay(loan(), [*history, short], date(2025, 3, 1)).credit == D("58.66")


def test_a_matured_loan_is_settled_by_its_payoff_quote_paid_as_a_prepayment() -> None:
    # 3 months, 等额本金: 4,000.00 + 120.00, 80.00 and 40.00 of interest, the last due 15 Apr.
    # On 1 May everything is past due, nothing is left to fall due: nothing to prepay, and the
    # quote (principal, the 240.00 of interest, the penalty) paid as a prepayment settles it.
    matured = loan(terms=replace(TERMS, term=3))
    day = date(2025, 5, 1)
    quote = payoff_quote(matured, [], day)
    assert (quote.principal, quote.interest, quote.fee) == (D("12000.00"), D("240.00"), 0)
    assert quote.penalty > 0 and quote.amount_to_pay == quote.total
    short = Prepayment("p", day, 1, quote.total - D("0.01"))
    with pytest.raises(ValidationFailed, match="does not cover the arrears"):
        post(matured, [], short, day)
    payoff = Prepayment("p", day, 1, quote.total)
    result = post(matured, [], payoff, day)
    assert result.posting is not None and result.posting.prepaid_principal == 0
    here = position(matured, [payoff], day)
    assert here.status is LoanStatus.CLOSED and here.credit_balance == 0


def test_shorten_term_keeps_the_equal_installment() -> None:
    terms = replace(TERMS, method=RepaymentMethod.EQUAL_INSTALLMENT)
    contract = loan(terms=terms, prepayment_mode=PrepaymentMode.SHORTEN_TERM)
    level = contract.schedule.installments[0].total
    assert level == D("1066.19")
    history = [
        pay(f"r{k}", i.due_date, str(i.total), k)
        for k, i in enumerate(contract.schedule.installments[:3])
    ]
    prepay = Prepayment("p", date(2025, 4, 15), 9, D("3000.00"))
    book = replay(contract, [*history, prepay], date(2025, 4, 15))
    rebuilt = [row for row in book.rows if row.due_date > date(2025, 4, 15)]
    totals = [row.charged[Component.PRINCIPAL] + row.charged[Component.INTEREST] for row in rebuilt]
    assert len(rebuilt) < 9
    assert all(total <= level for total in totals[:-1])
    assert sum((row.charged[Component.PRINCIPAL] for row in rebuilt), D(0)) == (
        contract.schedule.installments[2].balance - D("3000.00")
    )
    # one installment fewer would need more than the present installment
    lower = replay(
        contract,
        [*history, replace(prepay, mode=PrepaymentMode.LOWER_INSTALLMENT)],
        date(2025, 4, 15),
    )
    assert len([r for r in lower.rows if r.due_date > date(2025, 4, 15)]) == 9


# --- rescheduling --------------------------------------------------------------------------------


def test_reschedule_capitalising_arrears() -> None:
    # 2025-03-15, nothing paid: installment 1 owes 1000 + 120 + penalty 28 days x 0.50 = 14.00,
    # installment 2 (due today) 1000 + 110; period 3 has accrued nothing yet. Capitalised
    # 2244.00 + the 10000.00 not yet due = 12244.00 over 12 months: 1020.33 a month, interest
    # 1 % of the balance (122.44 first).
    event = Reschedule("s", DUE2, 1, term=12, capitalise_arrears=True)
    result = post(loan(), [], event, DUE2)
    assert result.posting is not None and result.posting.new_principal == D("12244.00")
    assert result.posting.by_component() == {
        Component.PENALTY: D("14.00"),
        Component.FEE: D("0.00"),
        Component.INTEREST: D("230.00"),
        Component.PRINCIPAL: D("2000.00"),
    }
    here = position(loan(), [event], DUE2)
    assert here.restructured and here.status is LoanStatus.ACTIVE and here.days_past_due == 0
    assert here.outstanding_principal == D("12244.00")
    first = here.installments[3]  # 1, 2, the settlement of period 3 (0.00), then the new ones
    assert (first.n, first.due_date) == (4, date(2025, 4, 15))
    assert (first.charged.principal, first.charged.interest) == (D("1020.33"), D("122.44"))
    assert len(here.installments) == 3 + 12


def test_reschedule_keeping_arrears_and_raising_the_rate() -> None:
    # 2025-03-01: installment 1 stays overdue; period 2's interest to date, 110.00 x 16 / 30 =
    # 58.67, falls due on 1 March; 11000.00 over 24 months at 18 % from 1 March: 458.33 a
    # month, first interest 11000 x 1.5 % = 165.00. Penalty from then on: 18 % x 1.5 / 360
    # = 0.075 % a day; on 1000.00 = 0.75 a day.
    event = Reschedule("s", date(2025, 3, 1), 1, term=24, annual_rate=D("18"))
    here = position(loan(), [event], date(2025, 3, 2))
    settlement = here.installments[1]
    assert settlement.settlement and settlement.charged.interest == D("58.67")
    assert settlement.status is InstallmentStatus.OVERDUE
    new = here.installments[2]
    assert (new.due_date, new.charged.principal, new.charged.interest) == (
        date(2025, 4, 1),
        D("458.33"),
        D("165.00"),
    )
    # installment 1: 14 nights at 0.50 (to 28 Feb), then the night of 1 March at 0.75
    assert here.installments[0].charged.penalty == D("7.75")
    assert here.days_past_due == 15 and here.restructured


def test_reschedule_of_a_paid_off_loan_is_refused() -> None:
    payoff = Prepayment("p", DUE1, 1, payoff_quote(loan(), [], DUE1).total)
    with pytest.raises(ValidationFailed, match="no principal"):
        post(loan(), [payoff], Reschedule("s", DUE2, 2, term=3), DUE2)


def test_a_reschedule_the_calculator_refuses_keeps_its_message_to_translate() -> None:
    # a back-dated prepayment leaves 0.10 of principal, too little for 12 installments: the
    # replay falls back to a single one and keeps the calculator's template, values and field
    # (the page translates them); posting the reschedule is refused with them
    prepayment = Prepayment("p", DUE1, 1, payoff_quote(loan(), [], DUE1).total - D("0.10"))
    event = Reschedule("s", date(2025, 3, 1), 2, term=12)
    own = replay(loan(), [prepayment, event], date(2025, 3, 1)).postings[-1]
    assert own.new_principal == D("0.10") and own.refused == Refusal(
        "is too small to spread over %(term)s installments at %(digits)s digits",
        (("digits", 2), ("term", 12)),
        "principal",
    )
    with pytest.raises(ValidationFailed) as refused:
        post(loan(), [prepayment], event, date(2025, 3, 1))
    assert (refused.value.template, refused.value.params) == (
        own.refused.template,
        dict(own.refused.params),
    )
    assert refused.value.field == "principal"


def test_daily_accrual_adds_up_to_the_scheduled_interest() -> None:
    # close of business posts interest_earned(D) - interest_earned(D - 1); over period 2
    # (15 Feb - 15 Mar) the 28 daily amounts add up to its 110.00, whatever the days' rounding
    events = [pay("a", DUE1, "1120.00")]
    earned = [position(loan(), events, DUE1 + timedelta(days=k)).interest_earned for k in range(29)]
    daily = [later - earlier for earlier, later in pairwise(earned)]
    assert earned[0] == D("120.00") and earned[-1] == D("230.00")
    assert sum(daily, D(0)) == D("110.00") and all(amount >= 0 for amount in daily)
    # 30/360 counts 15 Feb -> 28 Feb as 13 days and 28 Feb -> 1 Mar as 3 (to the 1st), so
    # 28 Feb -> 1 Mar accrues 110.00 x 3 / 30 = 11.00 at once
    assert daily[13] == D("58.67") - D("47.67") == D("11.00")


# --- tranches ------------------------------------------------------------------------------------


def test_a_later_tranche_is_spread_over_the_installments_left() -> None:
    # 6000.00 more on 2025-03-01: installments 2..12 (11 left, 11000.00 principal) are rebuilt
    # on 17000.00: 17000 / 11 = 1545.4545 -> 1545.45 (the last 1545.50). Installment 2: the
    # old principal's interest 15 Feb -> 1 Mar, 110.00 x 16/30 = 58.67, plus 17000.00 x 12 % x
    # 14/360 (1 Mar -> 15 Mar, 30/360) = 79.33: 138.00. Installment 3: 15454.55 x 1 % = 154.55.
    event = Tranche("t", date(2025, 3, 1), 1, D("6000.00"))
    result = post(loan(), [], event, date(2025, 3, 1))
    assert result.posting is not None and result.posting.disbursed == D("6000.00")
    here = position(loan(), [event], date(2025, 3, 1))
    rows = here.installments
    assert len(rows) == 12 and here.outstanding_principal == D("18000.00")
    assert (rows[0].charged.principal, rows[0].status) == (D("1000.00"), InstallmentStatus.OVERDUE)
    assert (rows[1].due_date, rows[1].charged.principal, rows[1].charged.interest) == (
        DUE2,
        D("1545.45"),
        D("138.00"),
    )
    assert rows[2].charged.interest == D("154.55") and rows[-1].charged.principal == D("1545.50")
    # the period 15 Feb - 15 Mar accrues over its whole length: 138.00 x 16 / 30 on 1 March
    assert here.accrued_interest == D("73.60")


def test_a_tranche_after_the_last_due_date_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="last due date"):
        post(loan(), [], Tranche("t", date(2026, 1, 16), 1, D("100")), date(2026, 1, 16))


def test_a_tranche_left_with_nothing_ahead_by_a_back_dated_payoff_is_still_lent() -> None:
    # 1,000.00 paid out on 20 Apr; then a payoff is entered back-dated to 1 Mar (the quote of
    # that day: 12,000.00 + 120.00 + 58.67 + penalty 7.00 = 12,185.67), which closes the loan
    # before the tranche. The money went out on 20 Apr all the same: the replay lends it in one
    # installment a month later, due 20 May, with 1,000.00 x 1 % = 10.00 of interest (30/360).
    tranche = Tranche("t", date(2025, 4, 20), 1, D("1000.00"))
    payoff = Prepayment("p", date(2025, 3, 1), 2, D("12185.67"))
    result = post(loan(), [tranche], payoff, date(2025, 5, 1))
    replayed = next(p for p in result.after.postings if p.event_id == "t")
    assert replayed.disbursed == D("1000.00") and replayed.refused is not None
    here = position(loan(), [tranche, payoff], date(2025, 5, 1))
    assert (here.outstanding_principal, here.next_due_date) == (D("1000.00"), date(2025, 5, 20))
    assert here.next_due_amount == D("1010.00") and here.status is LoanStatus.ACTIVE


def test_a_prepayment_of_nothing_pays_out_of_the_credit_balance() -> None:
    # 14,000.00 paid on 20 Jan, nothing due: all credit. On 25 Jan a prepayment of 0.00 settles
    # the loan from it: interest accrued 12,000.00 x 12 % x 10/360 = 40.00 (30/360, 15 -> 25
    # Jan) and 12,000.00 of principal; 1,960.00 stay credit. With no credit it prepays nothing.
    day = date(2025, 1, 25)
    nothing = Prepayment("p", day, 2, D("0"))
    with pytest.raises(ValidationFailed, match="does not cover"):
        post(loan(), [], nothing, day)
    paid = pay("a", date(2025, 1, 20), "14000.00")
    result = post(loan(), [paid], nothing, day)
    assert result.posting is not None and result.posting.prepaid_principal == D("12000.00")
    assert result.posting.credit_change == D("-12040.00")
    here = position(loan(), [paid, nothing], day)
    assert here.status is LoanStatus.CLOSED and here.credit_balance == D("1960.00")
