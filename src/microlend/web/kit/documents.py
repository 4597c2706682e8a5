"""The printable documents' templating (the contract, the payoff certificate, the receipt, the
statement of account): complete HTML pages with their own print styles, which WeasyPrint turns
into PDFs. Every document environment autoescapes, names the CJK font the PDFs print Chinese
with (WenQuanYi Micro Hei, installed by ``scripts/system-deps.sh``), and writes amounts grouped
(``amount``: ``57,000.00``) and in capitals (``capitals``: 伍万柒仟元整, 金额大写)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from microlend.web.kit.formats import amount_in_capitals, format_amount

CJK_FONT = "WenQuanYi Micro Hei"
HEADERS = {  # a document page: never cached, never framed, nothing loaded but its own styles
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
}


def document_environment(directory: Path, **names: Any) -> Environment:
    """The environment of the document templates in ``directory``, with ``names`` global."""
    environment = Environment(
        loader=FileSystemLoader(directory), autoescape=select_autoescape(["html"])
    )
    environment.globals.update(CJK_FONT=CJK_FONT, **names)
    environment.filters["amount"] = lambda text, currency: format_amount(Decimal(text), currency)
    environment.filters["capitals"] = lambda text: amount_in_capitals(Decimal(text))
    return environment


def document_page(html: str) -> HTMLResponse:
    """A rendered document as its own page (``HEADERS``)."""
    return HTMLResponse(html, headers=HEADERS)
