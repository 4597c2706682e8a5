"""The loans' printable documents (the payoff certificate, the repayment receipt, the statement
of account), from the Jinja templates in ``documents/`` (``web.kit.documents``: amounts grouped
and in capitals, the CJK font), with identity documents, transactions and channels by name."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from microlend.origination.contract_document import ID_KINDS
from microlend.web.kit.documents import document_environment

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
    directory = Path(__file__).with_name("documents")
    return document_environment(
        directory, ID_KINDS=ID_KINDS, EVENT_KINDS=EVENT_KINDS, CHANNELS=CHANNELS
    )


def render_document(template: str, **context: Any) -> str:
    """The HTML of the document ``template`` (a file in ``documents/``)."""
    return _environment().get_template(template).render(**context)
