"""A refusal's detail reads in the reader's language: the service's message is translated through
the catalog, then filled with its values; the English detail (API, CLI) keeps the values too."""

from __future__ import annotations

from microlend.kernel.errors import RuleViolation, ValidationFailed
from microlend.origination.model import SubmissionFacts, submission_problems
from microlend.web.kit import error_text, i18n

ZH = i18n.translations("zh_CN").gettext
EN = i18n.translations("en").gettext


def test_a_message_with_values_is_translated_then_filled() -> None:
    error = ValidationFailed(
        "at most %(max_purpose)s characters", field="purpose", params={"max_purpose": 500}
    )
    assert error.detail == "at most 500 characters" and str(error) == "purpose: " + error.detail
    assert error_text.describe(error, ZH) == "请检查“借款用途”：最多 500 个字符"
    assert error_text.describe(error, EN) == "Please check Purpose of the loan: " + error.detail


def test_a_value_the_catalog_knows_is_translated_with_the_message() -> None:
    error = RuleViolation(
        "loan %(number)s is %(status)s", params={"number": "DK7", "status": "overdue"}
    )
    assert error.detail == "loan DK7 is overdue"  # the API's detail keeps the code
    assert error_text.problem(error, ZH) == "贷款 DK7 的状态为 逾期"
    assert error_text.problem(error, EN) == "loan DK7 is overdue"


def test_a_message_without_values_is_translated_and_never_formatted() -> None:
    assert error_text.describe(ValidationFailed("must be positive", field="amount"), ZH) == (
        "请检查“金额”：必须大于零"
    )
    percent = RuleViolation("100% of the fee %(x)s")  # no params: shown as written
    assert percent.detail == "100% of the fee %(x)s"
    assert error_text.describe(percent, EN) == "A business rule does not allow this. " + (
        "(100% of the fee %(x)s)"
    )


def test_a_text_the_catalog_does_not_know_shows_as_it_is() -> None:
    unknown = ValidationFailed("Input should be a valid integer")  # e.g. pydantic's own text
    assert error_text.describe(unknown, ZH) == "请检查输入内容。（Input should be a valid integer）"
    assert error_text.problem(ValidationFailed(""), ZH) == ""  # not the catalog's header


def test_the_form_names_the_field_as_it_labels_it() -> None:
    error = ValidationFailed(
        "the unified social credit code's check character is wrong", field="id_number"
    )
    labels = {"id_number": error_text.N_("Unified social credit code")}
    assert error_text.describe(error, ZH, labels) == (
        "请检查“统一社会信用代码”：统一社会信用代码的校验码错误"
    )
    assert error_text.describe(error, ZH).startswith("请检查“证件号码”")


def test_the_problems_of_a_submission_read_in_chinese_with_their_values() -> None:
    facts = SubmissionFacts(
        guarantors=0,
        guarantors_required=2,
        collateral_count=0,
        collateral_required=False,
        documents_on_file=frozenset(),
        documents_required=("id_copy",),
        applicant_blacklisted=False,
    )
    guarantors, documents = submission_problems(facts)
    assert guarantors.message == "the product needs 2 guarantor(s), the application has 0"
    assert error_text.translated(guarantors.template, guarantors.params, ZH) == (
        "该产品需要 2 名保证人，本申请有 0 名"
    )
    assert error_text.translated(documents.template, documents.params, ZH) == (
        "客户档案缺少以下资料：id_copy"
    )
