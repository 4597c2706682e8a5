"""``microlend schedule``: JSON in, table / JSON / CSV out, one-line errors with exit status 2."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import microlend.cli.schedule as schedule_command
from microlend.cli import app

RUNNER = CliRunner()
ISSUE_TERMS = {
    "principal": "100000",
    "annual_rate": "12",
    "term": 12,
    "method": "equal_installment",
    "frequency": "monthly",
    "disbursement_date": "2025-01-15",
    "first_due_date": None,
    "interest_basis": "period",
    "day_count": "30/360",
    "rounding": "half_up",
    "digits": 2,
    "installment_multiple": None,
    "grace_principal_periods": 0,
    "grace_interest_periods": 0,
    "fees": [],
}


def run(terms: Any, *options: str) -> Any:
    text = terms if isinstance(terms, str) else json.dumps(terms)
    return RUNNER.invoke(app, ["schedule", "--terms", "-", *options], input=text)


def test_json_output_has_the_shape_of_the_issue() -> None:
    result = run(ISSUE_TERMS, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"installments", "totals", "apr"}
    assert document["installments"][0] == {
        "n": 1,
        "due_date": "2025-02-15",
        "principal": "7884.88",
        "interest": "1000.00",
        "fee": "0.00",
        "total": "8884.88",
        "balance": "92115.12",
    }
    assert document["totals"] == {
        "principal": "100000.00",
        "interest": "6618.53",
        "fee": "0.00",
        "total": "106618.53",
    }
    assert document["apr"] == {"nominal": "12.00", "effective": "12.68"}


def test_only_four_keys_are_required_and_the_date_defaults_to_today(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(schedule_command, "_today", lambda: date(2025, 3, 31))
    minimal = {"principal": "5000", "annual_rate": "9", "term": 2, "method": "bullet"}
    result = run(minimal, "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["installments"]
    assert row["due_date"] == "2025-05-31"
    assert row["interest"] == "75.00"


def test_terms_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "terms.json"
    path.write_text(json.dumps(ISSUE_TERMS), encoding="utf-8")
    result = RUNNER.invoke(app, ["schedule", "--terms", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "n,due_date,principal,interest,fee,total,balance"
    assert lines[1] == "1,2025-02-15,7884.88,1000.00,0.00,8884.88,92115.12"
    assert lines[-1] == "12,2026-01-15,8796.88,87.97,0.00,8884.85,0.00"
    assert len(lines) == 13


def test_json_numbers_are_read_as_exact_decimals() -> None:
    terms = ISSUE_TERMS | {"principal": 100000, "annual_rate": 12.0}
    result = run(terms, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["installments"][0]["total"] == "8884.88"


def test_the_table_is_for_people() -> None:
    terms = ISSUE_TERMS | {"fees": [{"name": "service", "amount": "500", "charged": "upfront"}]}
    result = run(terms)
    assert result.exit_code == 0, result.output
    assert "equal_installment" in result.stdout
    assert "8,884.88" in result.stdout and "92,115.12" in result.stdout
    assert "106,618.53" in result.stdout
    assert "APR 12.95% nominal" in result.stdout
    assert "upfront fee 500.00" in result.stdout


BAD_TERMS = [
    ({"principal": "-100"}, "principal"),
    ({"principal": "0"}, "principal"),
    ({"principal": "lots"}, "principal"),
    ({"method": "balloon"}, "method"),
    ({"term": 0}, "term"),
    ({"term": "12"}, "term"),
    ({"term": 1.5}, "term"),
    ({"annual_rate": "twelve"}, "annual_rate"),
    ({"annual_rate": "NaN"}, "annual_rate"),
    ({"annual_rate": "-1"}, "annual_rate"),
    ({"first_due_date": "2025-01-10"}, "first_due_date"),
    ({"first_due_date": "2025-02-30"}, "first_due_date"),
    ({"disbursement_date": "yesterday"}, "disbursement_date"),
    ({"frequency": "sometimes"}, "frequency"),
    ({"day_count": "ACT/366"}, "day_count"),
    ({"rounding": "nearest"}, "rounding"),
    ({"digits": 9}, "digits"),
    ({"installment_multiple": "0.001"}, "installment_multiple"),
    ({"grace_principal_periods": 12}, "grace_principal_periods"),
    ({"business_day": "sometimes"}, "business_day"),
    ({"weekend": ["caturday"]}, "weekend.0"),
    ({"fees": [{"name": "svc", "charged": "upfront"}]}, "fees.svc"),
    ({"fees": [{"amount": "1", "charged": "monthly"}]}, "fees.0.charged"),
    ({"fees": [{"amount": "100000", "charged": "upfront"}]}, "fees"),
    ({"principal_amount": "1"}, "principal_amount"),
    ({"currency": "rmb"}, "currency"),
]


@pytest.mark.parametrize(("change", "field"), BAD_TERMS, ids=[f for _, f in BAD_TERMS])
def test_bad_terms_exit_2_with_one_line_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    result = run(ISSUE_TERMS | change)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {field}: ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("key", ["principal", "annual_rate", "term", "method"])
def test_each_required_key_is_named_when_missing(key: str) -> None:
    terms = {k: v for k, v in ISSUE_TERMS.items() if k != key}
    result = run(terms)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {key}: Field required"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"principal": ', "error: terms: not valid JSON"),
        ("[1, 2]", "error: terms: must be a JSON object"),
        ('{"principal": NaN}', "error: terms: NaN is not a number"),
    ],
)
def test_input_that_is_not_terms(text: str, message: str) -> None:
    result = run(text)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    result = RUNNER.invoke(app, ["schedule", "--terms", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: terms: cannot read")


def test_an_unknown_format_is_a_usage_error() -> None:
    result = run(ISSUE_TERMS, "--format", "xml")
    assert result.exit_code == 2
