"""``microlend documents verify`` reads the files behind every kind of record that keeps one: a
usage record's evidence (no size stored; a record without evidence has none) and a voucher's
attachment (its size stored), and names the lost or changed ones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from microlend.accounting import service as ledger
from microlend.cli import app
from microlend.db import documents
from microlend.loans import service as loans
from microlend.loans.views import FundUsageView
from tests.integration.loans_support import disbursed
from tests.seed import World


def verify(db_url: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        app, ["documents", "verify", "--company", "MLC"], env={"MICROLEND_DATABASE_URL": db_url}
    )
    return result.exit_code, result.output.splitlines()


def test_verify_names_lost_evidence_and_a_changed_attachment(
    world: World, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROLEND_DOCUMENT_DIR", str(tmp_path / "docs"))
    loan = disbursed(world)
    finance = world.principal("finance")
    with world.make_uow() as uow:
        usages = [
            loans.record_usage(
                uow,
                world.principal("officer_a"),
                loan_id=loan.id,
                amount="100.00",
                used_on=date(2025, 1, 15),
                counterparty="批发市场",
                category="inventory",
                evidence=evidence,
                evidence_name="fp.pdf" if evidence else None,
                now=world.now,
            )
            for evidence in (b"invoice-1", None)
        ]
        voucher = ledger.post_manual_voucher(
            uow, finance, office_id=world.offices["hq"], business_date=date(2025, 3, 3),
            summary="办公用品",
            lines=[{"account_code": "6602", "side": "D", "amount": Decimal("50")},
                   {"account_code": "1002", "side": "C", "amount": Decimal("50")}],
            now=world.now,
        )  # fmt: skip
        assert isinstance(voucher, ledger.VoucherView)
        attached = ledger.attach_file(
            uow, finance, voucher_id=voucher.id, filename="收据.png", media_type="image/png",
            content=b"receipt", now=world.now,
        )  # fmt: skip
        uow.commit()
    evidence = usages[0]
    assert isinstance(evidence, FundUsageView) and isinstance(attached, ledger.AttachmentView)
    assert evidence.document_hash is not None
    assert verify(db_url) == (0, ["document store intact: 2 records, every file as stored"])

    lost = documents.blob_path(evidence.document_hash)
    lost.unlink()
    changed = documents.blob_path(attached.content_hash)
    changed.write_bytes(b"receipt, edited")
    code, lines = verify(db_url)
    assert code == 1
    assert lines == [
        f"voucher attachment {attached.id}: 15 bytes where 7 were stored: {changed}",
        f"fund usage evidence {evidence.id}: missing: {lost}",
        "document store BROKEN: 2 of 2 records",
    ]
