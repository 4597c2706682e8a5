"""Customer pages beyond registration: edit with errors beside their fields, the related-party
editor and its graph, document upload, the pool (release, claim), transfers with approval, the
pool settings, and what the contexts above add to the 360."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from microlend.customers import extensions
from microlend.customers import service as customers
from microlend.customers.views import CustomerView, File360Section
from tests.e2e.pages_support import EN, sign_in, ui_client
from tests.integration.loans_support import disbursed
from tests.seed import World

__all__ = ["ui_client"]

ZHANG, LI = "11010519491231002X", "440524188001010014"  # check digits: tests/unit/customers


@pytest.fixture(autouse=True)
def document_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))


def register(world: World, number: str = ZHANG, name: str = "张三") -> int:
    with world.make_uow() as uow:
        view = customers.register_customer(uow, world.principal("officer_a"), kind="individual",
                                           id_number=number, name=name, now=world.now)  # fmt: skip
        uow.commit()
    assert isinstance(view, CustomerView)
    return view.id


def browser(ui_client: TestClient, username: str) -> tuple[TestClient, str]:
    client = TestClient(ui_client.app, follow_redirects=False, headers=EN)
    return client, sign_in(client, username)


def test_the_edit_form_shows_the_error_beside_its_field(
    ui_client: TestClient, world: World
) -> None:
    customer_id = register(world)
    csrf = sign_in(ui_client, "officer_a")
    assert 'value="张三"' in ui_client.get(f"/customers/{customer_id}/edit").text
    form = {"csrf_token": csrf, "name": "张三", "phone": "12345", "address": "福州"}
    refused = ui_client.post(f"/customers/{customer_id}/edit", data=form)
    assert refused.status_code == 422
    assert re.search(r'has-error">\s*<label for="f-phone"', refused.text)
    assert 'value="福州"' in refused.text  # what was typed stays
    saved = ui_client.post(f"/customers/{customer_id}/edit", data={**form, "phone": "13912345678"})
    assert saved.status_code == 303
    page = ui_client.get(saved.headers["location"]).text
    assert "Customer 张三 saved." in page and "福州" in page


def test_the_related_party_editor_adds_draws_and_removes(
    ui_client: TestClient, world: World
) -> None:
    person, firm = register(world), register(world, LI, "李四")
    csrf = sign_in(ui_client, "officer_a")
    url = f"/customers/{person}/related-parties"
    bad = ui_client.post(url, data={"csrf_token": csrf, "to_id": str(firm),
                                    "relation": "shareholder", "share_percent": "160"})  # fmt: skip
    assert bad.status_code == 422 and "a share is a percentage from 0 to 100" in bad.text
    link = {"csrf_token": csrf, "to_id": str(firm), "relation": "shareholder"}
    added = ui_client.post(url, data={**link, "share_percent": "60"})
    assert added.status_code == 303
    page = ui_client.get(url).text
    start = page.index('<svg id="related-graph"')
    graph = page[start : page.index("</svg>", start)]
    assert graph.count("<circle") == 2 and graph.count("<line") == 1
    assert "Shareholder 60%" in graph and "李四" in graph
    assert "Group exposure: 0.00 ·" in page
    link_id = re.search(rf"/customers/{person}/related-parties/(\d+)/remove", page)
    assert link_id
    removed = ui_client.post(f"{url}/{link_id.group(1)}/remove", data={"csrf_token": csrf})
    assert removed.status_code == 303
    after = ui_client.get(url).text
    start = after.index('<svg id="related-graph"')
    assert "Related party removed." in after
    assert after[start : after.index("</svg>", start)].count("<circle") == 1


def test_a_document_is_uploaded_from_the_360(ui_client: TestClient, world: World) -> None:
    customer_id = register(world)
    csrf = sign_in(ui_client, "officer_a")
    uploaded = ui_client.post(
        f"/customers/{customer_id}/documents",
        data={"csrf_token": csrf, "doc_type": "id_copy"},
        files={"document": ("身份证.png", b"\x89PNG scan", "image/png")},
    )
    assert uploaded.status_code == 303
    page = ui_client.get(uploaded.headers["location"]).text
    assert "Document 身份证.png uploaded." in page and "ID copy" in page
    link = re.search(rf'href="(/customers/{customer_id}/documents/\d+)"', page)
    assert link and ui_client.get(link.group(1)).content == b"\x89PNG scan"


def test_release_then_another_officer_claims_from_the_pool(
    ui_client: TestClient, world: World
) -> None:
    customer_id = register(world)
    csrf = sign_in(ui_client, "officer_a")
    assert "张三" in ui_client.get("/customers/pool?view=mine").text
    released = ui_client.post(f"/customers/{customer_id}/release", data={"csrf_token": csrf})
    assert released.status_code == 303
    assert "张三 is back in the pool." in ui_client.get(released.headers["location"]).text
    other, other_csrf = browser(ui_client, "officer_b")
    shared = other.get("/customers/pool?view=shared").text
    assert f'action="/customers/{customer_id}/claim"' in shared
    claimed = other.post(f"/customers/{customer_id}/claim", data={"csrf_token": other_csrf})
    assert claimed.headers["location"] == f"/customers/{customer_id}"
    assert "You now hold 张三." in other.get(claimed.headers["location"]).text
    assert "张三" in other.get("/customers/pool?view=mine").text


def test_a_borrower_is_marked_and_not_offered_for_release(
    ui_client: TestClient, world: World
) -> None:
    loan = disbursed(world)  # officer_a's customer 李四, with a loan on the book
    csrf = sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/customers/{loan.customer_id}").text
    assert 'id="holder-owing"' in page and f"/customers/{loan.customer_id}/release" not in page
    mine = ui_client.get("/customers/pool?view=mine").text
    assert "Borrower with a loan on the book" in mine
    assert f"/customers/{loan.customer_id}/release" not in mine
    refused = ui_client.post(f"/customers/{loan.customer_id}/release", data={"csrf_token": csrf})
    assert refused.status_code == 303  # a notice names why; the customer stays held
    shown = ui_client.get(refused.headers["location"]).text
    assert "owes on a loan on the book: transfer the customer instead" in shown


def test_a_transfer_is_asked_on_the_360_and_approved_by_a_manager(
    ui_client: TestClient, world: World
) -> None:
    customer_id = register(world)
    csrf = sign_in(ui_client, "officer_a")
    asked = ui_client.post(f"/customers/{customer_id}/transfer-requests", data={
        "csrf_token": csrf, "to_user_id": str(world.user_ids["officer_b"]),
        "reason": "moves to branch B"})  # fmt: skip
    assert "Transfer to Officer_B asked" in ui_client.get(asked.headers["location"]).text
    manager, manager_csrf = browser(ui_client, "manager")
    waiting = manager.get("/customers/transfers").text
    request_id = re.search(r"/customers/transfers/(\d+)/approve", waiting)
    assert request_id and "moves to branch B" in waiting
    approved = manager.post(f"/customers/transfers/{request_id.group(1)}/approve",
                            data={"csrf_token": manager_csrf, "opinion": "ok"})  # fmt: skip
    assert "Transfer approved." in manager.get(approved.headers["location"]).text
    assert "Officer_B" in manager.get(f"/customers/{customer_id}").text


def test_the_pool_settings_page_saves_the_company_setting(
    ui_client: TestClient, world: World
) -> None:
    csrf = sign_in(ui_client, "admin")
    form = {"csrf_token": csrf, "protection_days": "30", "sharing": "own"}
    saved = ui_client.post("/customers/pool/settings", data=form)
    page = ui_client.get(saved.headers["location"]).text
    assert "Pool settings saved." in page and 'value="30"' in page
    assert '<option value="own" selected>' in page
    assert "Only a user whose data scope is the whole group" in page


def test_the_360_shows_what_the_contexts_above_add(
    ui_client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_id = register(world)
    section = File360Section("loans", "Loans", ("Loan no.", "Status"), (("L-0001", "active"),),
                             ("/loans/1",))  # fmt: skip
    loans = types.SimpleNamespace(file_sections=lambda uow, actor, *, customer_id: [section])
    monkeypatch.setattr(extensions, "contributions", lambda: (loans,))
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/customers/{customer_id}").text
    assert 'id="section-loans"' in page and '<a href="/loans/1">L-0001</a>' in page
    assert "Repayment behaviour" in page
