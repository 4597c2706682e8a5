"""The loans' printable documents (the payoff certificate, the repayment receipt): complete pages
with their own print styles, from the Jinja templates in ``documents/``. Amounts are written
grouped (``57,000.00``) and, beside the figure that counts, in capitals (金额大写); identity
documents by name; the font is the contract's CJK font, so that their PDFs print Chinese."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from microlend.origination.contract_document import CJK_FONT, ID_KINDS
from microlend.web.kit.formats import amount_in_capitals, format_amount


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("documents")),
        autoescape=select_autoescape(["html"]),
    )
    environment.globals.update(ID_KINDS=ID_KINDS, CJK_FONT=CJK_FONT)
    environment.filters["amount"] = lambda text, currency: format_amount(Decimal(text), currency)
    environment.filters["capitals"] = lambda text: amount_in_capitals(Decimal(text))
    return environment


def render_document(template: str, **context: Any) -> str:
    """The HTML of the document ``template`` (a file in ``documents/``)."""
    return _environment().get_template(template).render(**context)
