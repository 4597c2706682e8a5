"""Payoff certificates (结清证明): the letter a lender gives a borrower whose loan is paid off.

A certificate is numbered (``JQ`` + year + six digits, gapless per company and year), keeps the
facts it states and the SHA-256 of its PDF in the document store. A loan has at most one
certificate in force; one whose loan is reopened (a reversal takes back the payment that closed
it) is voided in the same transaction, with the day and the reason, and never deleted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from microlend.db.base import Base, Id, IdType, id_column

IN_FORCE = text("voided_on IS NULL")
REOPENED = "the loan was reopened"  # why a certificate was voided


class LoanPayoffCertificate(Base):
    __tablename__ = "loan_payoff_certificates"

    id: Mapped[Id] = id_column()
    company_id: Mapped[int] = mapped_column(IdType, ForeignKey("companies.id"))
    office_id: Mapped[int] = mapped_column(IdType, ForeignKey("offices.id"))
    loan_id: Mapped[int] = mapped_column(IdType, ForeignKey("loans.id"))
    number: Mapped[str] = mapped_column(String(20))
    paid_off_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)  # the business date
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the certificate states
    pdf_hash: Mapped[str] = mapped_column(String(64))
    voided_on: Mapped[date | None] = mapped_column(Date)
    void_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id"))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("company_id", "number"),
        Index(
            "uq_loan_payoff_certificates_in_force",
            "loan_id",
            unique=True,
            postgresql_where=IN_FORCE,
            sqlite_where=IN_FORCE,
        ),
    )
