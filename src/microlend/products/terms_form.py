"""The product form: HTML form fields <-> the terms document, and a refusal's field -> the input.

Form names follow the document (``min_amount``...), with flat names for nested values:
``grade_A``..``grade_E``, ``fee_0_name`` / ``fee_0_charged`` / ``fee_0_kind`` (amount|percent) /
``fee_0_value`` / ``fee_0_base``, ``penalty_multiplier`` / ``penalty_base`` /
``penalty_grace_days`` / ``penalty_compound``. Multi-valued inputs (check boxes) are lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

GRADES = ("A", "B", "C", "D", "E")
FEE_ROWS = 3
TEXT_KEYS = (
    "currency", "min_amount", "max_amount", "frequency", "min_rate", "max_rate", "apr_cap",
    "interest_basis", "day_count", "rounding", "installment_multiple", "allocation_order",
    "prepayment_mode", "investigation_template", "approval_chain",
)  # fmt: skip
INT_KEYS = (
    "min_term", "max_term", "digits", "grace_principal_periods", "grace_interest_periods",
    "guarantors_required", "fund_usage_days",
)  # fmt: skip
LIST_KEYS = ("customer_kinds", "methods", "required_documents")
BOOL_KEYS = ("prepayment_allowed", "collateral_required")
FormValues = dict[str, Any]


def _int(text: str) -> int | str:
    """A whole number, or the text as typed (the terms then name the field)."""
    try:
        return int(text)
    except ValueError:
        return text


def _fee_rows(form: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    index = 0
    while f"fee_{index}_name" in form:
        name = str(form.get(f"fee_{index}_name") or "").strip()
        value = str(form.get(f"fee_{index}_value") or "").strip()
        if name or value:
            kind = "percent" if form.get(f"fee_{index}_kind") == "percent" else "amount"
            rows.append({
                "name": name, "charged": form.get(f"fee_{index}_charged") or "upfront",
                kind: value or None, "base": form.get(f"fee_{index}_base") or "principal",
            })  # fmt: skip
        index += 1
    return rows


def document_from_form(form: Mapping[str, Any]) -> dict[str, Any]:
    """The terms document a submitted form describes (validated afterwards by the terms)."""
    document: dict[str, Any] = {}
    for key in TEXT_KEYS:
        document[key] = str(form.get(key) or "").strip()
    for key in INT_KEYS:
        document[key] = _int(str(form.get(key) or "0").strip() or "0")
    for key in LIST_KEYS:
        values = form.get(key) or []
        document[key] = [str(v) for v in (values if isinstance(values, list) else [values])]
    for key in BOOL_KEYS:
        document[key] = bool(form.get(key))
    document["installment_multiple"] = document["installment_multiple"] or None
    order = document["allocation_order"]
    if "." in order:
        document["allocation_order"] = [s for s in order.replace(",", " ").split() if s]
    document["grade_rates"] = {
        grade: str(form.get(f"grade_{grade}")).strip()
        for grade in GRADES
        if str(form.get(f"grade_{grade}") or "").strip()
    }
    document["fees"] = _fee_rows(form)
    document["penalty"] = {
        "multiplier": str(form.get("penalty_multiplier") or "").strip(),
        "base": form.get("penalty_base") or "overdue_principal",
        "grace_days": _int(str(form.get("penalty_grace_days") or "0").strip() or "0"),
        "compound": bool(form.get("penalty_compound")),
    }
    return document


def form_from_document(document: Mapping[str, Any]) -> FormValues:
    """The form's values for a terms document (to revise a version)."""
    form: FormValues = {}
    for key in (*TEXT_KEYS, *INT_KEYS):
        value = document.get(key)
        form[key] = "" if value is None else str(value)
    order = document.get("allocation_order")
    if isinstance(order, list):
        form["allocation_order"] = " ".join(order)
    for key in (*LIST_KEYS, *BOOL_KEYS):
        form[key] = document.get(key)
    for grade in GRADES:
        form[f"grade_{grade}"] = (document.get("grade_rates") or {}).get(grade, "")
    fees: Sequence[Mapping[str, Any]] = document.get("fees") or []
    for index in range(max(FEE_ROWS, len(fees) + 1)):
        fee = fees[index] if index < len(fees) else {}
        percent = fee.get("percent") is not None
        form[f"fee_{index}_name"] = fee.get("name", "")
        form[f"fee_{index}_charged"] = fee.get("charged", "upfront")
        form[f"fee_{index}_kind"] = "percent" if percent else "amount"
        form[f"fee_{index}_value"] = fee.get("percent" if percent else "amount") or ""
        form[f"fee_{index}_base"] = fee.get("base", "principal")
    penalty = document.get("penalty") or {}
    form["penalty_multiplier"] = penalty.get("multiplier", "1.5")
    form["penalty_base"] = penalty.get("base", "overdue_principal")
    form["penalty_grace_days"] = str(penalty.get("grace_days", 0))
    form["penalty_compound"] = penalty.get("compound", False)
    return form


def fee_row_count(form: Mapping[str, Any]) -> int:
    count = 0
    while f"fee_{count}_name" in form:
        count += 1
    return max(count, FEE_ROWS)


def input_of(field: str | None, document: Mapping[str, Any]) -> str | None:
    """The form input a refusal's field names (``terms.fees.手续费`` -> ``fee_0_value``)."""
    if not field:
        return None
    parts = field.removeprefix("terms.").split(".")
    head = parts[0]
    if head == "customer_kind":
        return "customer_kinds"
    if head == "grade_rates":
        return f"grade_{parts[1]}" if len(parts) > 1 else "grade_A"
    if head == "penalty":
        return f"penalty_{parts[1]}" if len(parts) > 1 else "penalty_multiplier"
    if head == "fees":
        names = [fee.get("name") for fee in document.get("fees") or []]
        if len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            attribute = parts[2] if len(parts) > 2 else "value"
            attribute = "value" if attribute in ("amount", "percent") else attribute
            return f"fee_{index}_{attribute}"
        if len(parts) > 1 and parts[1] in names:
            return f"fee_{names.index(parts[1])}_value"
        return "fee_0_name"
    return head
