"""The loan pages: who may open them, the repayment form with its allocation preview, the
allocation and the voucher on the loan page after a repayment, and the forms' refusals."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.e2e.pages_support import HTML, ROLES, ZH, sign_in, ui_client
from tests.integration.loans_support import disbursed, set_business_date
from tests.seed import World

__all__ = ["ui_client"]

VIEWERS = frozenset(ROLES) - {"admin"}  # loans.view
PAGES = {
    "/loans": VIEWERS,
    "/loans/{loan_id}": VIEWERS,
    "/loans/{loan_id}/repayment-preview": VIEWERS,
    "/loans/disbursements": frozenset({"finance"}),  # loans.disburse
}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_open_each_loan_page(ui_client: TestClient, world: World, role: str) -> None:
    loan = disbursed(world)
    sign_in(ui_client, ROLES[role])
    outcome = {
        path: ui_client.get(path.format(loan_id=loan.id), headers=HTML).status_code
        for path in PAGES
    }
    assert outcome == {path: 200 if role in allowed else 403 for path, allowed in PAGES.items()}


def test_repay_through_the_form_then_see_the_allocation_and_the_voucher(
    ui_client: TestClient, world: World
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    csrf = sign_in(ui_client, "finance")
    page = ui_client.get(f"/loans/{loan.id}", headers=HTML)
    assert page.status_code == 200 and loan.number in page.text
    assert f'hx-get="/loans/{loan.id}/repayment-preview"' in page.text
    preview = ui_client.get(
        f"/loans/{loan.id}/repayment-preview",
        params={"amount": "1200.00"},
        headers={**HTML, "HX-Request": "true", "HX-Target": "#repayment-preview"},
    )
    assert preview.status_code == 200
    assert "1,000.00" in preview.text and "120.00" in preview.text and "80.00" in preview.text
    done = ui_client.post(
        f"/loans/{loan.id}/repay",
        data={
            "csrf_token": csrf,
            "amount": "1120.00",
            "value_date": "2025-02-15",
            "channel": "bank",
            "external_reference": "WEB-1",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = ui_client.get(f"/loans/{loan.id}", headers=HTML)
    assert "#1 principal 1,000.00" in page.text or "#1 本金 1,000.00" in page.text
    assert "/accounting/vouchers/" in page.text and "2025-02-" in page.text
    assert "11,000.00" in page.text  # outstanding principal


def test_a_refused_repayment_is_a_notice_not_an_error(ui_client: TestClient, world: World) -> None:
    loan = disbursed(world)
    csrf = sign_in(ui_client, "finance")
    done = ui_client.post(
        f"/loans/{loan.id}/repay",
        data={"csrf_token": csrf, "amount": "12.345"},
        headers={**HTML, **ZH},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = ui_client.get(f"/loans/{loan.id}", headers={**HTML, **ZH})
    assert "notice-error" in page.text


def test_the_list_filters_overdue_loans(ui_client: TestClient, world: World) -> None:
    loan = disbursed(world)
    sign_in(ui_client, "finance")
    assert loan.number in ui_client.get("/loans", headers=HTML).text
    assert loan.number not in ui_client.get("/loans?overdue=1", headers=HTML).text
