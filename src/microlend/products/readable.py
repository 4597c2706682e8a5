"""Product terms as people read them: labels of every setting and value (English msgids, shown
translated), the terms grouped for the product page, and what changed between two versions.

Works on the stored JSON document (``schemas.document_of``), so that any two versions compare
key by key.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from microlend.loans.calculator.servicing_terms import ALLOCATION_PRESETS

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


FIELD_LABELS: dict[str, str] = {
    "customer_kinds": N_("Eligible customers"),
    "currency": N_("Currency"),
    "min_amount": N_("Minimum amount"),
    "max_amount": N_("Maximum amount"),
    "min_term": N_("Shortest term (installments)"),
    "max_term": N_("Longest term (installments)"),
    "methods": N_("Repayment methods"),
    "frequency": N_("Repayment frequency"),
    "min_rate": N_("Lowest annual rate"),
    "max_rate": N_("Highest annual rate"),
    "grade_rates": N_("Rate by score grade"),
    "interest_basis": N_("Interest basis"),
    "day_count": N_("Day count"),
    "rounding": N_("Rounding"),
    "digits": N_("Decimal places"),
    "installment_multiple": N_("Installment rounded to a multiple of"),
    "grace_principal_periods": N_("Principal grace (installments)"),
    "grace_interest_periods": N_("Interest grace (installments)"),
    "fees": N_("Fees"),
    "penalty": N_("Penalty interest"),
    "allocation_order": N_("Repayment allocation order"),
    "prepayment_allowed": N_("Prepayment allowed"),
    "prepayment_mode": N_("After a prepayment"),
    "collateral_required": N_("Collateral required"),
    "guarantors_required": N_("Guarantors required"),
    "required_documents": N_("Required documents"),
    "investigation_template": N_("Investigation template"),
    "approval_chain": N_("Approval chain"),
    "apr_cap": N_("APR cap"),
    "fund_usage_days": N_("Fund usage verified within (days)"),
}
VALUE_LABELS: dict[str, str] = {
    # customer kinds, methods, frequencies, conventions, fees, penalty, servicing, documents
    "individual": N_("Individual"),
    "enterprise": N_("Enterprise"),
    "any": N_("Individual or enterprise"),
    "equal_installment": N_("Equal installment"),
    "equal_principal": N_("Equal principal"),
    "interest_only": N_("Interest only, principal at maturity"),
    "bullet": N_("Bullet (principal and interest at maturity)"),
    "flat": N_("Flat rate"),
    "daily": N_("Daily"),
    "weekly": N_("Weekly"),
    "biweekly": N_("Every two weeks"),
    "monthly": N_("Monthly"),
    "bimonthly": N_("Every two months"),
    "quarterly": N_("Quarterly"),
    "semiannually": N_("Every six months"),
    "annually": N_("Yearly"),
    "period": N_("Per period (annual rate / periods a year)"),
    "half_up": N_("Round half up"),
    "half_even": N_("Round half to even"),
    "down": N_("Round down"),
    "up": N_("Round up"),
    "upfront": N_("Upfront (deducted from the amount paid out)"),
    "per_installment": N_("With every installment"),
    "prepayment": N_("On prepayment"),
    "principal": N_("of the principal"),
    "balance": N_("of the outstanding balance"),
    "overdue_principal": N_("overdue principal"),
    "overdue_installment": N_("overdue principal and interest"),
    "shorten_term": N_("Shorten the term"),
    "lower_installment": N_("Lower the installments"),
    "penalty_fee_interest_principal": N_("Penalty, fees, interest, then principal"),
    "interest_principal_penalty_fee": N_("Interest, principal, then penalty and fees"),
    "principal_interest_penalty_fee": N_("Principal, interest, then penalty and fees"),
    "id_copy": N_("Copy of identity document"),
    "business_licence": N_("Business licence"),
    "statement": N_("Bank or financial statement"),
    "site_visit_photo": N_("Site visit photos"),
    "other": N_("Other document"),
}
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Who and how much"), ("customer_kinds", "currency", "min_amount", "max_amount",
                              "min_term", "max_term")),
    (N_("Price"), ("min_rate", "max_rate", "grade_rates", "apr_cap", "fees")),
    (N_("Repayment"), ("methods", "frequency", "interest_basis", "day_count", "rounding",
                       "digits", "installment_multiple", "grace_principal_periods",
                       "grace_interest_periods")),
    (N_("Servicing"), ("penalty", "allocation_order", "prepayment_allowed", "prepayment_mode",
                       "fund_usage_days")),
    (N_("Requirements"), ("collateral_required", "guarantors_required", "required_documents",
                          "investigation_template", "approval_chain")),
)  # fmt: skip
DAILY_BASIS = N_("Daily (day count of the actual dates)")


def _word(value: str, _: Gettext) -> str:
    return _(VALUE_LABELS[value]) if value in VALUE_LABELS else value


def _fee_text(fee: dict[str, Any], _: Gettext) -> str:
    if fee.get("amount") is not None:
        size = str(fee["amount"])
    else:
        size = f"{fee['percent']}% {_word(str(fee['base']), _)}"
    return f"{fee['name']}: {size}, {_word(str(fee['charged']), _)}"


def value_text(key: str, value: Any, _: Gettext) -> str:
    """One setting's value, readable."""
    if value is None or value == "" or value == [] or value == {}:
        return _("None") if key != "approval_chain" else _("The company's default chain")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if key == "interest_basis" and value == "daily":
        return _(DAILY_BASIS)
    if key == "fees":
        return "; ".join(_fee_text(fee, _) for fee in value)
    if key == "penalty":
        text = _("contract rate × %(multiplier)s on %(base)s, %(days)s grace days") % {
            "multiplier": value["multiplier"],
            "base": _word(value["base"], _),
            "days": value["grace_days"],
        }
        return text + (", " + _("compound on overdue interest") if value["compound"] else "")
    if key in ("min_amount", "max_amount"):
        return f"{Decimal(value):,}"
    if key in ("min_rate", "max_rate", "apr_cap"):
        return f"{value}%"
    if key == "grade_rates":
        return " · ".join(f"{grade} {rate}%" for grade, rate in value.items())
    if key == "allocation_order" and isinstance(value, list):
        return " → ".join(value)
    if isinstance(value, list):
        return ", ".join(_word(str(item), _) for item in value)
    if key == "frequency" and value not in VALUE_LABELS:
        return str(value)
    return _word(str(value), _) if isinstance(value, str) else str(value)


def terms_sections(document: dict[str, Any], _: Gettext) -> list[tuple[str, list[tuple[str, str]]]]:
    """The terms grouped for display: (section title, [(label, value)])."""
    return [
        (_(title), [(_(FIELD_LABELS[key]), value_text(key, document.get(key), _)) for key in keys])
        for title, keys in SECTIONS
    ]


def version_changes(
    older: dict[str, Any], newer: dict[str, Any], _: Gettext
) -> list[tuple[str, str, str]]:
    """What a version changed from the one before: (label, before, after) per setting."""
    return [
        (_(FIELD_LABELS.get(key, key)), value_text(key, older.get(key), _),
         value_text(key, newer.get(key), _))
        for key in FIELD_LABELS
        if older.get(key) != newer.get(key)
    ]  # fmt: skip


def allocation_choices(_: Gettext) -> list[tuple[str, str]]:
    return [(name, _word(name, _)) for name in ALLOCATION_PRESETS]
