"""The voucher page lists a manual voucher's attachments as links that download them (a file
lost from storage: an error page saying so)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from microlend.db import documents
from tests.e2e.pages_support import HTML, ZH, sign_in, ui_client
from tests.ledger_support import an_attachment
from tests.seed import World

__all__ = ["ui_client"]


def test_attachments_are_linked_from_the_voucher_page(
    ui_client: TestClient, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path))
    voucher_id, attached = an_attachment(world, b"\x89PNG receipt")
    sign_in(ui_client, "auditor")
    page = ui_client.get(f"/accounting/vouchers/{voucher_id}", headers=ZH).text
    link = f"/accounting/vouchers/{voucher_id}/attachments/{attached.id}"
    assert "附件" in page and f'href="{link}"' in page and "收据.png" in page
    assert ui_client.get(link).content == b"\x89PNG receipt"
    assert ui_client.get(f"/api/v1{link}").content == b"\x89PNG receipt"
    documents.blob_path(attached.content_hash).unlink()
    lost = ui_client.get(link, headers={**HTML, **ZH})
    assert (
        lost.status_code == 410 and "已不可用" in lost.text and "该文件在存储中已丢失" in lost.text
    )
    problem = ui_client.get(f"/api/v1{link}").json()
    assert (problem["status"], problem["code"]) == (410, "document_content_missing")
