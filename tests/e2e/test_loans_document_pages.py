"""A loan's printable documents. The payoff certificate on the loan page: issued by the form once
the loan is paid off, listed with its links; the certificate's own page (identity number masked
without ``pii.view``) and its PDF (``pii.view``); a reversal that reopens the loan shows it void.
A payment's receipt (还款凭证): the amount in figures and capitals, how it was applied, and
"reversed" across it once taken back. A drawdown's IOU (借款借据) under the same route.

The receipt's loan: 12,000.00 over 12 months, equal principal at 12 % a year, disbursed 15 Jan
2025; on 15 Feb installment 1 is 1,000.00 + 120.00 (1 % of the balance), so 1,200.00 paid in cash
settles it and leaves 80.00 of credit."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from microlend.loans import service as loans
from microlend.loans.views import EventOutcome
from microlend.products.model import ProductFee
from tests.e2e.pages_support import HTML, ROLES, ZH, sign_in, ui_client
from tests.e2e.test_permission_matrix import fresh_token
from tests.integration.loans_support import disbursed, repaid, reversed_event, set_business_date
from tests.seed import World

__all__ = ["ui_client"]

ID_NUMBER = "110105198001010016"
VIEWERS = frozenset(ROLES) - {"admin"}
PII_VIEWERS = frozenset({"loan_officer", "risk_officer", "approver", "collector"})
PAGE = "/loans/{loan_id}/certificates/{certificate_id}"
RECEIPT = "/loans/{loan_id}/events/{event_id}/receipt"
STATEMENT = "/loans/{loan_id}/statement"
PAGES = {PAGE: VIEWERS, PAGE + ".pdf": PII_VIEWERS, RECEIPT: VIEWERS, STATEMENT: VIEWERS}


def _paid_off(world: World) -> tuple[int, EventOutcome]:
    """1,000.00 over one month at 1 %, paid off on its due day, 15 Feb 2025."""
    loan = disbursed(world, amount="1000.00", term=1, id_number=ID_NUMBER)
    set_business_date(world, date(2025, 2, 15))
    return loan.id, repaid(world, loan.id, "1010.00")


def _issue(client: TestClient, loan_id: int, csrf: str) -> str:
    done = client.post(
        f"/loans/{loan_id}/payoff-certificate", data={"csrf_token": csrf}, headers=HTML
    )
    assert done.status_code == 303
    return client.get(f"/loans/{loan_id}", headers=HTML).text


def test_issue_the_certificate_from_the_loan_page_and_open_it(
    ui_client: TestClient, world: World
) -> None:
    loan_id, paid = _paid_off(world)
    csrf = sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/loans/{loan_id}", headers={**HTML, **ZH}).text
    assert 'id="issue-certificate"' in page and "开具结清证明" in page
    page = _issue(ui_client, loan_id, csrf)
    assert "The payoff certificate is issued." in page
    assert 'data-certificate="JQ2025000001"' in page and 'id="issue-certificate"' not in page
    (certificate,) = loans_certificates(world, loan_id)
    document = ui_client.get(f"/loans/{loan_id}/certificates/{certificate}", headers=HTML)
    assert (
        document.status_code == 200
        and "default-src 'none'" in document.headers["content-security-policy"]
    )
    text = document.text
    assert "结清证明" in text and "JQ2025000001" in text and ID_NUMBER in text
    assert 'id="paid-off-on">2025-02-15<' in text and 'id="certificate-total">1,010.00<' in text
    pdf = ui_client.get(f"/loans/{loan_id}/certificates/{certificate}.pdf", headers=HTML)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "JQ2025000001.pdf" in pdf.headers["content-disposition"]

    ui_client.cookies.clear()
    sign_in(ui_client, "finance")  # no pii.view: masked, and no PDF
    masked = ui_client.get(f"/loans/{loan_id}/certificates/{certificate}", headers=HTML).text
    assert "JQ2025000001" in masked and ID_NUMBER not in masked
    page = ui_client.get(f"/loans/{loan_id}", headers=HTML).text
    assert f"/certificates/{certificate}.pdf" not in page
    refused = ui_client.get(f"/loans/{loan_id}/certificates/{certificate}.pdf", headers=HTML)
    assert refused.status_code == 403

    reversed_event(world, loan_id, paid.event.id)  # the payment bounces: the loan is open again
    page = ui_client.get(f"/loans/{loan_id}", headers=HTML).text
    assert "Void" in page and "the loan was reopened" in page
    assert 'id="issue-certificate"' not in page  # nothing to certify while it is owed
    voided = ui_client.get(f"/loans/{loan_id}/certificates/{certificate}", headers=HTML).text
    assert 'id="certificate-void"' in voided


def loans_certificates(world: World, loan_id: int) -> list[int]:
    with world.make_uow(read_only=True) as uow:
        listed = loans.certificates(uow, world.principal("finance"), loan_id=loan_id)
    return [c.id for c in listed]


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_open_a_certificate_and_its_pdf(
    ui_client: TestClient, world: World, role: str
) -> None:
    loan_id, paid = _paid_off(world)
    with world.make_uow() as uow:
        issued = loans.issue_certificate(
            uow, world.principal("finance"), loan_id=loan_id, now=world.now
        )
        uow.commit()
    assert isinstance(issued, loans.CertificateView)
    csrf = sign_in(ui_client, ROLES[role])
    seen = {
        path: ui_client.get(
            path.format(loan_id=loan_id, certificate_id=issued.id, event_id=paid.event.id),
            headers=HTML,
        )
        for path in PAGES
    }
    assert {path: answer.status_code for path, answer in seen.items()} == {
        path: 200 if role in allowed else 403 for path, allowed in PAGES.items()
    }
    issue = ui_client.post(
        f"/loans/{loan_id}/payoff-certificate", data={"csrf_token": csrf}, headers=HTML
    )
    may_issue = role in ("loan_officer", "finance")  # loans.certificate.issue
    assert issue.status_code == (303 if may_issue else 403)


def test_a_payment_receipt_in_figures_and_capitals_and_how_it_was_applied(
    ui_client: TestClient, world: World
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    paid = repaid(world, loan.id, "1200.00", channel="cash", external_reference="CASH-0215")
    sign_in(ui_client, "officer_a")
    url = f"/loans/{loan.id}/events/{paid.event.id}/receipt"
    page = ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    assert f'href="{url}"' in page
    text = ui_client.get(url, headers=HTML).text
    assert f'id="receipt-number">{loan.number}-002<' in text  # the loan's second event
    assert 'id="receipt-amount">CNY 1,200.00<' in text
    assert 'id="receipt-capitals">人民币壹仟贰佰元整<' in text
    applied = text[text.index('id="receipt-applied"') :]
    figures = re.findall(r'<td class="num">([^<]*)</td>', applied)
    assert figures == ["1,000.00", "120.00", "0.00", "0.00", "80.00"]
    assert "现金" in text and "CASH-0215" in text and "Finance" in text  # who entered it
    assert 'id="receipt-reversed"' not in text

    taken = reversed_event(world, loan.id, paid.event.id, "假币")
    assert 'id="receipt-reversed"' in ui_client.get(url, headers=HTML).text
    assert taken.event.kind == "reversal"  # moves no money: no paper of its own
    assert ui_client.get(f"/loans/{loan.id}/events/{taken.event.id}/receipt").status_code == 404


def test_a_refund_of_the_credit_balance_has_its_slip(ui_client: TestClient, world: World) -> None:
    # the receipt's loan: 1,200.00 on 15 Feb leaves 80.00 of credit, paid back the same day
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    repaid(world, loan.id, "1200.00")
    with world.make_uow() as uow:
        back = loans.refund(
            uow, world.principal("finance"), loan_id=loan.id, amount="80.00", now=world.now
        )
        uow.commit()
    assert isinstance(back, EventOutcome)
    sign_in(ui_client, "officer_a")
    url = f"/loans/{loan.id}/events/{back.event.id}/receipt"
    assert f'href="{url}"' in ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    text = ui_client.get(url, headers=HTML).text
    assert "<h1>退款凭证</h1>" in text and f'id="receipt-number">{loan.number}-003<' in text
    assert 'id="receipt-amount">CNY 80.00<' in text
    assert 'id="receipt-capitals">人民币捌拾元整<' in text
    assert 'id="receipt-applied"' not in text and "收款人（签字）" in text


def test_a_drawdown_iou_states_what_was_paid_out_and_the_terms(
    ui_client: TestClient, world: World
) -> None:
    """12,000.00 at 12 % over 12 months, equal principal, with a 1 % upfront fee (120.00)
    deducted: 11,880.00 paid out to the borrower, maturity 15 Jan 2026."""
    fee = (ProductFee("服务费", "upfront", percent=Decimal("1")),)
    loan = disbursed(world, fees=fee)
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/loans/{loan.id}", headers={**HTML, **ZH}).text
    with world.make_uow(read_only=True) as uow:
        shown = loans.events(uow, world.principal("officer_a"), loan_id=loan.id)
    url = f"/loans/{loan.id}/events/{shown[0].id}/receipt"
    assert f'href="{url}"' in page and "借据" in page
    text = ui_client.get(url, headers=HTML).text
    assert "<h1>借款借据</h1>" in text and f'id="receipt-number">{loan.number}-001<' in text
    assert 'id="receipt-amount">CNY 12,000.00<' in text
    assert 'id="receipt-capitals">人民币壹万贰仟元整<' in text
    assert 'id="iou-paid-out">CNY 11,880.00<' in text and 'id="iou-payee">李四<' in text
    assert "CNY 120.00" in text and "放款时扣收" in text
    assert "2026-01-15" in text and "等额本金" in text and "12 期" in text and "进货" in text


def test_the_statement_of_account_from_the_loan_page(ui_client: TestClient, world: World) -> None:
    # the receipt's loan: on 15 Feb 1,200.00 settles installment 1 (1,120.00) and leaves 80.00
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    repaid(world, loan.id, "1200.00")
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    assert f'action="/loans/{loan.id}/statement"' in page
    text = ui_client.get(
        f"/loans/{loan.id}/statement", params={"start": "2025-02-01", "end": "2025-02-15"}
    ).text
    assert 'id="statement-period">2025-02-01 — 2025-02-15<' in text
    opening = text[text.index('id="statement-opening"') : text.index('id="statement-lines"')]
    assert re.findall(r'<td class="num">([^<]*)</td>', opening)[0] == "12,000.00"
    totals = text[text.index('id="statement-totals"') : text.index("</tbody>")]
    figures = re.findall(r'<td class="num">([^<]*)</td>', totals)
    assert figures == ["1,200.00", "0.00", "1,000.00", "120.00", "0.00", "0.00", "80.00"]
    closing = text[text.index('id="statement-closing"') :]
    assert re.findall(r'<td class="num">([^<]*)</td>', closing)[0] == "11,000.00"
    refused = ui_client.get(f"/loans/{loan.id}/statement", params={"end": "2025-02-16"})
    assert refused.status_code == 422  # after the business date


def test_the_statement_through_the_api(world: World, client: TestClient) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    repaid(world, loan.id, "1200.00")  # 1,120.00 due: 80.00 of credit
    headers = fresh_token(world, "officer_a")
    answer = client.get(
        f"/api/v1/loans/{loan.id}/statement", params={"start": "2025-02-01"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["opening"]["principal"] == "12000.00" and body["closing"]["credit"] == "80.00"
    assert [(line["kind"], line["money_in"]) for line in body["lines"]] == [
        ("repayment", "1200.00")
    ]
    assert body["totals"]["interest"] == "120.00"
    refused = client.get(
        f"/api/v1/loans/{loan.id}/statement", params={"end": "2025-02-16"}, headers=headers
    )
    assert refused.status_code == 422 and "end" in refused.text
