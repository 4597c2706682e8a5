"""The repayment import page (批量还款导入): a bank file previewed without posting, then posted in
one go with ``repay_batch``; a file sent again replayed, a refused line refusing the whole file,
a bank's failed debits skipped, maker-checker's lines waiting for approval."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from microlend.loans import pages_repayment_import, service
from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.integration.loans_support import disbursed, repayments_checked, set_business_date
from tests.seed import World

__all__ = ["ui_client"]

PAGE = "/loans/repayment-imports"
HEADER = "loan_number,amount,value_date,channel,external_reference"
PARTS = re.compile(r'name="file_text" value="([^"]*)"')


def _events(world: World, loan_id: int) -> list[tuple[str, str]]:
    with world.make_uow() as uow:
        rows = service.events(uow, world.principal("finance"), loan_id=loan_id)
    return [(row.kind, str(row.amount)) for row in rows]


def _upload(
    client: TestClient, csrf: str, content: str | bytes, headers: dict[str, str] = HTML
) -> Any:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        PAGE + "/preview",
        data={"csrf_token": csrf},
        files={"file": ("bank.csv", raw, "text/csv")},
        headers=headers,
    )


def _confirm(client: TestClient, csrf: str, preview: Any) -> Any:
    parts = PARTS.findall(preview.text)
    assert parts, "the preview has no confirm form"
    return client.post(
        PAGE + "/confirm", data={"csrf_token": csrf, "file_text": parts}, headers=HTML
    )


def _row(html: str, line: int) -> str:
    match = re.search(rf'<tr data-line="{line}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no line {line}"
    return re.sub(r"\s+", " ", match.group(1))


def test_the_list_links_the_page_for_those_who_may_repay(
    ui_client: TestClient, world: World
) -> None:
    sign_in(ui_client, "finance")
    assert f'href="{PAGE}"' in ui_client.get("/loans", headers=HTML).text
    ui_client.cookies.clear()
    sign_in(ui_client, "officer_a")
    assert f'href="{PAGE}"' not in ui_client.get("/loans", headers=HTML).text


def test_the_preview_lists_lines_and_problems_and_posts_nothing(
    ui_client: TestClient, world: World
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    before = _events(world, loan.id)
    csrf = sign_in(ui_client, "finance")
    text = "\n".join(
        (
            HEADER,
            f"{loan.number},1120.00,2025-02-15,bank,BANK-1",
            "DK2099999999,100.00,,bank,BANK-2",
            f"{loan.number},abc,,bank,BANK-3",
            f"{loan.number},10.00,2025-13-01,bank,BANK-4",
            f"{loan.number},10.00,,bank,BANK-1",
            f"{loan.number},10.00,2025-03-01,bank,BANK-5",
            f"{loan.number},10.00,,,",
        )
    )
    page = _upload(ui_client, csrf, text)
    assert page.status_code == 200
    assert "notice-error" in page.text and 'id="confirm"' not in page.text
    first = _row(page.text, 1)
    assert loan.number in first and "李四" in first and "1,120.00" in first
    assert "2025-02-15" in first and "BANK-1" in first and "to post" in first
    assert "no loan" in _row(page.text, 2)
    assert "Amount:" in _row(page.text, 3)
    assert "not a date" in _row(page.text, 4)
    assert "the same reference as line 1" in _row(page.text, 5)
    assert "after the business date" in _row(page.text, 6)
    assert "Reference: give the bank&#39;s reference" in _row(page.text, 7)
    assert _events(world, loan.id) == before


def test_confirm_posts_the_file_and_sending_it_again_posts_nothing_new(
    ui_client: TestClient, world: World
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    csrf = sign_in(ui_client, "finance")
    text = f"\ufeff{HEADER}\n{loan.number},1120.00,2025-02-15,bank,BANK-1\n"
    preview = _upload(ui_client, csrf, text)
    assert preview.status_code == 200 and "notice-error" not in preview.text
    assert re.search(r"To post</dt><dd[^>]*>1<", preview.text)
    assert len(_events(world, loan.id)) == 1  # the disbursement only
    done = _confirm(ui_client, csrf, preview)
    assert done.status_code == 200 and "notice-success" in done.text
    assert "1 posted, 0 already there, 0 waiting for approval." in done.text
    assert f'href="/loans/{loan.id}"' in _row(done.text, 1)
    assert _events(world, loan.id) == [("disbursement", "12000.00"), ("repayment", "1120.00")]
    page = ui_client.get(f"/loans/{loan.id}", headers=HTML).text
    assert "#1 principal 1,000.00" in page and "/accounting/vouchers/" in page
    assert "11,000.00" in page  # outstanding principal

    again = _upload(ui_client, csrf, text)
    assert "already posted, will not be paid twice" in _row(again.text, 1)
    replayed = _confirm(ui_client, csrf, again)
    assert "0 posted, 1 already there, 0 waiting for approval." in replayed.text
    assert "already there, not paid twice" in _row(replayed.text, 1)
    assert len(_events(world, loan.id)) == 2


def test_a_refused_line_refuses_the_whole_file_naming_the_line(
    ui_client: TestClient, world: World
) -> None:
    """The preview cannot see that the engine refuses a payment dated before the loan was paid
    out: posting refuses the whole file, naming the file's line (a skipped line before it
    counted)."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    csrf = sign_in(ui_client, "finance")
    text = "\n".join(
        (
            HEADER + ",status",
            f"{loan.number},1120.00,2025-02-15,bank,BANK-1,成功",
            f"{loan.number},50.00,2025-02-15,bank,BANK-2,失败",
            f"{loan.number},100.00,2025-01-01,bank,BANK-3,success",
        )
    )
    preview = _upload(ui_client, csrf, text)
    assert 'id="confirm"' in preview.text
    refused = _confirm(ui_client, csrf, preview)
    assert refused.status_code == 200
    assert "Nothing was posted: line 3 was refused." in refused.text
    assert len(_events(world, loan.id)) == 1


def test_confirm_reads_the_file_again_and_refuses_a_line_with_a_problem(
    ui_client: TestClient, world: World
) -> None:
    """What comes back from the browser is checked again: a line posted meanwhile under its
    reference for another amount stops the whole file."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    csrf = sign_in(ui_client, "finance")
    text = f"{HEADER}\n{loan.number},100.00,,bank,BANK-1\n{loan.number},200.00,,bank,BANK-2\n"
    preview = _upload(ui_client, csrf, text)
    with world.make_uow() as uow:
        service.repay(
            uow,
            world.principal("finance"),
            loan_id=loan.id,
            amount="300.00",
            external_reference="BANK-2",
            now=world.now,
        )
        uow.commit()
    refused = _confirm(ui_client, csrf, preview)
    assert "Nothing can be posted until the lines with problems are put right." in refused.text
    assert "used for another request" in _row(refused.text, 2)
    assert len(_events(world, loan.id)) == 2  # the disbursement and the single repayment


def test_a_status_column_skips_the_failed_debits(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(The file goes back in parts of 40 bytes here, cut inside the Chinese words.)"""
    monkeypatch.setattr(pages_repayment_import, "PART_BYTES", 40)
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    csrf = sign_in(ui_client, "finance")
    text = "\n".join(
        (
            "Loan_Number,Amount,Value_Date,Channel,External_Reference,Status,account_name",
            f"{loan.number},100.00,2025-02-15,deduction,DD-1,成功,李四",
            f"{loan.number},200.00,2025-02-15,deduction,DD-2,余额不足,李四",
            f"{loan.number},300.00,2025-02-15,deduction,DD-3,OK,李四",
            f"{loan.number},400.00,2025-02-15,deduction,DD-4,failed,李四",
        )
    )
    preview = _upload(ui_client, csrf, text)
    assert len(PARTS.findall(preview.text)) > 5
    assert "skipped: 余额不足" in _row(preview.text, 2)
    assert "skipped: failed" in _row(preview.text, 4)
    assert re.search(r"Skipped</dt><dd[^>]*>2<", preview.text)
    assert re.search(r"Amount to post</dt><dd[^>]*>400.00 CNY<", preview.text)
    done = _confirm(ui_client, csrf, preview)
    assert "2 posted, 0 already there, 0 waiting for approval." in done.text
    assert "skipped: 余额不足" in _row(done.text, 2)
    assert [amount for kind, amount in _events(world, loan.id) if kind == "repayment"] == [
        "100.00",
        "300.00",
    ]


def test_with_maker_checker_the_lines_wait_for_approval(
    ui_client: TestClient, world: World
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    repayments_checked(world)
    csrf = sign_in(ui_client, "finance")
    preview = _upload(ui_client, csrf, f"{HEADER}\n{loan.number},100.00,,bank,MC-1\n")
    done = _confirm(ui_client, csrf, preview)
    assert "0 posted, 0 already there, 1 waiting for approval." in done.text
    assert "waiting for approval (#" in _row(done.text, 1)
    assert len(_events(world, loan.id)) == 1


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("loan_number,value_date\nDK1,2025-01-01\n", "the header lacks amount"),
        ("借据号,金额\n".encode("gbk"), "not UTF-8 text"),
        (HEADER + "\n" + "DK1,1.00,,bank,R\n" * 4, "at most 3 lines in a file"),
        (b"", "the header lacks amount, loan_number"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_error(
    ui_client: TestClient,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    content: str | bytes,
    says: str,
) -> None:
    monkeypatch.setattr(pages_repayment_import, "MAX_LINES", 3)
    csrf = sign_in(ui_client, "finance")
    page = _upload(ui_client, csrf, content)
    assert page.status_code == 200 and "notice-error" in page.text
    assert says in page.text and "Please check File" in page.text


def test_a_file_over_the_size_limit_is_refused(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pages_repayment_import, "MAX_BYTES", 100)
    csrf = sign_in(ui_client, "finance")
    page = _upload(ui_client, csrf, HEADER + "\n" + "DK1,1.00,,bank,R\n" * 10)
    assert "notice-error" in page.text and "at most" in page.text


def test_the_page_reads_in_chinese(ui_client: TestClient, world: World) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    csrf = sign_in(ui_client, "finance")
    page = _upload(ui_client, csrf, f"{HEADER}\n{loan.number},100.00,,bank,ZH-1\n", {**HTML, **ZH})
    assert "Preview" not in page.text and "to post" not in page.text
    assert "银行转账" in _row(page.text, 1)


def test_a_file_that_does_not_come_back_whole_is_not_posted(
    ui_client: TestClient, world: World
) -> None:
    csrf = sign_in(ui_client, "finance")
    for parts in (["@@@"], ["//79"]):  # not base64; not UTF-8
        page = ui_client.post(
            PAGE + "/confirm", data={"csrf_token": csrf, "file_text": parts}, headers=HTML
        )
        assert page.status_code == 200 and "did not come back whole" in page.text
    refused = ui_client.post(PAGE + "/confirm", data={"file_text": ["x"]}, headers=HTML)
    assert refused.status_code == 403  # no CSRF token
