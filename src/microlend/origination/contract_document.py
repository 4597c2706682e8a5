"""The loan contract as a document: HTML from the contract's disclosure (a Jinja template kept
beside this module), and the PDF printed from it by WeasyPrint with a CJK font
(WenQuanYi Micro Hei, installed by ``scripts/system-deps.sh``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from microlend.web.kit.documents import document_environment

TEMPLATE_DIR = Path(__file__).with_name("documents")

FEE_CHARGED = {
    "upfront": "一次性（放款时扣收） upfront",
    "per_installment": "每期 per installment",
    "prepayment": "提前还款时 on prepayment",
}
METHODS = {
    "equal_installment": "等额本息 equal installment",
    "equal_principal": "等额本金 equal principal",
    "interest_only": "先息后本 interest only, principal at the end",
    "bullet": "一次性还本付息 bullet",
    "flat": "等本等息 flat",
}
ROLES = {"co_borrower": "共同借款人 co-borrower", "guarantor": "保证人 guarantor"}
ID_KINDS = {  # customers.model.IdKind, as the document names it (the party's 证件类型)
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreigner_permanent": "外国人永久居留身份证",
    "uscc": "统一社会信用代码",
}


@cache
def _environment() -> Environment:
    return document_environment(
        TEMPLATE_DIR, FEE_CHARGED=FEE_CHARGED, METHODS=METHODS, ROLES=ROLES, ID_KINDS=ID_KINDS
    )


def render_html(disclosure: dict[str, Any]) -> str:
    """The contract's HTML: a complete page (its own styles), printable as it is."""
    return _environment().get_template("contract.html").render(c=disclosure)


def render_pdf(html: str) -> bytes:
    """The PDF of the contract's HTML (WeasyPrint; imported on first use, it is slow to load)."""
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    if not isinstance(pdf, bytes):
        raise RuntimeError("WeasyPrint wrote no PDF")
    return pdf
