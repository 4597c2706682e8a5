"""The content-addressed document store shared by customers and the ledger: a lost or changed
file is refused as gone, logged for the operator, and listed by ``verify``."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from microlend.db import documents
from microlend.kernel.errors import Gone, ValidationFailed


def test_a_file_is_stored_once_under_its_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path))
    digest = documents.store(b"receipt")
    assert digest == hashlib.sha256(b"receipt").hexdigest()
    assert documents.store(b"receipt") == digest
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [
        f"{digest[:2]}/{digest}"
    ]
    assert documents.read(documents.StoredDocument("receipt", 1, digest, 7)) == b"receipt"


def test_the_default_directory_and_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROLEND_DOCUMENT_DIR", raising=False)
    assert documents.document_dir() == Path("documents")
    with pytest.raises(ValueError):
        documents.blob_path("../../etc/passwd")
    with pytest.raises(ValidationFailed):
        documents.checked_content(b"")
    with pytest.raises(ValidationFailed):
        documents.checked_content(b"x" * (documents.MAX_DOCUMENT_BYTES + 1))


def test_a_lost_or_changed_file_is_gone_and_logged_with_its_record_and_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path))
    digest = documents.store(b"invoice")
    path = documents.blob_path(digest)
    whole = documents.StoredDocument("voucher attachment", 7, digest, 7)
    path.write_bytes(b"invoiCe")  # the same size, other content
    cases = {
        whole: "changed: its content no longer has the SHA-256 it is stored under",
        documents.StoredDocument("customer document", 8, digest, 6): "7 bytes where 6 were stored",
    }
    caplog.set_level(logging.ERROR, logger="microlend.documents")
    for document, problem in cases.items():
        caplog.clear()
        with pytest.raises(Gone) as gone:
            documents.read(document)
        assert (gone.value.status, gone.value.code) == (410, "document_content_missing")
        assert [r.getMessage() for r in caplog.records] == [
            f"document store: {document}: file {path} is {problem}"
        ]
    path.unlink()
    with pytest.raises(Gone):
        documents.read(whole)
    last = caplog.records[-1]
    assert last.levelno == logging.ERROR
    assert last.getMessage().endswith(f"voucher attachment 7: file {path} is missing")


def test_verify_lists_every_record_whose_file_is_lost_or_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path))
    kept, lost, changed = (documents.store(content) for content in (b"kept", b"lost", b"changed"))
    documents.blob_path(lost).unlink()
    documents.blob_path(changed).write_bytes(b"changeD")
    directory = documents.store(b"dir")
    documents.blob_path(directory).unlink()
    documents.blob_path(directory).mkdir()  # not a file: unreadable
    stored = [
        documents.StoredDocument("customer document", 1, kept, 4),
        documents.StoredDocument("customer document", 2, lost, 4),
        documents.StoredDocument("fund usage evidence", 3, changed),
        documents.StoredDocument("voucher attachment", 4, kept, 5),
        documents.StoredDocument("contract PDF", 5, directory),
        documents.StoredDocument("contract PDF", 6, "not-a-hash"),
    ]
    found = {str(p.document): (p.problem, p.path) for p in documents.verify(stored)}
    assert found == {
        "customer document 2": ("missing", str(documents.blob_path(lost))),
        "fund usage evidence 3": (
            "changed: its content no longer has the SHA-256 it is stored under",
            str(documents.blob_path(changed)),
        ),
        "voucher attachment 4": ("4 bytes where 5 were stored", str(documents.blob_path(kept))),
        "contract PDF 5": ("unreadable (Is a directory)", str(documents.blob_path(directory))),
        "contract PDF 6": ("not in the store: 'not-a-hash' is not a SHA-256", "-"),
    }
