"""The pages that download a stored file (a customer's document, a voucher's attachment): who
may fetch them. They are in the page matrix (``test_pages_permissions``) through ``PAGES``."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from microlend.customers import credit_file
from tests.e2e.pages_support import CUSTOMERS, LEDGER, ROLES, sign_in, ui_client
from tests.integration.applications_support import register
from tests.ledger_support import an_attachment
from tests.seed import World

__all__ = ["ui_client"]

CUSTOMER_DOCUMENT = "/customers/{customer_id}/documents/{document_id}"
VOUCHER_ATTACHMENT = "/accounting/vouchers/{voucher_id}/attachments/{attachment_id}"
PAGES = {CUSTOMER_DOCUMENT: CUSTOMERS, VOUCHER_ATTACHMENT: LEDGER}


def stored_files(world: World) -> dict[str, str]:
    """A document of a branch-A customer (officer_a's) and an attachment of a head-office
    voucher: the URL of each page."""
    customer_id = register(world, "officer_a", "11010519491231002X", "张三")
    with world.make_uow() as uow:
        document = credit_file.upload_document(
            uow, world.principal("officer_a"), customer_id=customer_id, doc_type="id_copy",
            filename="正面.txt", media_type="text/plain", content=b"front", now=world.now,
        )  # fmt: skip
        uow.commit()
    voucher_id, attached = an_attachment(world, b"receipt")
    return {
        CUSTOMER_DOCUMENT: f"/customers/{customer_id}/documents/{document.id}",  # type: ignore[union-attr]
        VOUCHER_ATTACHMENT: f"/accounting/vouchers/{voucher_id}/attachments/{attached.id}",
    }


@pytest.mark.parametrize("role", sorted(ROLES))
def test_who_may_download_a_stored_file(
    ui_client: TestClient,
    world: World,
    role: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path))
    urls = stored_files(world)
    sign_in(ui_client, ROLES[role])
    outcome = {path: ui_client.get(url).status_code for path, url in urls.items()}
    assert outcome == {path: 200 if role in allowed else 403 for path, allowed in PAGES.items()}
