"""The pre-loan investigation templates (贷前调查模板), as data: sections and their fields for an
individual borrower and for a small enterprise. A product version names its template
(``ProductTerms.investigation_template``).

Pure: ``checked_sections`` validates a report's answers against its template. Labels are English
msgids (the UI translates them); answers are stored as JSON: text, whole numbers, decimal strings
for amounts, ISO dates, booleans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from microlend.kernel.errors import ValidationFailed


def N_(message: str) -> str:  # marks a msgid for the catalog; the UI translates it
    return message


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text | textarea | amount | integer | date | yesno | choice
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    fields: tuple[FieldSpec, ...]
    photos: bool = False  # does the section ask for photos?


F = FieldSpec
SITE_VISIT = SectionSpec(
    "site_visit",
    N_("Site visit"),
    (
        F("visit_date", N_("Visit date"), "date", True),
        F("visited_address", N_("Address visited"), "text", True),
        F("persons_met", N_("Persons met"), "text"),
        F("observations", N_("Observations"), "textarea", True),
    ),
    photos=True,
)
PURPOSE = SectionSpec(
    "purpose_of_funds",
    N_("Purpose of funds"),
    (
        F("stated_purpose", N_("Stated purpose"), "textarea", True),
        F("purpose_verified", N_("Purpose verified (contracts, invoices, quotes)"), "yesno", True),
        F("evidence", N_("Evidence seen"), "textarea"),
    ),
)
REPAYMENT = SectionSpec(
    "repayment_source",
    N_("Repayment source"),
    (
        F("primary_source", N_("Primary repayment source"), "textarea", True),
        F("secondary_source", N_("Secondary repayment source"), "textarea"),
        F("monthly_capacity", N_("Monthly repayment capacity"), "amount", True),
    ),
)
RISK = SectionSpec(
    "risk_summary",
    N_("Risk summary"),
    (
        F("risk_level", N_("Risk level"), "choice", True, ("low", "medium", "high")),
        F("risks", N_("Main risks"), "textarea", True),
        F("mitigants", N_("Mitigants"), "textarea"),
    ),
)

INDIVIDUAL: tuple[SectionSpec, ...] = (
    SITE_VISIT,
    SectionSpec(
        "identity_residence",
        N_("Identity and residence verification"),
        (
            F("id_verified", N_("Identity document checked against the original"), "yesno", True),
            F("residence_verified", N_("Residence verified"), "yesno", True),
            F("residence_years", N_("Years at this residence"), "integer"),
            F("household", N_("Household (spouse, dependants)"), "text"),
        ),
        photos=True,
    ),
    SectionSpec(
        "business_operation",
        N_("Business operation"),
        (
            F("occupation", N_("Occupation or business"), "text", True),
            F("years_in_business", N_("Years in this occupation"), "integer", True),
            F("monthly_revenue", N_("Monthly revenue"), "amount"),
            F("employer_verified", N_("Employer or business verified"), "yesno"),
        ),
        photos=True,
    ),
    SectionSpec(
        "financial_verification",
        N_("Financial verification"),
        (
            F("monthly_income", N_("Monthly income"), "amount", True),
            F("monthly_expense", N_("Monthly expense"), "amount", True),
            F("existing_debt", N_("Existing debt"), "amount"),
            F("credit_report_checked", N_("Credit report checked"), "yesno", True),
        ),
    ),
    PURPOSE,
    REPAYMENT,
    RISK,
)

ENTERPRISE: tuple[SectionSpec, ...] = (
    SITE_VISIT,
    SectionSpec(
        "identity_residence",
        N_("Identity and residence verification"),
        (
            F(
                "licence_verified",
                N_("Business licence checked against the original"),
                "yesno",
                True,
            ),
            F(
                "representative_verified",
                N_("Legal representative's identity checked"),
                "yesno",
                True,
            ),
            F("premises_verified", N_("Registered and operating premises verified"), "yesno", True),
            F("actual_controller", N_("Actual controller"), "text", True),
        ),
        photos=True,
    ),
    SectionSpec(
        "business_operation",
        N_("Business operation"),
        (
            F("main_business", N_("Main business"), "text", True),
            F("years_in_business", N_("Years in business"), "integer", True),
            F("employees", N_("Employees"), "integer"),
            F("premises", N_("Premises"), "choice", True, ("owned", "rented")),
            F("major_customers", N_("Major customers and suppliers"), "textarea"),
        ),
        photos=True,
    ),
    SectionSpec(
        "financial_verification",
        N_("Financial verification"),
        (
            F("annual_revenue", N_("Annual revenue"), "amount", True),
            F("net_profit", N_("Net profit"), "amount", True),
            F("total_assets", N_("Total assets"), "amount", True),
            F("total_liabilities", N_("Total liabilities"), "amount", True),
            F("bank_statements_checked", N_("Bank statements checked"), "yesno", True),
            F("tax_records_checked", N_("Tax records checked"), "yesno"),
        ),
    ),
    PURPOSE,
    REPAYMENT,
    RISK,
)

TEMPLATES: dict[str, tuple[SectionSpec, ...]] = {"individual": INDIVIDUAL, "enterprise": ENTERPRISE}
RECOMMENDATIONS = ("approve", "decline")


def template_of(name: str) -> tuple[SectionSpec, ...]:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValidationFailed("individual or enterprise", field="template") from None


def _answer(spec: FieldSpec, raw: Any, *, where: str) -> Any:
    """One answer, normalised for storage (``None`` when blank)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if spec.kind == "yesno":
        if isinstance(raw, bool):
            return raw
        if str(raw).lower() in ("yes", "true", "on", "1"):
            return True
        if str(raw).lower() in ("no", "false", "off", "0"):
            return False
        raise ValidationFailed("yes or no", field=where)
    if isinstance(raw, bool | float | dict | list):
        raise ValidationFailed("a value written as text", field=where)
    text = str(raw).strip()
    if spec.kind in ("text", "textarea"):
        limit = 200 if spec.kind == "text" else 4000
        if len(text) > limit:
            raise ValidationFailed(
                "at most %(limit)s characters", field=where, params={"limit": limit}
            )
        return text
    if spec.kind == "choice":
        if text not in spec.choices:
            raise ValidationFailed(
                "one of %(choices)s", field=where, params={"choices": ", ".join(spec.choices)}
            )
        return text
    if spec.kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationFailed("a date like 2026-01-31", field=where) from None
    if spec.kind == "integer":
        if not text.isdigit():
            raise ValidationFailed("a whole number, 0 or more", field=where)
        return int(text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed("an amount, 0 or more, with at most 2 decimals", field=where)
    return str(amount)


def checked_sections(
    template: str, answers: dict[str, Any], *, complete: bool
) -> dict[str, dict[str, Any]]:
    """The answers of a report, normalised per its template. Unknown sections or fields are
    refused; ``complete`` also requires every required field (``sections.<key>.<field>``)."""
    sections = template_of(template)
    known = {section.key: section for section in sections}
    for key in answers:
        if key not in known:
            raise ValidationFailed("no such section in the template", field=f"sections.{key}")
    result: dict[str, dict[str, Any]] = {}
    for section in sections:
        given = answers.get(section.key) or {}
        if not isinstance(given, dict):
            raise ValidationFailed("a section is a set of answers", field=f"sections.{section.key}")
        names = {f.name for f in section.fields}
        for name in given:
            if name not in names:
                raise ValidationFailed("no such field", field=f"sections.{section.key}.{name}")
        values: dict[str, Any] = {}
        for spec in section.fields:
            where = f"sections.{section.key}.{spec.name}"
            value = _answer(spec, given.get(spec.name), where=where)
            if value is None and complete and spec.required:
                raise ValidationFailed("required to complete the report", field=where)
            if value is not None:
                values[spec.name] = value
        result[section.key] = values
    return result


def section_keys(template: str) -> tuple[str, ...]:
    return tuple(section.key for section in template_of(template))
