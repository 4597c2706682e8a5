"""Account detail (明细账) with its running balance, linked from the trial balance and the chart;
the reverse button on the voucher page, with maker-checker and a friendly refusal."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from microlend.auth import service as auth
from tests.e2e.pages_support import ZH, sign_in, ui_client
from tests.ledger_support import event, post
from tests.seed import World

__all__ = ["ui_client"]
MARCH = "date_from=2025-03-01&date_to=2025-03-31"


def test_account_detail_has_a_running_balance_and_is_linked(
    ui_client: TestClient, world: World
) -> None:
    finance = world.principal("finance")
    post(world, finance, event(world, "fee_charge", "f:0", date(2025, 2, 27), fee="10.00"))
    first = post(world, finance, event(world, "fee_charge", "f:1", date(2025, 3, 3), fee="100.00"))
    post(world, finance, event(world, "fee_charge", "f:2", date(2025, 3, 9), fee="25.50"))
    sign_in(ui_client, "auditor")
    page = ui_client.get(f"/accounting/accounts/1221?{MARCH}", headers=ZH)
    assert page.status_code == 200 and "明细账" in page.text and "期初余额" in page.text
    rows = page.text.split('id="account-detail"')[1]
    balances = [cell for cell in ("10.00", "110.00", "135.50") if cell in rows]
    assert balances == ["10.00", "110.00", "135.50"]
    assert rows.index("110.00") < rows.index("135.50")
    assert f'href="/accounting/vouchers/{first.id}"' in rows and "122101" in rows
    trial = ui_client.get(f"/accounting/trial-balance?{MARCH}").text
    assert 'href="/accounting/accounts/1221?date_from=2025-03-01&amp;date_to=2025-03-31"' in trial
    chart = ui_client.get("/accounting/accounts").text
    assert 'href="/accounting/accounts/6021"' in chart
    assert ui_client.get("/accounting/accounts/9999").status_code == 404
    assert 'id="reverse-voucher"' not in ui_client.get(f"/accounting/vouchers/{first.id}").text


def test_a_voucher_is_reversed_from_its_page(ui_client: TestClient, world: World) -> None:
    voucher = post(world, world.principal("finance"), event(world, "fee_charge", "f:1",
                                                            date(2025, 3, 3), fee="9"))  # fmt: skip
    csrf = sign_in(ui_client, "finance")
    url = f"/accounting/vouchers/{voucher.id}"
    assert 'id="reverse-voucher"' in ui_client.get(url).text
    form = {"csrf_token": csrf, "business_date": "2025-03-04", "reason": "wrong fee"}
    done = ui_client.post(f"{url}/reverse", data=form, headers=ZH)
    assert done.status_code == 303
    reversal = ui_client.get(done.headers["location"], headers=ZH).text
    assert "红字冲销凭证 2025-03-000002 已记账。" in reversal
    assert f'href="/accounting/vouchers/{voucher.id}"' in reversal
    assert 'id="reverse-voucher"' not in reversal  # a reversal is not reversed
    original = ui_client.get(url, headers=ZH).text  # the original now links to its reversal
    assert 'id="reverse-voucher"' not in original and 'id="reversed-by"' in original
    assert "已被红字冲销，冲销凭证 2025-03-000002" in original
    again = ui_client.post(f"{url}/reverse", data=form, headers=ZH)
    assert again.status_code in (409, 422) and 'class="notice' in again.text
    assert "Traceback" not in again.text and voucher.number in again.text


def test_reversal_waits_for_a_checker_when_maker_checker_is_on(
    ui_client: TestClient, world: World
) -> None:
    voucher = post(world, world.principal("finance"), event(world, "fee_charge", "f:1",
                                                            date(2025, 3, 3), fee="9"))  # fmt: skip
    with world.make_uow() as uow:
        auth.configure_maker_checker(
            uow, world.principal("admin"), command_name="accounting.voucher.reverse",
            enabled=True, now=world.now,
        )  # fmt: skip
        uow.commit()
    csrf = sign_in(ui_client, "finance")
    url = f"/accounting/vouchers/{voucher.id}"
    held = ui_client.post(
        f"{url}/reverse", data={"csrf_token": csrf, "business_date": "2025-03-04"}
    )
    assert held.status_code == 303 and held.headers["location"].startswith(url)
    assert "Submitted for approval" in ui_client.get(held.headers["location"]).text
    listing = ui_client.get("/accounting/vouchers?period=2025-03").text
    assert "2025-03-000002" not in listing
