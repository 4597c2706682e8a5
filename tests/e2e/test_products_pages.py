"""Product pages: who may open them, the form with inline validation, versions and what changed,
the GL mapping override, and the quote calculator, in English and Chinese."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from microlend.accounting import service as ledger
from microlend.products import service as products
from microlend.products.defaults import INDIVIDUAL_BUSINESS
from microlend.products.views import ProductView
from tests.e2e.pages_support import HTML, ROLES, ZH, sign_in, ui_client
from tests.seed import World

__all__ = ["ui_client"]

VIEWERS = frozenset(ROLES) - {"collector"}  # products.view
ADMIN = frozenset({"admin"})  # products.manage
PAGES: dict[str, frozenset[str]] = {
    "/products": VIEWERS,
    "/products/new": ADMIN,
    "/products/quote": VIEWERS,
    "/products/{product_id}": VIEWERS,
    "/products/{product_id}/revise": ADMIN,
}


def a_product(world: World, code: str = "IND-BIZ", name: str = "个人经营贷") -> ProductView:
    """The administrator's product of the default individual business terms."""
    with world.make_uow() as uow:
        view = products.create_product(
            uow,
            world.principal("admin"),
            company_id=world.company_id,
            code=code,
            name=name,
            customer_kind="individual",
            currency="CNY",
            terms=INDIVIDUAL_BUSINESS.terms,
            now=world.now,
        )
        uow.commit()
    assert isinstance(view, ProductView)
    return view


def form_of(html: str) -> dict[str, list[str]]:
    """The values a browser would submit from the page's product form (inputs and selects)."""
    values: dict[str, list[str]] = {}
    for tag in re.finditer(r"<input [^>]*>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(0)))
        if "name" not in attrs or (
            attrs.get("type") == "checkbox" and " checked" not in tag.group(0)
        ):
            continue
        values.setdefault(attrs["name"], []).append(attrs.get("value", ""))
    for select in re.finditer(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select.group(2)) or re.search(
            r'<option value="([^"]*)"', select.group(2)
        )
        values[select.group(1)] = [chosen.group(1) if chosen else ""]
    return values


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_open_each_products_page(ui_client: TestClient, world: World, role: str) -> None:
    product = a_product(world)
    sign_in(ui_client, ROLES[role])
    outcome = {
        path: ui_client.get(path.replace("{product_id}", str(product.id)), headers=HTML).status_code
        for path in PAGES
    }
    assert outcome == {path: 200 if role in allowed else 403 for path, allowed in PAGES.items()}


def test_create_through_the_form_with_inline_validation(ui_client: TestClient) -> None:
    sign_in(ui_client, "admin")
    page = ui_client.get("/products/new").text
    form = {**form_of(page), "code": ["MICRO"], "name": ["小额经营贷"], "max_amount": ["100.00"]}
    checked = ui_client.post(
        "/products/check", data=form, headers={"HX-Request": "true", "HX-Target": "#product-form"}
    )
    assert checked.status_code == 200
    assert checked.text.lstrip().startswith('<div id="product-form">')
    assert re.search(
        r'id="f-max_amount"[^>]*aria-invalid.*?must not be below min_amount', checked.text, re.S
    )
    refused = ui_client.post("/products/new", data=form)
    assert refused.status_code == 422 and "must not be below min_amount" in refused.text
    created = ui_client.post("/products/new", data={**form, "max_amount": ["80000.00"]})
    assert created.status_code == 303, created.text
    product_page = ui_client.get(created.headers["location"]).text
    assert "Product MICRO created." in product_page
    assert "80,000.00" in product_page or "80000.00" in product_page
    assert "Equal installment" in product_page and "First version." in product_page


def test_a_revision_shows_what_changed(ui_client: TestClient, world: World) -> None:
    product = a_product(world)
    sign_in(ui_client, "admin")
    page = ui_client.get(f"/products/{product.id}/revise").text
    form = {**form_of(page), "max_rate": ["20"], "grade_E": ["19"]}
    saved = ui_client.post(f"/products/{product.id}/revise", data=form)
    assert saved.status_code == 303, saved.text
    shown = ui_client.get(f"/products/{product.id}").text
    assert "Version 2 saved." in shown
    history = shown[shown.index('id="versions"') :]
    assert re.search(r"Highest annual rate</td><td[^>]*>24%</td><td>20%</td>", history)
    assert "E 22%" in history and "E 19%" in history
    again = ui_client.post(f"/products/{product.id}/revise", data=form)
    assert again.status_code == 409 and "Nothing changed" in again.text


def test_the_gl_mapping_override_goes_to_the_ledger(ui_client: TestClient, world: World) -> None:
    product = a_product(world)
    with world.make_uow() as uow:
        ledger.open_books(uow, world.principal("admin"), now=world.now)
        uow.commit()
    csrf = sign_in(ui_client, "admin")
    page = ui_client.get(f"/products/{product.id}").text
    assert "Company default" in page and "130301" in page
    saved = ui_client.post(
        f"/products/{product.id}/gl-mapping",
        data={
            "csrf_token": csrf,
            "event_type": "disbursement",
            "role": "principal",
            "debit_code": "130302",
            "credit_code": "1002",
        },
    )
    assert saved.status_code == 303
    with world.make_uow(read_only=True) as uow:
        rules = ledger.list_rules(uow, world.principal("admin"))
    own = [
        (r.event_type, r.role, r.debit_code, r.credit_code)
        for r in rules
        if r.product_code == "IND-BIZ"
    ]
    assert own == [("disbursement", "principal", "130302", "1002")]
    assert "This product" in ui_client.get(f"/products/{product.id}").text
    # the events and amounts are named in the reader's language, not shown as codes
    chinese = ui_client.get(f"/products/{product.id}", headers=ZH).text
    assert "<td>放款</td>\n          <td>本金</td>" in chinese
    assert "<td>计提贷款损失准备</td>\n          <td>贷款损失准备</td>" in chinese
    for code in ("disbursement", "provision", "principal", "upfront_fee", "write_off"):
        assert f">{code}<" not in chinese
    english = ui_client.get(f"/products/{product.id}", headers=HTML).text
    assert "<td>Write-off</td>\n          <td>Overdue principal</td>" in english


def test_the_quote_calculator(ui_client: TestClient, world: World) -> None:
    product = a_product(world)
    sign_in(ui_client, "officer_a")
    url = f"/products/quote?product_id={product.id}&method=equal_installment&date=2026-01-15"
    # 10,000.00 over 12 months at 12 %: installment 888.49, APR 12.00 % (no fee, r = 1 %/month)
    page = ui_client.get(url + "&amount=10000.00&term=12&rate=12").text
    assert "888.49" in page and "12.00%" in page and 'id="schedule"' in page
    assert page.count("<tr>") >= 13
    refused = ui_client.get(url + "&amount=300000&term=12&rate=12").text
    assert "The amount is above the product&#39;s maximum." in refused
    fragment = ui_client.get(
        url + "&amount=10000.00&term=12&rate=12",
        headers={"HX-Request": "true", "HX-Target": "#quote-page"},
    )
    assert fragment.text.lstrip().startswith('<div id="quote-page">')
    chinese = ui_client.get(url, headers=ZH).text  # the rate's hint
    assert "；按等级：A " in chinese and "by grade" not in chinese


def test_the_product_page_reads_in_chinese(ui_client: TestClient, world: World) -> None:
    product = a_product(world)
    sign_in(ui_client, "officer_a")
    page = ui_client.get(f"/products/{product.id}", headers=ZH).text
    assert '<html lang="zh-CN">' in page and "个人经营贷" in page
    # a loan officer reads the product and may quote it, but neither revises nor retires it
    assert "/products/quote?product_id=" in page
    assert "/retire" not in page and "/revise" not in page
    # every term's label and value is Chinese too (product/readable.py is in the catalog)
    for english in ("Penalty interest", "Rate by score grade", "grace days", "default chain"):
        assert english not in page
    assert "罚息" in page and "公司默认审批流程" in page
