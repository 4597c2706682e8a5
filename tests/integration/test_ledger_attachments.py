"""Attachments of manual vouchers: stored once by content hash, audited, manual vouchers only."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from microlend.accounting import service as ledger
from microlend.db.tables import AuditRecord
from microlend.kernel.errors import Forbidden, NotFound, RuleViolation, ValidationFailed
from tests.ledger_support import a_voucher
from tests.seed import World

DAY = date(2025, 3, 3)


@pytest.fixture(autouse=True)
def docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    return tmp_path / "docs"


def manual_voucher(world: World) -> int:
    with world.make_uow() as uow:
        voucher = ledger.post_manual_voucher(
            uow,
            world.principal("finance"),
            office_id=world.offices["hq"],
            business_date=DAY,
            summary="房租",
            lines=[
                {"account_code": "6602", "side": "D", "amount": Decimal("3000")},
                {"account_code": "1002", "side": "C", "amount": Decimal("3000")},
            ],
            now=world.now,
        )
        uow.commit()
    assert isinstance(voucher, ledger.VoucherView)
    return voucher.id


def attach(
    world: World, voucher_id: int, name: str, content: bytes, role: str = "finance"
) -> object:
    with world.make_uow() as uow:
        view = ledger.attach_file(
            uow, world.principal(role), voucher_id=voucher_id, filename=name,
            media_type="application/pdf", content=content, now=world.now,
        )  # fmt: skip
        uow.commit()
    return view


def test_a_file_is_kept_once_and_linked_each_time(world: World, docs: Path) -> None:
    voucher_id = manual_voucher(world)
    first = attach(world, voucher_id, "../../invoice.pdf", b"invoice 42")
    attach(world, voucher_id, "copy.pdf", b"invoice 42")
    digest = hashlib.sha256(b"invoice 42").hexdigest()
    assert isinstance(first, ledger.AttachmentView)
    assert first.filename == "invoice.pdf" and first.content_hash == digest and first.size == 10
    assert [p.name for p in docs.rglob("*") if p.is_file()] == [digest]
    auditor = world.principal("auditor")
    with world.make_uow(read_only=True) as uow:
        listed = ledger.list_attachments(uow, auditor, voucher_id=voucher_id)
        view, content = ledger.read_attachment(
            uow, auditor, voucher_id=voucher_id, attachment_id=first.id
        )
        audited = uow.session.scalars(
            select(AuditRecord.entity_id).where(AuditRecord.command == "accounting.voucher.attach")
        ).all()
    assert [a.filename for a in listed] == ["invoice.pdf", "copy.pdf"]
    assert (view, content) == (first, b"invoice 42")
    assert audited == [str(voucher_id), str(voucher_id)]


def test_refusals(world: World) -> None:
    voucher_id = manual_voucher(world)
    with pytest.raises(RuleViolation, match="manual"):
        attach(world, a_voucher(world), "a.pdf", b"x")
    with pytest.raises(ValidationFailed):
        attach(world, voucher_id, "a.pdf", b"")
    with pytest.raises(Forbidden):
        attach(world, voucher_id, "a.pdf", b"x", role="auditor")
    with world.make_uow(read_only=True) as uow, pytest.raises(NotFound):
        ledger.read_attachment(
            uow, world.principal("auditor"), voucher_id=voucher_id, attachment_id=999
        )
