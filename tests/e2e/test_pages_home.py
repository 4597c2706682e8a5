"""The home page (工作台): each user's sections, by permission and office, against figures worked
out by hand.

The book: seven loans without fees or penalty interest, 等额本金 over 12 months at 12 % a year
(1 % a month on the balance, 30/360), disbursed on the dates below by officer_a (branch A) or
officer_b (branch B); nothing is repaid; close of business runs to 2025-02-24, so the business
date is 2025-02-25 and "within 7 days" means owing by 2025-03-04.

    loan  office  principal  disbursed   first due   DPD on 24 Feb   overdue on 24 Feb
    L1    A       12,000     2024-10-15  2024-11-15  101 (over 90)   4,000 + 120 + 110 + 100 + 90
                                                                     = 4,420.00
    L4    B        3,000     2024-11-20  2024-12-20   66 (61-90)     750 + 30 + 27.50 + 25 = 832.50
    L2    A        6,000     2024-12-05  2025-01-05   50 (31-60)     1,000 + 60 + 55 = 1,115.00
    L3    B       12,000     2025-01-15  2025-02-15    9 (1-30)      1,000 + 120 = 1,120.00
    L5    A        6,000     2025-01-28  2025-02-28    -             (due 28 Feb: 500 + 60 = 560.00)
    L6    B        9,000     2025-02-02  2025-03-02    -             (due 2 Mar: 750 + 90 = 840.00)
    L7    A        5,000     2025-02-20  2025-03-20    -

L2's next installment (5 Mar) is a day beyond the week; L1, L3 and L4 next fall due after it.
No use of the funds is recorded: a loan's check is late from the 31st day after payout, so on
25 Feb L1, L4, L2 and L3 (deadlines 14 Nov, 20 Dec, 4 Jan, 14 Feb) are late, L5, L6 and L7 not
(27 Feb, 4 Mar, 22 Mar): two at each branch.
Overdue: branch A (L1, L2) 5,535.00; the company 7,487.50. The book: 53,000.00 outstanding, of it
21,000.00 more than 30 days past due (L1, L2, L4): PAR30 39.62 %; disbursed in February: L6 and
L7, 14,000.00. Branch A alone: 29,000.00, 18,000.00 at risk (62.07 %), L7 disbursed in February.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from microlend.db.uow import SessionFactory
from microlend.loans.calculator.servicing_terms import PenaltyTerms
from microlend.origination import approvals
from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.integration.applications_support import apply, make_product, register
from tests.integration.approvals_support import resident_id, under_review
from tests.integration.loans_support import disbursed
from tests.integration.test_loan_close import close
from tests.seed import World

__all__ = ["ui_client"]

NO_PENALTY = PenaltyTerms(multiplier=Decimal(0))
BOOK = (  # code, office, officer, principal, disbursed on
    ("L1", "a", "officer_a", "12000.00", date(2024, 10, 15)),
    ("L4", "b", "officer_b", "3000.00", date(2024, 11, 20)),
    ("L2", "a", "officer_a", "6000.00", date(2024, 12, 5)),
    ("L3", "b", "officer_b", "12000.00", date(2025, 1, 15)),
    ("L5", "a", "officer_a", "6000.00", date(2025, 1, 28)),
    ("L6", "b", "officer_b", "9000.00", date(2025, 2, 2)),
    ("L7", "a", "officer_a", "5000.00", date(2025, 2, 20)),
)
SECTIONS = ("my-applications", "due-soon", "overdue-buckets", "portfolio", "books")


def the_book(world: World, session_factory: SessionFactory) -> dict[str, str]:
    """Disburse the seven loans in date order, closing business in between; their numbers."""
    numbers: dict[str, str] = {}
    for serial, (code, office, officer, amount, on) in enumerate(BOOK, start=500):
        if numbers:
            close(session_factory, world, date.fromordinal(on.toordinal() - 1))
        loan = disbursed(
            world,
            on=on,
            amount=amount,
            code=code,
            office=office,
            officer=officer,
            id_number=resident_id(serial),
            customer=f"客户{code}",
            penalty=NO_PENALTY,
        )
        numbers[code] = loan.number
    close(session_factory, world, date(2025, 2, 24))
    return numbers


def section(page: str, section_id: str) -> str:
    """The HTML of the home page's section (or card) with that id ("" when it is not there)."""
    match = re.search(rf'<(section|a) [^>]*id="{section_id}".*?</\1>', page, re.S)
    return match.group(0) if match else ""


def row(html: str, attribute: str, value: str) -> list[str]:
    """The cells' texts of the table row marked ``attribute="value"``."""
    match = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def bucket(html: str, key: str) -> list[str]:
    """A days-past-due bucket's row: loans, outstanding principal, amount overdue."""
    return row(html, "data-bucket", key)[1:]


def home_of(client: TestClient, username: str, headers: dict[str, str] = HTML) -> str:
    client.cookies.clear()
    sign_in(client, username)
    page = client.get("/", headers=headers)
    assert page.status_code == 200
    return page.text


def test_each_user_sees_the_loans_of_their_offices(
    ui_client: TestClient, world: World, session_factory: SessionFactory
) -> None:
    n = the_book(world, session_factory)

    page = home_of(ui_client, "officer_a")
    assert "Business date 2025-02-25" in page
    due = section(page, "due-soon")
    assert "Repayments due by 2025-03-04" in due
    assert row(due, "data-loan", n["L5"]) == [n["L5"], "客户L5", "2025-02-28", "560.00 CNY"]
    assert all(n[code] not in due for code in ("L1", "L2", "L3", "L4", "L6", "L7"))
    card = section(page, "card-due")
    assert '<div class="stat-value">1</div>' in card and 'href="/loans?due_by=2025-03-04"' in card
    overdue = section(page, "card-overdue")
    assert '<div class="stat-value">2</div>' in overdue and "5,535.00" in overdue
    checks = section(page, "card-usage-late")
    assert '<div class="stat-value">2</div>' in checks
    assert 'href="/loans?usage=verification_late"' in checks
    listing = ui_client.get("/loans?usage=verification_late", headers=HTML).text  # its link
    assert n["L1"] in listing and n["L2"] in listing and n["L5"] not in listing
    buckets = section(page, "overdue-buckets")
    assert bucket(buckets, "31-60") == ["1", "6,000.00 CNY", "1,115.00 CNY"]
    assert bucket(buckets, "91-") == ["1", "12,000.00 CNY", "4,420.00 CNY"]
    assert row(buckets, "data-bucket", "91-")[0] == "Over 90 days"
    assert 'data-bucket="1-30"' not in buckets and 'data-bucket="61-90"' not in buckets
    assert section(page, "portfolio") == "" and section(page, "books") == ""

    listing = ui_client.get("/loans?due_by=2025-03-04", headers=HTML).text  # the card's link
    assert n["L5"] in listing and n["L2"] not in listing and n["L6"] not in listing

    page = home_of(ui_client, "officer_b")
    due = section(page, "due-soon")
    assert '<div class="stat-value">2</div>' in section(page, "card-usage-late")  # L3, L4
    assert row(due, "data-loan", n["L6"]) == [n["L6"], "客户L6", "2025-03-02", "840.00 CNY"]
    assert n["L5"] not in due
    buckets = section(page, "overdue-buckets")
    assert bucket(buckets, "1-30") == ["1", "12,000.00 CNY", "1,120.00 CNY"]
    assert bucket(buckets, "61-90") == ["1", "3,000.00 CNY", "832.50 CNY"]
    assert row(buckets, "data-bucket", "61-90")[0] == "61-90 days"
    assert n["L1"] not in page and n["L2"] not in page

    page = home_of(ui_client, "collector")  # the whole company
    assert section(page, "card-usage-late") == ""  # no fund-usage checks to make
    buckets = section(page, "overdue-buckets")
    assert [bucket(buckets, key) for key in ("1-30", "31-60", "61-90", "91-")] == [
        ["1", "12,000.00 CNY", "1,120.00 CNY"],
        ["1", "6,000.00 CNY", "1,115.00 CNY"],
        ["1", "3,000.00 CNY", "832.50 CNY"],
        ["1", "12,000.00 CNY", "4,420.00 CNY"],
    ]
    card = section(page, "card-overdue")
    assert '<div class="stat-value">4</div>' in card and "7,487.50" in card
    listing = ui_client.get("/loans?dpd=61-90", headers=HTML).text  # the bucket's link
    assert n["L4"] in listing and n["L1"] not in listing and n["L3"] not in listing

    page = home_of(ui_client, "manager")
    portfolio = section(page, "portfolio")
    assert 'data-figure="active">7<' in portfolio
    assert re.search(r'data-figure="outstanding">.*?53,000\.00', portfolio)
    assert 'data-figure="par30">39.62%' in portfolio  # 21,000 / 53,000 (L1, L2, L4)
    assert re.search(r'data-figure="disbursed">.*?14,000\.00', portfolio)  # L6 and L7
    assert 'data-figure="disbursed-loans">2<' in portfolio

    page = home_of(ui_client, "manager_a")  # branch A and below: L1, L2, L5, L7
    portfolio = section(page, "portfolio")
    assert 'data-figure="active">4<' in portfolio
    assert re.search(r'data-figure="outstanding">.*?29,000\.00', portfolio)
    assert 'data-figure="par30">62.07%' in portfolio  # 18,000 / 29,000
    assert 'data-figure="disbursed-loans">1<' in portfolio

    page = home_of(ui_client, "finance", {**HTML, **ZH})
    assert "营业日期 2025-02-25" in page and "7 天内到期还款" in page
    books = section(page, "books")
    assert "日终与账务" in books and "2025-02-24" in books and "已完成" in books
    assert "贷款分户账与总账已核对一致" in books
    assert "Repayments due" not in page and "Close of business and the ledger" not in page


def test_an_officer_sees_their_applications_by_stage_and_an_approver_their_inbox(
    ui_client: TestClient, world: World
) -> None:
    reviewed = under_review(world, amount="30000.00", officer="officer_a")
    returned = under_review(world, amount="20000.00", officer="officer_a")
    under_review(world, amount="10000.00", officer="officer_b")
    with world.make_uow() as uow:
        approvals.act_on_application(
            uow,
            world.principal("approver"),
            application_id=returned,
            action="return",
            opinion="补充流水",
            conditions=None,
            now=world.now,
        )
        uow.commit()
    version = make_product(world, code="HOME")
    customer = register(world, "officer_a", resident_id(900), "草稿客户")
    apply(world, "officer_a", customer, version)

    page = home_of(ui_client, "officer_a")
    stages = section(page, "my-applications")
    assert row(stages, "data-stage", "draft") == ["Drafts, not yet submitted", "1"]
    assert row(stages, "data-stage", "under_review") == ["In approval", "1"]
    assert row(stages, "data-stage", "investigating") == [
        "Under investigation 1 returned for more information",
        "1",
    ]
    assert row(stages, "data-stage", "submitted") == ["Submitted, investigation not started", "0"]
    assert 'href="/applications?status=under_review&amp;mine=1"' in stages
    assert section(page, "card-decisions") == ""  # no origination.approve

    page = home_of(ui_client, "approver")  # officer_a's and officer_b's first steps
    decisions = section(page, "card-decisions")
    assert '<div class="stat-value">2</div>' in decisions and 'href="/approvals"' in decisions
    assert reviewed and section(page, "my-applications") == ""


def test_a_section_shows_only_to_whom_holds_its_permission(
    ui_client: TestClient, world: World
) -> None:
    shown = {
        "officer_a": {"my-applications", "due-soon", "overdue-buckets"},
        "approver": set(),
        "collector": {"overdue-buckets"},
        "finance": {"due-soon", "portfolio", "books"},
        "manager": {"overdue-buckets", "portfolio", "books"},
        "admin": {"books"},
    }
    for username, sections in shown.items():
        page = home_of(ui_client, username)
        assert {s for s in SECTIONS if section(page, s)} == sections, username
        assert "will appear here as they are built" not in page


def test_the_officers_home_reads_chinese(ui_client: TestClient, world: World) -> None:
    page = home_of(ui_client, "officer_a", {**HTML, **ZH})
    chinese = ("我的申请（按环节）", "7 天内到期还款", "逾期贷款（按逾期天数）", "暂无逾期贷款。",
               "资金用途核查逾期")  # fmt: skip
    assert all(text in page for text in chinese)
    for text in ("My applications by stage", "Repayments due", "Overdue loans", "Business date"):
        assert text not in page
