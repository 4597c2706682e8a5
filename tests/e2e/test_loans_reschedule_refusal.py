"""A reschedule the loan engine refuses (a back-dated prepayment left too little principal for
its term) reads in the checker's language on the loan page, not in the engine's English."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from microlend.loans import service as loans
from tests.e2e.pages_support import EN, ZH, ui_client
from tests.e2e.test_loans_pages import _as, _loan_page_of, _pending_id, _post
from tests.seed import World

__all__ = ["ui_client"]


@pytest.mark.parametrize(
    ("language", "refusal"),
    [
        (EN, "Please check the input. (is too small to spread over 12 installments at 2 digits)"),
        (ZH, "请检查输入内容。（过小，无法按 2 位小数分摊到 12 期）"),
    ],
)
def test_a_reschedule_the_calculator_refuses_reads_in_the_checkers_language(
    ui_client: TestClient, world: World, language: dict[str, str], refusal: str
) -> None:
    # a back-dated prepayment leaves 0.10 of principal: too little for 12 new installments, so
    # the engine refuses the reschedule when the checker's approval runs it
    url, csrf = _loan_page_of(ui_client, world, date(2025, 3, 1), "manager_a")
    loan_id = int(url.rsplit("/", 1)[1])
    with world.make_uow() as uow:
        loans.prepay(uow, world.principal("finance"), loan_id=loan_id, amount="12119.90",
                     value_date=date(2025, 2, 15), now=world.now)  # fmt: skip
        uow.commit()
    form = {"csrf_token": csrf, "term": "12", "method": "equal_principal", "reason": "困难"}
    pending = _pending_id(_post(ui_client, f"{url}/reschedule", form))
    csrf = _as(ui_client, "manager")
    ui_client.headers.update(language)
    page = _post(ui_client, f"/inbox/{pending}/approve", {"csrf_token": csrf, "next": url})
    assert "notice-error" in page and refusal in page
    assert "Restructured" not in page and "已重组" not in page
