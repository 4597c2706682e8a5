"""Origination in a real browser: an officer applies through the wizard, investigates, the
automated decision refers the application, the branch manager and the risk officer approve it
at their levels, and the contract PDF downloads."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

APPLICANT_ID = "110105199001010010"  # a resident ID with a valid check digit, born 1990


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def register_applicant(page: Page) -> None:
    page.goto("/customers/new?kind=individual")
    page.locator("#f-id_number").fill(APPLICANT_ID)
    page.locator("#f-name").fill("赵浏览")
    page.get_by_role("button", name="Register").click()
    expect(page.locator(".notice-success")).to_contain_text("赵浏览")
    for doc_type in ("id_copy", "statement"):
        form = page.locator('form[action$="/documents"]')
        form.locator("select[name=doc_type]").select_option(doc_type)
        form.locator("input[type=file]").set_input_files(
            files=[
                {
                    "name": f"{doc_type}.pdf",
                    "mimeType": "application/pdf",
                    "buffer": f"%PDF {doc_type}".encode(),
                }
            ]
        )
        form.get_by_role("button", name="Upload").click()
        expect(page.locator("#documents")).to_contain_text(f"{doc_type}.pdf")


def apply_through_the_wizard(page: Page) -> str:
    page.locator("nav.sidenav").get_by_role("link", name="Applications").click()
    page.get_by_role("link", name="New application").click()
    page.get_by_placeholder("Name, ID number, USCC or phone").fill(APPLICANT_ID)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Apply for this customer").click()
    product = page.locator("#f-product_version_id option", has_text="个人消费贷")
    page.locator("#f-product_version_id").select_option(product.get_attribute("value"))
    page.locator("#f-amount").fill("20000")
    page.locator("#f-term_count").fill("12")
    page.locator("#f-annual_rate").fill("18")
    page.locator("#f-purpose").fill("装修 home repairs")
    # the live quote (htmx): 20,000 at 18 % over 12 equal installments, no fee: APR 18 %
    expect(page.locator("#quote-apr")).to_have_text("18.00%")
    screenshot(page, "application-wizard-quote-en")
    page.get_by_role("button", name="Save draft and continue").click()
    expect(page.locator(".notice-success")).to_contain_text("drafted")
    page.get_by_role("link", name="Continue to review").click()
    page.locator("#submit-application").click()
    expect(page.locator(".notice-success")).to_have_text("Application submitted.")
    number = page.locator("#application-number").inner_text()
    assert re.fullmatch(r"SQ\d{10}", number)
    return page.url


def investigate(page: Page) -> None:
    page.get_by_role("button", name="Investigation report").click()
    answers = {
        "site_visit-visit_date": "2026-01-10",
        "site_visit-visited_address": "城东区幸福路 8 号",
        "site_visit-observations": "家中整洁，收入稳定",
        "business_operation-occupation": "教师",
        "business_operation-years_in_business": "8",
        "financial_verification-monthly_income": "9000",
        "financial_verification-monthly_expense": "4000",
        "purpose_of_funds-stated_purpose": "装修",
        "repayment_source-primary_source": "工资",
        "repayment_source-monthly_capacity": "3000",
        "risk_summary-risks": "无明显风险",
    }
    for name, value in answers.items():
        page.locator(f"#f-{name}").fill(value)
    for name in (
        "identity_residence-id_verified",
        "identity_residence-residence_verified",
        "financial_verification-credit_report_checked",
        "purpose_of_funds-purpose_verified",
    ):
        page.locator(f"#f-{name}").select_option("yes")
    page.locator("#f-risk_summary-risk_level").select_option("low")
    page.locator("#f-recommendation").select_option("approve")
    page.locator("#f-opinion").fill("建议批准")
    page.locator("#complete-report").click()
    expect(page.locator(".notice-success")).to_have_text("Investigation completed.")
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "under_review")


def approve_as(page: Page, username: str, application_url: str) -> None:
    sign_out(page)
    sign_in(page, username)
    application_id = application_url.rstrip("/").rsplit("/", 1)[1]
    page.goto(f"/approvals/applications/{application_id}")
    page.locator("#f-action").select_option("approve")
    page.locator("#f-opinion").fill(f"{username} 同意")
    page.get_by_role("button", name="Submit decision").click()
    expect(page.locator(".notice-success")).to_be_visible()


def test_an_officer_applies_two_approvers_approve_and_the_contract_downloads(page: Page) -> None:
    sign_in(page, "officer")
    register_applicant(page)
    application_url = apply_through_the_wizard(page)
    investigate(page)
    # the automated decision referred it: no monthly income on file (DTI unknown)
    expect(page.locator("#decision-panel")).to_contain_text("Refer")
    screenshot(page, "application-under-review-en")

    approve_as(page, "approver", application_url)  # the branch manager, up to 50,000
    approve_as(page, "risk", application_url)  # the risk review a referral adds

    sign_out(page)
    sign_in(page, "officer")
    page.goto(application_url)
    expect(page.locator("h1 [data-status]")).to_have_attribute("data-status", "approved")
    page.set_default_timeout(60_000)  # the server loads WeasyPrint for its first PDF
    page.get_by_role("button", name="Write the contract").click()
    expect(page.locator(".notice-success")).to_contain_text("Contract HT")
    expect(page.locator("#contract-number")).to_have_text(re.compile(r"HT\d{10}"))
    screenshot(page, "application-contracted-en")
    with page.expect_download() as download_info:
        page.locator("#contract-pdf").click()
    download = download_info.value
    assert re.fullmatch(r"HT\d{10}\.pdf", download.suggested_filename)
    path = download.path()
    assert path is not None and path.read_bytes().startswith(b"%PDF")
