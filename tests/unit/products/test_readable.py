"""The product form round-trips a terms document; versions are compared setting by setting."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from microlend.products.defaults import DEFAULT_PRODUCTS, SME_WORKING_CAPITAL
from microlend.products.readable import terms_sections, value_text, version_changes
from microlend.products.schemas import document_of, terms_from_document
from microlend.products.terms_form import document_from_form, form_from_document, input_of


def english(message: str) -> str:
    return message


def submitted(form: dict[str, Any]) -> dict[str, Any]:
    """What a browser sends: unticked boxes are missing, every other value is text."""
    sent: dict[str, Any] = {}
    for key, value in form.items():
        if value is False or value is None:
            continue
        sent[key] = value if isinstance(value, list) else ("true" if value is True else str(value))
    return sent


def test_every_default_product_survives_the_form() -> None:
    for product in DEFAULT_PRODUCTS:
        document = document_of(product.terms)
        again = terms_from_document(document_from_form(submitted(form_from_document(document))))
        assert again == product.terms, product.code


def test_a_custom_allocation_order_survives_the_form() -> None:
    terms = dataclasses.replace(
        SME_WORKING_CAPITAL.terms,
        allocation_order=("past_due.interest", "past_due.principal", "due.interest"),
    )
    form = form_from_document(document_of(terms))
    assert form["allocation_order"] == "past_due.interest past_due.principal due.interest"
    assert terms_from_document(document_from_form(submitted(form))) == terms


def test_version_changes_list_only_what_changed() -> None:
    before = document_of(SME_WORKING_CAPITAL.terms)
    after = document_of(
        dataclasses.replace(
            SME_WORKING_CAPITAL.terms, max_rate=Decimal("16"), collateral_required=True
        )
    )
    assert version_changes(before, after, english) == [
        ("Highest annual rate", "18%", "16%"),
        ("Collateral required", "No", "Yes"),
    ]


def test_values_read_as_sentences() -> None:
    document = document_of(SME_WORKING_CAPITAL.terms)
    assert value_text("fees", document["fees"], english) == (
        "服务费: 0.5% of the principal, Upfront (deducted from the amount paid out)"
    )
    assert value_text("penalty", document["penalty"], english) == (
        "contract rate × 1.5 on overdue principal, 0 grace days"
    )
    assert value_text("max_amount", document["max_amount"], english) == "1,000,000.00"
    assert value_text("approval_chain", "", english) == "The company's default chain"
    titles = [title for title, _rows in terms_sections(document, english)]
    assert titles == ["Who and how much", "Price", "Repayment", "Servicing", "Requirements"]


def test_refusals_point_at_the_form_input() -> None:
    document = {"fees": [{"name": "手续费"}, {"name": "服务费"}]}
    assert input_of("terms.fees.服务费", document) == "fee_1_value"
    assert input_of("terms.fees.0.amount", document) == "fee_0_value"
    assert input_of("terms.grade_rates.C", document) == "grade_C"
    assert input_of("terms.penalty.grace_days", document) == "penalty_grace_days"
    assert input_of("terms.max_amount", document) == "max_amount"
    assert input_of("customer_kind", document) == "customer_kinds"
