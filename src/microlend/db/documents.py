"""The content-addressed file store shared by the contexts (customers' documents, vouchers'
attachments): a file is kept once under its SHA-256 in ``MICROLEND_DOCUMENT_DIR`` (default
``./documents``), at ``{hash[:2]}/{hash}``. Rows elsewhere refer to it by that hash."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from microlend.kernel.errors import ValidationFailed

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_HASH = re.compile(r"[0-9a-f]{64}")


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


def read(content_hash: str) -> bytes:
    return blob_path(content_hash).read_bytes()
