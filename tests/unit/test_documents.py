"""The content-addressed document store shared by customers and the ledger."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from microlend.db import documents
from microlend.kernel.errors import ValidationFailed


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
    assert documents.read(digest) == b"receipt"


def test_the_default_directory_and_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MICROLEND_DOCUMENT_DIR", raising=False)
    assert documents.document_dir() == Path("documents")
    with pytest.raises(ValueError):
        documents.blob_path("../../etc/passwd")
    with pytest.raises(ValidationFailed):
        documents.checked_content(b"")
    with pytest.raises(ValidationFailed):
        documents.checked_content(b"x" * (documents.MAX_DOCUMENT_BYTES + 1))
