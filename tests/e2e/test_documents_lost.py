"""A stored document whose file is lost: the API answers 410 ``document_content_missing``, the
page says so in the reader's language, the loss is logged with the record and the file's path,
and ``microlend documents verify`` lists it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from microlend.cli import app as cli
from microlend.db import documents
from tests.e2e.pages_support import EN, HTML, ZH, sign_in, ui_client
from tests.integration.applications_support import register
from tests.seed import World

__all__ = ["ui_client"]

Headers = dict[str, str]
ZHANG = "11010519491231002X"


def test_a_lost_document_is_a_clear_error_logged_and_listed_by_verify(
    client: TestClient,
    ui_client: TestClient,
    bearer: Callable[[str], Headers],
    world: World,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    customer_id = register(world, "officer_a", ZHANG, "张三")
    officer = bearer("officer_a")
    url = f"/api/v1/customers/{customer_id}/documents"
    kept, lost = (
        client.post(
            url,
            params={"doc_type": "id_copy", "filename": name},
            headers={**officer, "Content-Type": "text/plain"},
            content=content,
        ).json()
        for name, content in (("正面.txt", b"front"), ("背面.txt", b"back"))
    )
    path = documents.blob_path(lost["content_hash"])
    path.unlink()
    caplog.set_level(logging.ERROR, logger="microlend.documents")

    assert client.get(f"{url}/{kept['id']}", headers=officer).content == b"front"
    answer = client.get(f"{url}/{lost['id']}", headers=officer)
    assert answer.status_code == 410
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "document_content_missing"
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR] == [
        f"document store: customer document {lost['id']}: file {path} is missing"
    ]

    sign_in(ui_client, "officer_a")
    page_url = f"/customers/{customer_id}/documents"
    assert f'href="{page_url}/{lost["id"]}"' in ui_client.get(f"/customers/{customer_id}").text
    assert ui_client.get(f"{page_url}/{kept['id']}").content == b"front"
    for language, sentence in (
        (EN, "The file of this document is missing or damaged in storage."),
        (ZH, "该文件在存储中已丢失或损坏。此问题已记入日志"),
    ):
        page = ui_client.get(f"{page_url}/{lost['id']}", headers={**HTML, **language})
        assert page.status_code == 410 and sentence in page.text

    result = CliRunner().invoke(
        cli, ["documents", "verify", "--company", "MLC"], env={"MICROLEND_DATABASE_URL": db_url}
    )
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == f"customer document {lost['id']}: missing: {path}"
    assert "document store BROKEN: 1 of 2 records" in result.output
