"""How values look in the UI: timestamps in the deployment's time zone, dates as ISO days, amounts
with their currency's decimal places and thousands separators, and yuan in capitals (金额大写) as
Chinese financial documents write them."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cn2an

from microlend.kernel.money import minor_digits, quantum

DEFAULT_TIMEZONE = "Asia/Shanghai"


def display_timezone() -> ZoneInfo | timezone:
    name = os.environ.get("MICROLEND_TIMEZONE", DEFAULT_TIMEZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def format_when(value: datetime | None) -> str:
    """``2025-03-01 14:05`` in the display time zone (naive values are taken as UTC)."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(display_timezone()).strftime("%Y-%m-%d %H:%M")


def format_day(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_amount(value: Decimal, currency: str = "CNY") -> str:
    """``4,555.74``; a zero reads ``0.00`` (not ``0``): the currency's decimal places, exactly
    (the amounts shown are already rounded to them, so nothing is rounded here)."""
    return f"{value.quantize(quantum(minor_digits(currency))):,}"


def amount_in_capitals(value: Decimal) -> str:
    """An amount of yuan in capitals, as contracts, receipts and certificates write it beside the
    figures (``1120.00``: 壹仟壹佰贰拾元整; ``10005.01``: 壹万零伍元零壹分): cn2an's ``rmb``
    mode, to the fen."""
    return str(cn2an.an2cn(str(value.quantize(quantum(2))), "rmb"))
