"""The loan pages: who may open them, the repayment form with its allocation preview, the
allocation and the voucher on the loan page after a repayment, the forms' refusals, the payoff
quote, and the waiver and write-off requests that wait for a second person (maker-checker)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from microlend.db.uow import SessionFactory
from microlend.eod.runner import run_close_of_business
from microlend.loans import service as loans
from microlend.loans.views import LoanView
from tests.e2e.pages_support import HTML, ROLES, ZH, sign_in, ui_client
from tests.integration.applications_support import contracted as contracted_through_origination
from tests.integration.loans_support import disbursed, record_usage, repaid, set_business_date
from tests.seed import World

__all__ = ["ui_client"]

VIEWERS = frozenset(ROLES) - {"admin"}  # loans.view
PAGES = {
    "/loans": VIEWERS,
    "/loans/{loan_id}": VIEWERS,
    "/loans/{loan_id}/repayment-preview": VIEWERS,
    "/loans/{loan_id}/schedule.xlsx": VIEWERS,
    "/loans/disbursements": frozenset({"finance"}),  # loans.disburse
    "/loans/auto-debit": frozenset({"finance"}),  # loans.repay
    "/loans/repayment-imports": frozenset({"finance"}),  # loans.repay
    "/loans/ledger.xlsx": frozenset({"finance", "manager"}),  # and reports.export
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
    voucher = re.findall(r'href="(/accounting/vouchers/\d+)"', page.text)[-1]
    summary = ui_client.get(voucher, headers=HTML).text  # the books' summary: Chinese
    assert f"{loan.number} 还款 2025-02-15" in summary and " repayment " not in summary


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


def test_a_form_field_that_cannot_be_read_is_refused_naming_the_field(
    ui_client: TestClient, world: World
) -> None:
    """Not read as "no date" (the business date): nothing is recorded, the notice says which
    field, and a bad amount or an unknown kind of payment names its field too."""
    loan = disbursed(world)
    csrf = sign_in(ui_client, "finance")
    for data, named in (
        ({"amount": "100.00", "value_date": "2025-13-45"}, "Value date"),
        ({"amount": "-100", "value_date": ""}, "Amount"),
        ({"amount": "100.00", "value_date": "", "kind": "zzz"}, "Kind"),  # not a repayment
    ):
        done = ui_client.post(
            f"/loans/{loan.id}/repay",
            data={"csrf_token": csrf, "kind": "repayment", **data},
            headers=HTML,
            follow_redirects=False,
        )
        assert done.status_code == 303
        page = ui_client.get(f"/loans/{loan.id}", headers=HTML).text
        assert "notice-error" in page and f"Please check {named}:" in page
        assert "notice-success" not in page and "12,000.00" in page  # outstanding principal


def test_the_loan_page_and_list_read_in_chinese(ui_client: TestClient, world: World) -> None:
    loan = disbursed(world)
    sign_in(ui_client, "finance")
    page = ui_client.get(f"/loans/{loan.id}", headers={**HTML, **ZH}).text
    assert '<span class="badge badge-neutral">正常</span>' in page  # the loan's status
    assert "<td>放款" in page and "<td>disbursement" not in page  # the event's kind
    assert "(借款人)" in page and "(borrower)" not in page  # the payee
    assert '<option value="bank">银行转账</option>' in page  # a repayment's channel
    assert '<option value="deduction">代扣</option>' in page
    assert "营业日期 2025-" in page  # the system's date, not a voucher's 记账日期
    customer = ui_client.get(f"/customers/{loan.customer_id}", headers={**HTML, **ZH}).text
    assert "<td>正常</td>" in customer and "<td>active</td>" not in customer  # the 360's loans
    assert "<dd>12,000.00</dd>" in customer  # own and group exposure, as amounts
    listing = ui_client.get("/loans", headers={**HTML, **ZH}).text
    assert '<option value="written_off">已核销</option>' in listing


def test_the_list_filters_overdue_loans(ui_client: TestClient, world: World) -> None:
    loan = disbursed(world)
    sign_in(ui_client, "finance")
    assert loan.number in ui_client.get("/loans", headers=HTML).text
    assert loan.number not in ui_client.get("/loans?overdue=1", headers=HTML).text


def _post(client: TestClient, url: str, data: dict[str, str]) -> str:
    """Post a form; follow the 303 and return the page it leads to."""
    response = client.post(url, data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"], headers=HTML).text


def _as(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


def _pending_id(page: str) -> int:
    found = re.search(r"Submitted for approval \(#(\d+)\)\. It takes effect when another", page)
    assert found, page
    return int(found.group(1))


def _loan_page_of(client: TestClient, world: World, day: date, username: str) -> tuple[str, str]:
    """A disbursed loan, the business date moved to ``day``, ``username`` signed in: the loan
    page's URL and the CSRF token."""
    loan = disbursed(world)
    set_business_date(world, day)
    return f"/loans/{loan.id}", _as(client, username)


def test_a_reversal_on_the_page_asks_for_its_reason_before_it_is_sent(
    ui_client: TestClient, world: World
) -> None:
    url, csrf = _loan_page_of(ui_client, world, date(2025, 2, 15), "finance")
    paid = repaid(world, int(url.rsplit("/", 1)[1]), "1120.00")
    page = ui_client.get(url, headers=HTML).text
    action = f'action="{url}/events/{paid.event.id}/reverse"'
    form = re.search(
        r'<details class="confirm"><summary class="btn btn-small">Reverse</summary>\s*'
        rf"<form method=\"post\" {action}.*?</form></details>",
        page,
        re.S,
    )
    assert form, page
    assert '<input type="text" name="reason" required maxlength="500"' in form.group(0)
    refused = _post(ui_client, f"{url}/events/{paid.event.id}/reverse", {"csrf_token": csrf})
    assert '<div class="notice notice-error">Give a reason.</div>' in refused
    assert action in refused  # not reversed: it may still be
    done = _post(
        ui_client, f"{url}/events/{paid.event.id}/reverse", {"csrf_token": csrf, "reason": "退票"}
    )
    assert "The transaction is reversed." in done and action not in done
    assert ">Reversed</span>" in done
    assert '<span class="muted event-reason">退票</span>' in done  # on the reversal's row


def test_a_waiver_waits_and_another_user_approves_it_on_the_loan_page(
    ui_client: TestClient, world: World
) -> None:
    url, csrf = _loan_page_of(ui_client, world, date(2025, 3, 1), "finance")
    page = ui_client.get(url, headers=HTML).text
    assert "Another user must approve this request before it takes effect." in page
    form = {"csrf_token": csrf, "component": "interest", "amount": "20.00", "reason": "困难"}
    page = _post(ui_client, f"{url}/waive", form)
    pending = _pending_id(page)
    assert f'data-pending-id="{pending}"' in page and "waive 20.00 interest" in page
    assert "Waiting for another user to approve it." in page  # the maker sees no buttons
    # the maker's own approval is refused, and they are brought back to the loan
    page = _post(ui_client, f"/inbox/{pending}/approve", {"csrf_token": csrf, "next": url})
    assert "another person must approve it" in page and f'data-pending-id="{pending}"' in page

    csrf = _as(ui_client, "manager")
    page = ui_client.get(url, headers=HTML).text
    assert f'action="/inbox/{pending}/approve"' in page
    page = _post(ui_client, f"/inbox/{pending}/approve", {"csrf_token": csrf, "next": url})
    assert f"Approved #{pending}: the command has run." in page
    assert 'id="pending-requests"' not in page
    # installment 1 owed 120.00 interest; 20.00 of it is waived
    assert re.search(r"<td>waiver", page) and "20.00" in page


def test_a_write_off_waits_then_finance_records_a_recovery(
    ui_client: TestClient, world: World
) -> None:
    url, csrf = _loan_page_of(ui_client, world, date(2025, 6, 1), "manager_a")
    pending = _pending_id(
        _post(ui_client, f"{url}/write-off", {"csrf_token": csrf, "reason": "失联"})
    )
    csrf = _as(ui_client, "manager")
    page = _post(ui_client, f"/inbox/{pending}/approve", {"csrf_token": csrf, "next": url})
    assert 'id="written-off"' in page and "12,000.00 CNY" in page
    csrf = _as(ui_client, "finance")
    form = {"csrf_token": csrf, "amount": "300.00", "channel": "bank", "external_reference": "R1"}
    page = _post(ui_client, f"{url}/recover", form)  # a recovery does not wait
    assert "The recovery is recorded." in page
    assert re.search(r'id="recovered">300\.00 CNY', page)
    # no close of business ran: no interest was booked, so none was moved off balance
    assert re.search(r'id="off-balance-interest">0\.00 CNY', page)


def test_the_payoff_quote_for_a_chosen_date(ui_client: TestClient, world: World) -> None:
    loan = disbursed(world)
    sign_in(ui_client, "finance")
    page = ui_client.get(f"/loans/{loan.id}?quote_date=2025-02-15", headers=HTML).text
    # on the first due date: principal 12,000.00 and the period's interest 120.00
    assert re.search(r'id="payoff-amount">12,120\.00 CNY', page)
    assert "To pay on 2025-02-15" in page
    early = ui_client.get(f"/loans/{loan.id}?quote_date=2024-12-01", headers=HTML)
    assert early.status_code == 200 and 'id="payoff-amount"' not in early.text


def test_an_administrator_sees_the_default_and_switches_it_off(
    ui_client: TestClient, world: World
) -> None:
    url, csrf = _loan_page_of(ui_client, world, date(2025, 3, 1), "admin")
    rules = ui_client.get("/admin/maker-checker", headers=HTML).text
    row = re.search(r'<tr data-command="loans.waive">(.*?)</tr>', rules, re.S)
    assert row and "badge-warning" in row.group(1) and 'data-default="on"' in row.group(1)
    page = _post(
        ui_client,
        "/admin/maker-checker",
        {"csrf_token": csrf, "command": "loans.waive", "enabled": "off"},
    )
    row = re.search(r'<tr data-command="loans.waive">(.*?)</tr>', page, re.S)
    assert row and "badge-neutral" in row.group(1) and 'data-default="on"' in row.group(1)
    csrf = _as(ui_client, "finance")
    form = {"csrf_token": csrf, "component": "interest", "amount": "20.00", "reason": "困难"}
    page = _post(ui_client, f"{url}/waive", form)
    assert "The waiver is recorded." in page and "Submitted for approval" not in page


def test_a_reschedule_from_the_page_waits_then_restructures_the_loan(
    ui_client: TestClient, world: World
) -> None:
    url, csrf = _loan_page_of(ui_client, world, date(2025, 3, 1), "manager_a")
    form = {"csrf_token": csrf, "term": "18", "method": "equal_installment", "reason": "经营困难"}
    form["annual_rate"] = "15"  # the contract's 12 %
    refused = _post(ui_client, f"{url}/reschedule", {**form, "grace_principal_periods": "18"})
    assert "notice-error" in refused and 'id="pending-requests"' not in refused
    page = _post(ui_client, f"{url}/reschedule", {**form, "grace_principal_periods": "2"})
    pending = _pending_id(page)
    assert "Restructured" not in page and 'id="rate-in-force"' not in page
    csrf = _as(ui_client, "manager")
    page = _post(ui_client, f"/inbox/{pending}/approve", {"csrf_token": csrf, "next": url})
    assert "Restructured" in page and f'data-pending-id="{pending}"' not in page
    assert 'id="rate-in-force">15%' in page


def test_a_loan_called_due_from_the_page_waits_then_falls_due(
    ui_client: TestClient, world: World
) -> None:
    # tests/unit/loans/test_engine_acceleration.py's loan and call: on 1 March 11,000.00 of
    # principal and 58.67 of interest fall due; installments 3 to 12 are gone
    url, csrf = _loan_page_of(ui_client, world, date(2025, 3, 1), "manager_a")
    page = ui_client.get(url, headers=HTML).text
    assert 'action="' + url + '/accelerate"' in page
    refused = _post(ui_client, f"{url}/accelerate", {"csrf_token": csrf, "reason": ""})
    assert "notice-error" in refused and 'id="pending-requests"' not in refused
    page = _post(ui_client, f"{url}/accelerate", {"csrf_token": csrf, "reason": "挪用贷款资金"})
    pending = _pending_id(page)
    csrf = _as(ui_client, "manager")
    page = _post(ui_client, f"/inbox/{pending}/approve", {"csrf_token": csrf, "next": url})
    assert f'data-pending-id="{pending}"' not in page and "Restructured" not in page
    assert '<span class="muted event-reason">挪用贷款资金</span>' in page
    assert ">called due<" in page  # the event's kind in the transactions
    assert "11,000.00" in page and "58.67" in page and "2025-04-15" not in page


def test_the_loan_page_names_the_borrower_and_shows_the_position_on_a_chosen_date(
    ui_client: TestClient, world: World
) -> None:
    """12,000.00 at 12% a year (1% a month), 12 months, equal principal, 30/360, disbursed on
    15 Jan 2025: installment 1 on 15 Feb is 1,000.00 principal and 120.00 interest, installment
    2 on 15 Mar 1,000.00 and 110.00 (1% of 11,000.00). On 25 Jan the first period has run 10 of
    its 30 days: 120.00 x 10/30 = 40.00 accrued, nothing owed. On 20 Feb, nothing paid,
    installment 1's 1,000.00 + 120.00 is 5 days past due and installment 2 has accrued
    110.00 x 5/30 = 18.33."""
    loan = disbursed(world)
    sign_in(ui_client, "finance")
    url = f"/loans/{loan.id}"
    early = ui_client.get(url, params={"position_date": "2025-01-25"}, headers=HTML).text
    borrower = f'<a href="/customers/{loan.customer_id}">李四</a>'
    assert borrower in early
    assert "Position at the end of 2025-01-25" in early
    assert re.search(r'id="position-principal">12,000\.00<', early)
    assert re.search(r'id="position-interest-owed">0\.00<', early)
    assert re.search(r'id="position-accrued">40\.00<', early)
    assert re.search(r'id="position-overdue">0\.00 · DPD 0<', early)
    assert "2025-02-15 (1,120.00)" in early
    late = ui_client.get(url, params={"position_date": "2025-02-20"}, headers=HTML).text
    assert re.search(r'id="position-interest-owed">120\.00<', late)
    assert re.search(r'id="position-accrued">18\.33<', late)
    assert re.search(r'id="position-overdue">1,1\d\d\.\d\d · DPD 5<', late)
    before = ui_client.get(url, params={"position_date": "2024-12-01"}, headers=HTML)
    assert before.status_code == 200 and 'id="position-principal"' not in before.text
    assert "is before the disbursement date" in before.text
    chinese = ui_client.get(url, params={"position_date": "2025-01-25"}, headers={**HTML, **ZH})
    assert "2025-01-25 日终头寸" in chinese.text
    assert f"借款人 {borrower}" in chinese.text


def test_the_schedule_is_shown_as_of_the_positions_day(ui_client: TestClient, world: World) -> None:
    """The loan of the test above, nothing paid. At the end of 20 Feb installment 1 (1,000.00 +
    120.00, due 15 Feb) is 5 days past due with 5 x 0.50 = 2.50 penalty (1,000.00 x 12 % x 1.5
    / 360 a day): 1,122.50 owed. At the end of 25 Jan it is not yet due: 1,120.00."""
    loan = disbursed(world)
    sign_in(ui_client, "finance")
    url = f"/loans/{loan.id}"

    def first_row(page: str) -> list[str]:
        found = re.search(r'<td class="num">1</td><td>2025-02-15</td>(.*?)</tr>', page, re.S)
        assert found is not None
        cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
        return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]

    late = ui_client.get(url, params={"position_date": "2025-02-20"}, headers=HTML).text
    assert 'id="schedule-as-of">at the end of 2025-02-20<' in late
    # principal, interest, fee, penalty, paid, waived, outstanding, status, DPD
    assert first_row(late) == [
        "1,000.00",
        "120.00",
        "0.00",
        "2.50",
        "0.00",
        "0.00",
        "1,122.50",
        "overdue 5",
    ]
    early = ui_client.get(url, params={"position_date": "2025-01-25"}, headers=HTML).text
    assert first_row(early) == [
        "1,000.00",
        "120.00",
        "0.00",
        "0.00",
        "0.00",
        "0.00",
        "1,120.00",
        "not yet due",  # the code future, as English reads it
    ]
    refused = ui_client.get(url, params={"position_date": "2024-12-01"}, headers=HTML).text
    assert 'id="schedule-as-of"' not in refused  # the stored schedule, as of its last refresh
    assert first_row(refused)[:3] == ["1,000.00", "120.00", "0.00"]


def test_the_loan_page_shows_the_apr_its_contract_disclosed(
    ui_client: TestClient, world: World
) -> None:
    """The contract number opens the contract for a reader of applications (risk); a collector
    reads loans only, and sees the APR without the link."""
    application_id, contract = contracted_through_origination(world)
    set_business_date(world, contract.disbursement_date)
    with world.make_uow() as uow:
        loan = loans.disburse(
            uow, world.principal("finance"), application_id=application_id, now=world.now
        )
        uow.commit()
    assert isinstance(loan, LoanView)
    url = f"/loans/{loan.id}"
    sign_in(ui_client, "risk")
    page = ui_client.get(url, headers=HTML).text
    assert f'id="loan-apr">{contract.apr}% ' in page
    link = f'<a href="/applications/{application_id}/contract">{contract.number}</a>'
    assert link in page
    assert ui_client.get(f"/applications/{application_id}/contract").status_code == 200
    ui_client.cookies.clear()
    sign_in(ui_client, "collector")
    page = ui_client.get(url, headers=HTML).text
    assert f'id="loan-apr">{contract.apr}% ' in page and link not in page


def test_the_fund_usage_panel_shows_the_evidence_against_what_was_received(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    loan = disbursed(world)  # 12,000.00, no fee: all of it received
    sign_in(ui_client, "officer_a")
    url = f"/loans/{loan.id}"
    page = ui_client.get(url, headers=HTML).text
    assert 'id="usage-evidenced">evidenced 0.00 of 12,000.00 received<' in page
    # the officer names what the money paid for: nothing is chosen for them, and the uses
    # that are not allowed stand apart
    chosen = re.search(r'<select name="category" id="usage-category" required>(.*?)</select>', page)
    assert chosen, page
    assert chosen.group(1).startswith('<option value="" selected disabled>')
    assert chosen.group(1).count(" selected") == 1
    allowed, banned = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', chosen.group(1))
    assert allowed[0] == "Permitted" and 'value="inventory"' in allowed[1]
    assert banned[0] == "Prohibited" and 'value="securities"' in banned[1]
    assert 'value="securities"' not in allowed[1] and 'value="inventory"' not in banned[1]
    record_usage(world, loan.id, "5000.00", evidence=b"invoice")
    record_usage(world, loan.id, "1000.00")  # no evidence: not counted
    page = ui_client.get(url, headers={**HTML, **ZH}).text
    assert 'id="usage-evidenced">已凭证 5,000.00 / 实收 12,000.00<' in page
    assert '<option value="" selected disabled>请选择资金用途</option>' in page


def test_the_list_names_borrowers_finds_loans_and_pages(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = disbursed(world)
    second = disbursed(world, code="L2", id_number="110105198002020013", customer="王五")
    sign_in(ui_client, "finance")
    listing = ui_client.get("/loans", headers=HTML).text
    assert ">李四</a>" in listing and ">王五</a>" in listing
    by_number = ui_client.get("/loans", params={"q": second.number.lower()}, headers=HTML).text
    assert second.number in by_number and first.number not in by_number
    by_name = ui_client.get("/loans", params={"q": "王"}, headers=HTML).text
    assert second.number in by_name and first.number not in by_name
    none = ui_client.get("/loans", params={"q": "赵"}, headers=HTML).text
    assert "No loan matches the search." in none and first.number not in none
    refused = ui_client.get("/loans", params={"q": "12345678901"}, headers=HTML)  # no mobile
    assert refused.status_code == 200 and "notice-error" in refused.text
    monkeypatch.setattr("microlend.loans.pages.PAGE_SIZE", 1)
    page_one = ui_client.get("/loans", params={"status": "active"}, headers=HTML).text
    assert first.number in page_one and second.number not in page_one
    found = re.search(r'href="/loans\?([^"]+)">Next page', page_one)
    assert found, page_one
    page_two = ui_client.get("/loans?" + found.group(1).replace("&amp;", "&"), headers=HTML).text
    assert second.number in page_two and first.number not in page_two


def test_the_list_shows_one_branch_with_its_sub_branches_or_ones_own_loans(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_a = disbursed(world)  # officer_a at branch A
    at_a1 = disbursed(
        world, code="L2", id_number="110105198002020013", office="a1", officer="officer_a1"
    )
    at_b = disbursed(
        world, code="L3", id_number="110105198003030010", office="b", officer="officer_b"
    )
    numbers = {at_a.number, at_a1.number, at_b.number}

    def listed(**params: str) -> set[str]:
        page = ui_client.get("/loans", params=params, headers=HTML).text
        return {n for n in numbers if n in page}

    sign_in(ui_client, "manager")  # the whole company
    assert listed() == numbers
    page = ui_client.get("/loans", params={"office": world.offices["a"]}, headers=HTML).text
    a, b = world.offices["a"], world.offices["b"]
    assert f'<option value="{a}" selected>\u3000Branch A</option>' in page  # indented by depth
    assert f'<option value="{b}">\u3000Branch B</option>' in page
    assert listed(office=str(world.offices["a"])) == {at_a.number, at_a1.number}
    assert listed(office=str(world.offices["b"])) == {at_b.number}
    assert listed(office="999999") == numbers  # not an office the viewer sees: no filter
    assert listed(mine="1") == set()  # the manager made none of them
    monkeypatch.setattr("microlend.loans.pages.PAGE_SIZE", 1)
    page_one = ui_client.get("/loans", params={"office": world.offices["a"]}, headers=HTML).text
    found = re.search(r'href="/loans\?([^"]+)">Next page', page_one)
    assert found is not None and f"office={world.offices['a']}" in found.group(1)
    ui_client.cookies.clear()
    sign_in(ui_client, "officer_a")
    assert listed(mine="1") == {at_a.number}


def test_an_overpayment_is_refunded_from_the_loan_page(ui_client: TestClient, world: World) -> None:
    """1,200.00 paid on 2025-02-15 against 1,120.00 due leaves 80.00 of credit; 50.00 of it is
    paid back, then 30.01 is refused (only 30.00 is left)."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    csrf = sign_in(ui_client, "finance")
    assert 'id="refund"' not in ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    paid = {"csrf_token": csrf, "amount": "1200.00", "value_date": "2025-02-15"}
    ui_client.post(f"/loans/{loan.id}/repay", data=paid, headers=HTML)
    page = ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    assert '<span class="num" id="credit-balance">80.00</span>' in page
    done = ui_client.post(
        f"/loans/{loan.id}/refund", data={"csrf_token": csrf, "amount": "50.00"}, headers=HTML
    )
    assert done.status_code == 303
    page = ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    assert '<span class="num" id="credit-balance">30.00</span>' in page
    assert "notice-error" not in page
    ui_client.post(
        f"/loans/{loan.id}/refund", data={"csrf_token": csrf, "amount": "30.01"}, headers=HTML
    )
    page = ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    assert "notice-error" in page
    assert '<span class="num" id="credit-balance">30.00</span>' in page


def test_the_schedule_downloads_as_a_workbook_in_the_readers_language(
    ui_client: TestClient, world: World
) -> None:
    """12,000.00 equal principal over 12 months at 12 %: installment 1 is 1,000.00 principal and
    12,000.00 x 1 % = 120.00 interest; the last, 1,000.00 and 1,000.00 x 1 % = 10.00."""
    loan = disbursed(world)
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/loans/{loan.id}", headers={**HTML, **ZH}).text
    link = f"/loans/{loan.id}/schedule.xlsx?as_of=2025-01-15"  # the day the page shows
    assert f'href="{link}"' in page
    answer = ui_client.get(link, headers={**HTML, **ZH})
    assert answer.status_code == 200
    disposition = answer.headers["content-disposition"]
    assert f'filename="{loan.number}-schedule-2025-01-15.xlsx"' in disposition
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["期次", "到期日", "本金"] and len(rows) == 13
    assert rows[1][:4] == [1, "2025-02-15", 1000, 120] and rows[1][-1] == "未到期"
    assert rows[12][:4] == [12, "2026-01-15", 1000, 10]
    # at the end of 20 Feb, nothing paid: 5 nights of penalty at 0.50 (the page's figures)
    later = ui_client.get(f"/loans/{loan.id}/schedule.xlsx?as_of=2025-02-20", headers=HTML)
    row = [cell.value for cell in list(load_workbook(io.BytesIO(later.content)).active)[1]]
    assert row[5] == 2.5 and row[-2] == 1122.5 and row[-1] == "overdue"
    refused = ui_client.get(f"/loans/{loan.id}/schedule.xlsx?as_of=2025-02-30", headers=HTML)
    assert refused.status_code == 422


def test_the_loan_page_shows_the_classification_close_of_business_gave_it(
    ui_client: TestClient,
    client: TestClient,
    bearer: Callable[[str], dict[str, str]],
    world: World,
    session_factory: SessionFactory,
) -> None:
    """Installment 1 (due 2025-02-15) is still unpaid at the close of 2025-02-24: 9 days past
    due, so 关注 (special mention), stage 1, an allowance of 12,000.00 x 3 % = 360.00 (the
    default policy, as tests/integration/test_loan_close.py works it out). Before its first
    close of business a loan has no classification to show; the API says the same."""
    loan = disbursed(world)
    sign_in(ui_client, "finance")
    assert "loan-classification" not in ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    api = f"/api/v1/loans/{loan.id}/classification"
    assert client.get(api, headers=bearer("finance")).json() is None
    summary = run_close_of_business(
        session_factory, company_id=world.company_id, target_date=date(2025, 2, 24),
        now=lambda: world.now,
    )  # fmt: skip
    assert summary.status == "done"
    shown = re.compile(r'id="loan-classification">(.*?)</dd>', re.S)
    english = shown.search(ui_client.get(f"/loans/{loan.id}", headers=HTML).text)
    chinese = shown.search(ui_client.get(f"/loans/{loan.id}", headers={**HTML, **ZH}).text)
    assert english and chinese
    words = " ".join(re.sub(r"<[^>]+>", " ", english.group(1)).split())
    assert words == "Special mention stage 1 · allowance 360.00 by the close of 2025-02-24"
    assert '<span class="badge badge-warning">关注</span>' in chinese.group(1)
    assert "第 1 阶段 · 减值准备 360.00" in chinese.group(1)
    assert "截至 2025-02-24 日终" in chinese.group(1)
    assert client.get(api, headers=bearer("finance")).json() == {
        "as_of": "2025-02-24",
        "category": "special_mention",
        "computed": "special_mention",
        "stage": 1,
        "allowance": "360.00",
        "adjusted": None,
        "adjustments": [],
    }


def test_the_risk_officer_adjusts_the_classification_and_the_manager_approves_it(
    ui_client: TestClient, world: World, session_factory: SessionFactory
) -> None:
    """关注 by the rules at the close of 2025-02-24 (9 days past due); the risk officer asks for
    次级 with a reason, the manager approves on the loan page, and the page shows the
    adjustment with what the rules give; reviewed, the loan is 关注 again."""
    loan = disbursed(world)
    summary = run_close_of_business(
        session_factory, company_id=world.company_id, target_date=date(2025, 2, 24),
        now=lambda: world.now,
    )  # fmt: skip
    assert summary.status == "done"
    url = f"/loans/{loan.id}"
    _as(ui_client, "finance")  # no permission: no form
    assert f'action="{url}/classification-adjust"' not in ui_client.get(url, headers=HTML).text
    csrf = _as(ui_client, "risk")
    form = {"csrf_token": csrf, "category": "substandard", "reason": "涉诉，经营停滞"}
    pending = _pending_id(_post(ui_client, f"{url}/classification-adjust", form))
    csrf = _as(ui_client, "manager")
    page = _post(ui_client, f"/inbox/{pending}/approve", {"csrf_token": csrf, "next": url})
    shown = re.search(r'id="classification-adjusted">(.*?)</span></span>', page, re.S)
    assert shown, page
    words = " ".join(re.sub(r"<[^>]+>", " ", shown.group(1)).split())
    assert (
        words == "Adjusted by Risk on 2025-02-25: 涉诉，经营停滞 (the rules give: Special mention)"
    )
    assert re.search(r'id="loan-classification">\s*<span class="badge badge-danger">', page)
    chinese = ui_client.get(url, headers={**HTML, **ZH}).text
    assert "Risk 于 2025-02-25 人工调整：涉诉，经营停滞" in chinese
    assert "（按规则应为：关注）" in chinese
    assert loan.number in ui_client.get("/loans?adjusted=1", headers=HTML).text
    csrf = _as(ui_client, "risk")
    form = {"csrf_token": csrf, "reason": "诉讼已和解"}
    pending = _pending_id(_post(ui_client, f"{url}/classification-restore", form))
    csrf = _as(ui_client, "manager")
    page = _post(ui_client, f"/inbox/{pending}/approve", {"csrf_token": csrf, "next": url})
    assert 'id="classification-adjusted"' not in page
    assert loan.number not in ui_client.get("/loans?adjusted=1", headers=HTML).text
    assert re.search(r'id="loan-classification">\s*<span class="badge badge-warning">', page)


def test_the_list_shows_and_filters_the_classification_close_of_business_gave_each_loan(
    ui_client: TestClient,
    client: TestClient,
    bearer: Callable[[str], dict[str, str]],
    world: World,
    session_factory: SessionFactory,
) -> None:
    """At the close of 2025-02-24 李四's installment 1 (due 2025-02-15) is 9 days unpaid: 关注
    (special mention); 王五 paid his (1,000.00 + 120.00) on its due date: 正常 (normal). The
    list shows each, keeps one class when asked (its page, the API, the ledger workbook), and
    a loan no close of business classified yet shows none."""
    lisi = disbursed(world)
    wangwu = disbursed(
        world, code="L3", id_number="110105198003030010", office="b", officer="officer_b",
        customer="王五",
    )  # fmt: skip
    sign_in(ui_client, "finance")
    cell = re.compile(r'<a href="/loans/(\d+)">.*?</tr>', re.S)
    unclassified = [
        row.group(0) for row in cell.finditer(ui_client.get("/loans", headers=HTML).text)
    ]
    assert len(unclassified) == 2 and all(
        re.search(r"<td>-</td>\s*</tr>", row) for row in unclassified
    )
    set_business_date(world, date(2025, 2, 15))
    repaid(world, wangwu.id, "1120.00")
    summary = run_close_of_business(
        session_factory, company_id=world.company_id, target_date=date(2025, 2, 24),
        now=lambda: world.now,
    )  # fmt: skip
    assert summary.status == "done"
    rows = {
        int(found.group(1)): found.group(0)
        for found in cell.finditer(ui_client.get("/loans", headers={**HTML, **ZH}).text)
    }
    assert '<span class="badge badge-warning">关注</span>' in rows[lisi.id]
    assert '<span class="badge badge-neutral">正常</span></td>' in rows[wangwu.id]
    kept = ui_client.get("/loans", params={"category": "special_mention"}, headers=HTML).text
    assert [int(n) for n in cell.findall(kept)] == [lisi.id]
    assert '<option value="special_mention" selected>Special mention</option>' in kept
    normal = ui_client.get("/loans", params={"category": "normal"}, headers=HTML).text
    assert [int(n) for n in cell.findall(normal)] == [wangwu.id]
    assert "ledger.xlsx?category=normal" in normal
    workbook = load_workbook(io.BytesIO(
        ui_client.get("/loans/ledger.xlsx?category=normal", headers={**HTML, **ZH}).content
    )).active  # fmt: skip
    sheet = [[c.value for c in row] for row in workbook.iter_rows()]
    assert sheet[0][21:23] == ["状态", "五级分类"]
    assert [(row[0], row[22]) for row in sheet[1:]] == [(wangwu.number, "正常")]
    api = "/api/v1/loans"
    found = client.get(api, params={"category": "special_mention"}, headers=bearer("finance"))
    assert [loan["id"] for loan in found.json()] == [lisi.id]
    refused = client.get(api, params={"category": "watch"}, headers=bearer("finance"))
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "category" in refused.text
    set_business_date(world, date(2025, 2, 25))  # 王五 pays off: closed, no longer classified
    with world.make_uow(read_only=True) as uow:
        quote = loans.quote_payoff(uow, world.principal("finance"), loan_id=wangwu.id)
    paid = repaid(world, wangwu.id, str(quote.amount_to_pay), command=loans.prepay)
    assert paid.loan.status == "closed"
    listed = ui_client.get("/loans", headers=HTML).text
    closed = next(row.group(0) for row in cell.finditer(listed) if int(row.group(1)) == wangwu.id)
    assert re.search(r"<td>-</td>\s*</tr>", closed)
    normal = ui_client.get("/loans", params={"category": "normal"}, headers=HTML).text
    assert cell.findall(normal) == []
