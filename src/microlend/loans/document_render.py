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

EVENT_KINDS = {  # the transactions as the documents name them
    "disbursement": "放款",
    "tranche": "分次放款",
    "repayment": "还款",
    "prepayment": "提前还款",
    "recovery": "核销后收回",
    "waiver": "减免",
    "refund": "退还溢缴款",
    "reversal": "冲正",
    "reschedule": "展期重组",
    "credit_application": "溢缴款抵扣",
    "write_off": "核销",
}
CHANNELS = {
    "bank": "银行转账",
    "cash": "现金",
    "wechat": "微信",
    "alipay": "支付宝",
    "deduction": "代扣",
}


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).with_name("documents")),
        autoescape=select_autoescape(["html"]),
    )
    environment.globals.update(
        ID_KINDS=ID_KINDS, CJK_FONT=CJK_FONT, EVENT_KINDS=EVENT_KINDS, CHANNELS=CHANNELS
    )
    environment.filters["amount"] = lambda text, currency: format_amount(Decimal(text), currency)
    environment.filters["capitals"] = lambda text: amount_in_capitals(Decimal(text))
    return environment


def render_document(template: str, **context: Any) -> str:
    """The HTML of the document ``template`` (a file in ``documents/``)."""
    return _environment().get_template(template).render(**context)
