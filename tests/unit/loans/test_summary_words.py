"""The summaries (摘要) of the vouchers the loans post are written in Chinese, like every other
summary the system writes: no loan event kind nor close-of-business event type is left a code."""

from __future__ import annotations

from microlend.loans import close_vouchers
from microlend.loans.engine import EventKind
from microlend.loans.ledger_roles import summary_word


def test_every_loan_event_kind_has_a_chinese_word() -> None:
    for kind in EventKind:
        assert not summary_word(kind).isascii(), kind


def test_every_close_of_business_event_type_has_a_chinese_word() -> None:
    for event_type in close_vouchers._amounts([1] * 6, "CNY"):
        assert not summary_word(event_type).isascii(), event_type
