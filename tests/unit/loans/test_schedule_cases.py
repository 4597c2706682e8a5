"""The schedule engine against the worked examples of tests/cases/schedule_*.json.

Each file holds loan terms (in the ``microlend schedule`` JSON shape), the schedule worked out by
hand or taken from a textbook or regulator, the derivation and the source.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from microlend.loans.calculator.apr import schedule_apr
from microlend.loans.calculator.schedule import build_schedule
from microlend.loans.calculator.schemas import parse_terms, schedule_document
from tests.unit.loans.cases import case_files, load

NEVER_USED = date(1900, 1, 1)  # every case names its disbursement date
COLUMNS = ("n", "due_date", "principal", "interest", "fee", "total", "balance")


@pytest.mark.parametrize("path", case_files("schedule_"), ids=lambda p: p.stem)
def test_worked_example(path: Path) -> None:
    case = load(path)
    terms = parse_terms(case["terms"], default_disbursement=NEVER_USED)
    schedule = build_schedule(terms)
    document = schedule_document(schedule, schedule_apr(schedule))
    expected = case["expected"]
    rows = [[row[c] for c in COLUMNS] for row in document["installments"]]
    assert rows == expected["installments"]
    assert document["totals"] == expected["totals"]
    if "apr" in expected:
        assert document["apr"] == expected["apr"]


def test_every_method_has_a_worked_example() -> None:
    methods = {load(p)["terms"]["method"] for p in case_files("schedule_")}
    assert methods == {"equal_installment", "equal_principal", "interest_only", "bullet", "flat"}


def test_every_setting_the_issue_names_has_a_worked_example() -> None:
    terms = [load(p)["terms"] for p in case_files("schedule_")]
    assert any(t.get("interest_basis") == "daily" for t in terms)
    assert any(t.get("first_due_date") for t in terms)
    assert any(t.get("grace_principal_periods") for t in terms)
    assert any(t.get("grace_interest_periods") for t in terms)
    assert any(t.get("installment_multiple") for t in terms)
    assert any(t.get("business_day", "none") != "none" for t in terms)
    assert any(t.get("fees") for t in terms)
