"""The loans' printable documents (the payoff certificate, the repayment receipt, the statement
of account), from the Jinja templates in ``documents/`` (``web.kit.documents``: amounts grouped
and in capitals, the CJK font), with identity documents, transactions and channels by name."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from microlend.customers.tables import Customer
from microlend.db.uow import UnitOfWork
from microlend.loans import tables
from microlend.orgs.tables import Company, Office
from microlend.origination.contract_document import ID_KINDS, METHODS
from microlend.web.kit.documents import document_environment
from microlend.web.kit.i18n import translations

ZH = "zh_CN"  # the documents' language: code words (channels, kinds) as the UI reads them


@cache
def _environment() -> Environment:
    directory = Path(__file__).with_name("documents")
    return document_environment(
        directory, ID_KINDS=ID_KINDS, METHODS=METHODS, zh=translations(ZH).gettext
    )


@dataclass(frozen=True)
class Parties:
    """Who a loan's document names: the lender, the branch that booked the loan, the borrower."""

    lender: str
    office: str
    borrower: Customer


def parties(uow: UnitOfWork, loan: tables.Loan) -> Parties:
    """The parties of ``loan`` (read in scope by the caller)."""
    return Parties(
        lender=uow.session.get_one(Company, loan.company_id).name,
        office=uow.session.get_one(Office, loan.office_id).name,
        borrower=uow.session.get_one(Customer, loan.customer_id),
    )


def render_document(template: str, **context: Any) -> str:
    """The HTML of the document ``template`` (a file in ``documents/``)."""
    return _environment().get_template(template).render(**context)
