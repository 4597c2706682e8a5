"""The content-addressed file store shared by the contexts (customers' documents, vouchers'
attachments): a file is kept once under its SHA-256 in ``MICROLEND_DOCUMENT_DIR`` (default
``./documents``), at ``{hash[:2]}/{hash}``. Rows elsewhere refer to it by that hash.

A file that is gone, unreadable or no longer what was stored (its size or SHA-256 differs) is
storage loss: ``read`` logs it at error level for the operator and refuses with ``Gone``
(``document_content_missing``) rather than fail or serve it; ``verify`` lists every such record
(``microlend documents verify``)."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import null, select
from sqlalchemy.orm import Session

from microlend.kernel.errors import Gone, ValidationFailed

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_HASH = re.compile(r"[0-9a-f]{64}")
log = logging.getLogger("microlend.documents")


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """A record that refers to a stored file: what it is (``customer document``), its id, the
    file's hash and, where the record keeps it, its size."""

    kind: str
    id: int
    content_hash: str
    size: int | None = None

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


@dataclass(frozen=True, slots=True)
class DocumentProblem:
    document: StoredDocument
    path: str
    problem: str  # missing, unreadable (why), or how the file differs from what was stored


def document_dir() -> Path:
    """Where documents are kept, by content hash: ``MICROLEND_DOCUMENT_DIR`` or ./documents."""
    return Path(os.environ.get("MICROLEND_DOCUMENT_DIR", "documents"))


def blob_path(content_hash: str) -> Path:
    if not _HASH.fullmatch(content_hash):
        raise ValueError(f"{content_hash!r} is not a SHA-256 in hex")
    return document_dir() / content_hash[:2] / content_hash


def checked_content(content: bytes) -> str:
    """The SHA-256 of a document that may be stored (1 byte to 20 MiB)."""
    if not content or len(content) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed("a document has 1 byte to 20 MiB", field="file")
    return hashlib.sha256(content).hexdigest()


def store(content: bytes) -> str:
    """Keep ``content`` once (written to a part file, then renamed) and return its hash."""
    content_hash = checked_content(content)
    path = blob_path(content_hash)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # a part file of this writer's own: two processes may keep the same content at once
        partial = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
        partial.write_bytes(content)
        partial.replace(path)  # atomic; the same content either way
    return content_hash


def read(document: StoredDocument) -> bytes:
    """The stored content of ``document``; if its file is lost or damaged, the loss is logged
    (the record, the file's path and what is wrong) and the read refused with ``Gone``."""
    path, content, problem = _examined(document.content_hash, document.size)
    if problem is None:
        return content
    log.error("document store: %s: file %s is %s", document, path, problem)
    raise Gone(
        "the stored file of this document is missing or damaged", code="document_content_missing"
    )


def verify(stored: Iterable[StoredDocument]) -> list[DocumentProblem]:
    """Every record of ``stored`` whose file is missing, unreadable or not what was stored (a
    file several records share is read once per size they record)."""
    found: list[DocumentProblem] = []
    checked: dict[tuple[str, int | None], tuple[str, str | None]] = {}
    for document in stored:
        key = (document.content_hash, document.size)
        if key not in checked:
            path, _content, problem = _examined(*key)
            checked[key] = (path, problem)
        path, problem = checked[key]
        if problem is not None:
            found.append(DocumentProblem(document, path, problem))
    return found


def stored_in(
    session: Session,
    kind: str,
    table: Any,
    companies: Iterable[int],
    *,
    hash_column: str = "content_hash",
    sized: bool = True,
) -> list[StoredDocument]:
    """The records of ``table`` (an ORM class with ``id`` and ``company_id``) of ``companies``
    that refer to a stored file, by its ``hash_column`` (and ``size``, if ``sized``)."""
    content_hash = getattr(table, hash_column)
    query = (
        select(table.id, content_hash, table.size if sized else null())
        .where(table.company_id.in_(sorted(companies)), content_hash.is_not(None))
        .order_by(table.id)
    )
    return [
        StoredDocument(kind, int(id_), str(hash_), None if size is None else int(size))
        for id_, hash_, size in session.execute(query)
    ]


def _examined(content_hash: str, size: int | None) -> tuple[str, bytes, str | None]:
    """The file's path, its content and what is wrong with it (None: it is what was stored)."""
    try:
        path = blob_path(content_hash)
    except ValueError:
        return "-", b"", f"not in the store: {content_hash!r} is not a SHA-256"
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return str(path), b"", "missing"
    except OSError as error:
        return str(path), b"", f"unreadable ({error.strerror or type(error).__name__})"
    if size is not None and len(content) != size:
        return str(path), b"", f"{len(content)} bytes where {size} were stored"
    if hashlib.sha256(content).hexdigest() != content_hash:
        return str(path), b"", "changed: its content no longer has the SHA-256 it is stored under"
    return str(path), content, None
