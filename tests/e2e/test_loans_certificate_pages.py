"""The payoff certificate on the loan page: issued by the form once the loan is paid off, listed
with its links; the certificate's own page (identity number masked without ``pii.view``) and
its PDF (``pii.view``); a reversal that reopens the loan shows it void."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from microlend.loans import service as loans
from microlend.loans.views import EventOutcome
from tests.e2e.pages_support import HTML, ROLES, ZH, sign_in, ui_client
from tests.integration.loans_support import disbursed, set_business_date
from tests.seed import World

__all__ = ["ui_client"]

ID_NUMBER = "110105198001010016"
VIEWERS = frozenset(ROLES) - {"admin"}
PII_VIEWERS = frozenset({"loan_officer", "risk_officer", "approver", "collector"})
PAGE = "/loans/{loan_id}/certificates/{certificate_id}"
PAGES = {PAGE: VIEWERS, PAGE + ".pdf": PII_VIEWERS}  # the PDF: and pii.view


def _paid_off(world: World) -> tuple[int, EventOutcome]:
    """1,000.00 over one month at 1 %, paid off on its due day, 15 Feb 2025."""
    loan = disbursed(world, amount="1000.00", term=1, id_number=ID_NUMBER)
    set_business_date(world, date(2025, 2, 15))
    with world.make_uow() as uow:
        paid = loans.repay(
            uow, world.principal("finance"), loan_id=loan.id, amount="1010.00", now=world.now
        )
        uow.commit()
    assert isinstance(paid, EventOutcome)
    return loan.id, paid


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

    with world.make_uow() as uow:  # the payment bounces: the loan is open again
        loans.reverse(
            uow,
            world.principal("finance"),
            loan_id=loan_id,
            event_id=paid.event.id,
            reason="退票",
            now=world.now,
        )
        uow.commit()
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
    loan_id, _paid = _paid_off(world)
    with world.make_uow() as uow:
        issued = loans.issue_certificate(
            uow, world.principal("finance"), loan_id=loan_id, now=world.now
        )
        uow.commit()
    assert isinstance(issued, loans.CertificateView)
    csrf = sign_in(ui_client, ROLES[role])
    seen = {
        path: ui_client.get(path.format(loan_id=loan_id, certificate_id=issued.id), headers=HTML)
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
