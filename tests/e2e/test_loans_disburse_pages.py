"""The disbursement pages (放款, 分次放款): who may open the queue, a first tranche through the
queue's form, a later tranche through the loan page's form, a refusal shown as a notice.

The application (tests/integration/loans_support.py): 12,000.00 approved, 12 months at 12 %,
equal principal; a first tranche of 6,000.00 on 2025-01-15 leaves 6,000.00 undisbursed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from microlend.loans.tables import Loan, LoanEvent
from microlend.origination.tables import Application
from microlend.products.model import ProductFee
from tests.e2e.pages_support import HTML, sign_in, ui_client
from tests.integration.loans_support import add_bank_account, contracted, set_business_date
from tests.seed import World

__all__ = ["ui_client"]


def test_first_tranche_from_the_queue_then_a_later_one_from_the_loan_page(
    ui_client: TestClient, world: World
) -> None:
    app_id = contracted(world)
    set_business_date(world, date(2025, 1, 15))
    csrf = sign_in(ui_client, "finance")
    queue = ui_client.get("/loans/disbursements", headers=HTML)
    assert "SQLN" in queue.text and "12,000.00" in queue.text
    done = ui_client.post(
        f"/loans/disbursements/{app_id}",
        data={"csrf_token": csrf, "amount": "6000.00", "disbursement_date": "2025-01-15"},
        headers=HTML,
    )
    assert done.status_code == 303
    loan_url = done.headers["location"]
    page = ui_client.get(loan_url, headers=HTML)
    assert "DK2025000001" in page.text
    assert 'id="undisbursed">6,000.00<' in page.text
    assert "SQLN" not in ui_client.get("/loans/disbursements", headers=HTML).text

    refused = ui_client.post(
        f"{loan_url}/tranche", data={"csrf_token": csrf, "amount": "6000.01"}, headers=HTML
    )
    assert refused.status_code == 303
    assert "notice-error" in ui_client.get(loan_url, headers=HTML).text
    later = ui_client.post(
        f"{loan_url}/tranche",
        data={"csrf_token": csrf, "amount": "6000.00", "value_date": "2025-01-15"},
        headers=HTML,
    )
    assert later.status_code == 303
    page = ui_client.get(loan_url, headers=HTML)
    assert 'id="undisbursed"' not in page.text  # nothing left: the form is gone
    assert "12,000.00" in page.text


def test_the_loan_officer_cannot_post_a_tranche(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "officer_a")
    answer = ui_client.post("/loans/1/tranche", data={"csrf_token": csrf, "amount": "1"})
    assert answer.status_code == 403


def test_a_note_added_on_the_loan_page_shows_with_its_author(
    ui_client: TestClient, world: World
) -> None:
    app_id = contracted(world)
    set_business_date(world, date(2025, 1, 15))
    csrf = sign_in(ui_client, "finance")
    done = ui_client.post(f"/loans/disbursements/{app_id}", data={"csrf_token": csrf}, headers=HTML)
    loan_url = done.headers["location"]
    added = ui_client.post(
        f"{loan_url}/notes",
        data={"csrf_token": csrf, "body": "客户来电，约定月底还款"},
        headers=HTML,
    )
    assert added.status_code == 303
    page = ui_client.get(loan_url, headers=HTML)
    assert "客户来电，约定月底还款" in page.text
    assert world.principal("finance").display_name in page.text


def _with_account(world: World) -> tuple[int, int]:
    """A contracted application of 李四 with his registered account (…4567)."""
    app_id = contracted(world)
    set_business_date(world, date(2025, 1, 15))
    with world.make_uow(read_only=True) as uow:
        customer_id = uow.session.get_one(Application, app_id).customer_id
    account_id = add_bank_account(world, customer_id)
    return app_id, account_id


def _payee_of(world: World, loan_url: str) -> tuple[str, str, str]:
    with world.make_uow(read_only=True) as uow:
        loan = uow.session.get_one(Loan, int(loan_url.rsplit("/", 1)[1]))
        return loan.payee, loan.payee_name, loan.payee_account


def test_the_queue_offers_the_borrowers_account_masked_and_pays_into_it(
    ui_client: TestClient, world: World
) -> None:
    app_id, account_id = _with_account(world)
    csrf = sign_in(ui_client, "finance")  # finance has no pii.view: the number is masked
    queue = ui_client.get("/loans/disbursements", headers=HTML).text
    assert f'<option value="{account_id}" selected>工商银行 ' in queue
    assert "6222020200001234567" not in queue and "4567" in queue
    done = ui_client.post(
        f"/loans/disbursements/{app_id}",
        data={
            "csrf_token": csrf,
            "payee": "borrower",
            "payee_account_id": str(account_id),
            "payee_name": "ignored",
            "payee_account": "ignored",
        },
        headers=HTML,
    )
    assert done.status_code == 303
    assert _payee_of(world, done.headers["location"]) == (
        "borrower",
        "李四",
        "6222020200001234567",
    )
    page = ui_client.get(done.headers["location"], headers=HTML).text
    assert '<span id="paid-into">***************4567</span>' in page  # 19 digits, 4 shown


def test_entrusted_payment_from_the_queue_ignores_the_borrowers_account(
    ui_client: TestClient, world: World
) -> None:
    app_id, account_id = _with_account(world)
    csrf = sign_in(ui_client, "finance")
    form = {"csrf_token": csrf, "payee": "seller", "payee_account_id": str(account_id)}
    refused = ui_client.post(f"/loans/disbursements/{app_id}", data=form, headers=HTML)
    assert refused.headers["location"].endswith("/loans/disbursements")  # no seller named
    assert "notice-error" in ui_client.get("/loans/disbursements", headers=HTML).text
    form |= {"payee_name": "某某农机公司", "payee_account": "3100 1234 5678 9012"}
    done = ui_client.post(f"/loans/disbursements/{app_id}", data=form, headers=HTML)
    assert _payee_of(world, done.headers["location"]) == (
        "seller",
        "某某农机公司",
        "3100123456789012",
    )


def test_an_upfront_fee_is_deducted_or_collected_as_the_form_says(
    ui_client: TestClient, world: World
) -> None:
    """A 1 % upfront fee on 12,000.00 is 120.00: collected apart, the whole 12,000.00 is paid out;
    a product without an upfront fee offers no choice."""
    plain = contracted(world)
    with_fee = contracted(
        world,
        code="FEE",
        id_number="110105198001010032",
        customer="王五",
        fees=(ProductFee("服务费", "upfront", percent=Decimal("1")),),
    )
    set_business_date(world, date(2025, 1, 15))
    csrf = sign_in(ui_client, "finance")
    queue = ui_client.get("/loans/disbursements", headers=HTML).text
    forms = {
        app_id: queue.split(f'action="/loans/disbursements/{app_id}"')[1].split("</form>")[0]
        for app_id in (plain, with_fee)
    }
    assert 'name="fee_mode"' in forms[with_fee] and 'name="fee_mode"' not in forms[plain]
    form = {"csrf_token": csrf, "fee_mode": "collected"}
    done = ui_client.post(f"/loans/disbursements/{with_fee}", data=form, headers=HTML)
    loan_id = int(done.headers["location"].rsplit("/", 1)[1])
    with world.make_uow(read_only=True) as uow:
        event = uow.session.scalars(select(LoanEvent).where(LoanEvent.loan_id == loan_id)).one()
    assert (event.detail["fee_mode"], event.detail["upfront_fee"], event.detail["paid_out"]) == (
        "collected",
        "120.00",
        "12000.00",
    )
