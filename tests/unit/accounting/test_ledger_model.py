"""The ledger's pure rules: lines from an event, balance, red-ink reversal, numbers, closing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.accounting.defaults import DEFAULT_CHART, DEFAULT_RULES
from microlend.accounting.model import (
    AccountType,
    Dims,
    LedgerEvent,
    LineDraft,
    Side,
    check_balanced,
    default_normal_side,
    event_lines,
    imbalances,
    period_of,
    reversal_lines,
    summarised,
    voucher_number,
)
from microlend.accounting.periods import closing_lines
from microlend.kernel.errors import RuleViolation, ValidationFailed

RULES = {"principal": ("130301", "1002"), "fee": ("122101", "6021")}


def an_event(**amounts: str) -> LedgerEvent:
    return LedgerEvent(
        type="disbursement",
        company_id=1,
        office_id=2,
        business_date=date(2025, 1, 31),
        amounts={role: Decimal(value) for role, value in amounts.items()},
        idempotency_key="k",
    )


def test_each_non_zero_role_gives_a_debit_and_a_credit_line() -> None:
    lines = event_lines(an_event(principal="100.50", fee="0"), RULES)
    assert [(x.account_code, x.side, x.amount_minor) for x in lines] == [
        ("130301", Side.DEBIT, 10050),
        ("1002", Side.CREDIT, 10050),
    ]


def test_refusals() -> None:
    with pytest.raises(ValidationFailed):
        event_lines(an_event(principal="0.005"), RULES)  # not exact in fen
    with pytest.raises(ValidationFailed):
        event_lines(an_event(principal="-1"), RULES)
    with pytest.raises(ValidationFailed):
        event_lines(an_event(principal="0"), RULES)
    with pytest.raises(RuleViolation):
        event_lines(an_event(bonus="1"), RULES)


def test_an_unbalanced_voucher_is_refused_per_currency() -> None:
    lines = [
        LineDraft("1002", Side.DEBIT, 100, "CNY", 1),
        LineDraft("1002", Side.DEBIT, 5, "USD", 1),
        LineDraft("4001", Side.CREDIT, 105, "CNY", 1),
    ]
    assert imbalances(lines) == {"CNY": -5, "USD": 5}
    with pytest.raises(RuleViolation) as refused:
        check_balanced(lines)
    assert refused.value.code == "voucher_unbalanced"
    with pytest.raises(RuleViolation):
        check_balanced(lines[:1])


@given(st.dictionaries(st.sampled_from(["principal", "fee"]), st.integers(1, 10**12), min_size=1))
def test_event_lines_always_balance_and_their_reversal_cancels(units: dict[str, int]) -> None:
    event = an_event(**{role: str(Decimal(n).scaleb(-2)) for role, n in units.items()})
    lines = check_balanced(event_lines(event, RULES))
    both = lines + reversal_lines(lines)
    net: dict[tuple[str, Side], int] = {}
    for line in both:
        net[(line.account_code, line.side)] = net.get((line.account_code, line.side), 0) + (
            line.amount_minor
        )
    assert set(net.values()) == {0}
    assert imbalances(reversal_lines(lines)) == {}


def test_numbers_and_periods() -> None:
    assert period_of(date(2025, 1, 31)) == "2025-01"
    assert voucher_number("2025-01", 123) == "2025-01-000123"


def test_normal_sides() -> None:
    assert default_normal_side(AccountType.ASSET) is Side.DEBIT
    assert default_normal_side(AccountType.INCOME) is Side.CREDIT
    provision = next(spec for spec in DEFAULT_CHART if spec.code == "1304")
    assert provision.type is AccountType.ASSET and provision.side is Side.CREDIT


def test_the_default_rules_name_accounts_of_the_default_chart() -> None:
    codes = {spec.code for spec in DEFAULT_CHART}
    parents = {spec.parent_code for spec in DEFAULT_CHART if spec.parent_code}
    for rule in DEFAULT_RULES:
        assert {rule.debit, rule.credit} <= codes - parents, rule
    required = {"1001", "1002", "1303", "1304", "1132", "2241", "4001", "4103", "4104", "6011"}
    assert required | {"6021", "6051", "6701", "6702", "6602", "7001"} <= codes


def test_provisions_default_to_credit_impairment_and_6701_stays_for_other_assets() -> None:
    # revised CAS 22 (财会〔2017〕7号): a loan's expected credit loss is 信用减值损失, its own
    # income-statement line (财会〔2018〕36号); 6701 资产减值损失 remains a postable expense account
    chart = {spec.code: spec for spec in DEFAULT_CHART}
    credit, other = chart["6702"], chart["6701"]
    assert (credit.name_zh, credit.name_en) == ("信用减值损失", "Credit impairment losses")
    assert (credit.type, credit.side, credit.parent_code) == (other.type, other.side, None)
    assert other.type is AccountType.EXPENSE and other.name_zh == "资产减值损失"
    rules = {(str(rule.event_type), rule.role): (rule.debit, rule.credit) for rule in DEFAULT_RULES}
    assert rules[("provision", "provision")] == ("6702", "1304")
    assert rules[("provision_release", "provision")] == ("1304", "6702")
    assert all("6701" not in pair for pair in rules.values())


def test_year_end_closing_lines_zero_income_and_expense_into_retained_earnings() -> None:
    # office 1: income 6011 credit 1,000.00, expense 6701 debit 400.00 -> profit 600.00
    lines = closing_lines([(1, "CNY", "6011", -100000), (1, "CNY", "6701", 40000)])
    check_balanced(lines)
    net: dict[str, int] = {}
    for line in lines:
        sign = 1 if line.side is Side.DEBIT else -1
        net[line.account_code] = net.get(line.account_code, 0) + sign * line.amount_minor
    assert net == {"6011": 100000, "6701": -40000, "4103": 0, "4104": -60000}


def test_events_summarise_by_role_and_keep_only_the_product() -> None:
    accruals = [
        LedgerEvent(
            type="interest_accrual",
            company_id=1,
            office_id=2,
            business_date=date(2025, 1, 31),
            amounts={"interest": Decimal(amount)},
            idempotency_key=f"accrual:{loan}:2025-01-31",
            dims=Dims(product_code="P1", loan_id=loan),
        )
        for loan, amount in ((1, "3.21"), (2, "4.79"), (3, "0"))
    ]
    total = summarised(accruals, idempotency_key="accrual:2:P1:2025-01-31", summary="汇总计提")
    assert total.amounts == {"interest": Decimal("8.00")}
    assert total.dims == Dims(product_code="P1") and total.idempotency_key.startswith("accrual:2")
    other_office = LedgerEvent(**{**accruals[0].__dict__, "office_id": 9})
    with pytest.raises(ValidationFailed):
        summarised([accruals[0], other_office], idempotency_key="k", summary="")
    with pytest.raises(ValidationFailed):
        summarised([], idempotency_key="k", summary="")
