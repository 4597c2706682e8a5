"""An export of records, audited: the record of handing a file out is committed before it goes.

An export is a read (a read-only unit of work that cannot commit), but what leaves the system in
a file is out of its hands: every export appends one record to the audit chain, committed apart
(``UnitOfWork.write_apart``) before the bytes are handed back, holding

* the export's ``command`` (``loans.autodebit.export``, ``loans.ledger.export``...), outcome
  ``ok``, the actor (user, company, address);
* entity ``company`` and the actor's company id (an export covers what the actor sees of it);
* ``input_digest``: the digest (``kernel.fingerprint.digest``) of the request as the export
  names it (its date, filters, format);
* ``change_digest``: the SHA-256 (hex) of the exact bytes handed out, so an auditor hashing a
  file a user kept finds the record of its export.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from microlend.db.audit import Actor, append_audit
from microlend.db.uow import UnitOfWork
from microlend.kernel.fingerprint import digest, sha256_hex
from microlend.kernel.principal import Principal

ENTITY_TYPE = "company"


def record_export(
    uow: UnitOfWork,
    actor: Principal,
    *,
    command: str,
    request: Mapping[str, object],
    content: bytes,
    now: datetime,
) -> str:
    """Commit the audit record of handing ``content`` out for ``request``; its SHA-256."""
    handed_out = sha256_hex(content)

    def write(session: Session) -> None:
        append_audit(
            session,
            actor=Actor.of(actor),
            command=command,
            outcome="ok",
            input_digest=digest(dict(request)),
            change_digest=handed_out,
            entity_type=ENTITY_TYPE,
            entity_id=actor.company_id,
            now=now,
        )

    uow.write_apart(write)
    return handed_out
