"""CSV layouts of the ledger: the voucher export (docs/voucher-export.md) and the reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from microlend.accounting.report_model import BalanceSheet, IncomeStatement, TrialBalance
from microlend.accounting.views import VoucherView
from microlend.accounting.vouchers import AccountDetail

BOM = "\ufeff"  # starts a UTF-8 CSV: Excel reads Chinese text right only with it
VOUCHER_COLUMNS = (
    "voucher_no",
    "business_date",
    "period",
    "kind",
    "summary",
    "line_no",
    "account_code",
    "account_name",
    "debit",
    "credit",
    "currency",
    "office_id",
    "product_code",
    "loan_id",
    "customer_id",
    "memo",
    "reverses_voucher_id",
    "voucher_id",
    "entered_at",
    "created_by",
)
TRIAL_BALANCE_COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "level",
    "opening_debit",
    "opening_credit",
    "period_debit",
    "period_credit",
    "closing_debit",
    "closing_credit",
)


def _text(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def voucher_rows(vouchers: Iterable[VoucherView]) -> Iterator[list[object]]:
    yield list(VOUCHER_COLUMNS)
    for voucher in vouchers:
        for line in voucher.lines:
            zero = abs(line.amount * 0)  # 0.00, in the amount's own digits
            yield [
                voucher.number,
                voucher.business_date.isoformat(),
                voucher.period,
                voucher.kind,
                voucher.summary,
                line.line_no,
                line.account_code,
                line.account_name,
                line.amount if line.side == "D" else zero,
                line.amount if line.side == "C" else zero,
                line.currency,
                line.office_id,
                line.product_code,
                line.loan_id,
                line.customer_id,
                line.memo,
                voucher.reverses_id,
                voucher.id,
                voucher.entered_at.isoformat(),
                voucher.created_by,
            ]


def trial_balance_rows(report: TrialBalance) -> Iterator[list[object]]:
    yield list(TRIAL_BALANCE_COLUMNS)
    for row in (*report.rows, report.totals):
        yield [getattr(row, column) for column in TRIAL_BALANCE_COLUMNS]


def trial_balance_csv(report: TrialBalance) -> Iterator[str]:
    return _text(trial_balance_rows(report))


def balance_sheet_rows(sheet: BalanceSheet) -> Iterator[list[object]]:
    yield ["section", "code", "name_zh", "name_en", "amount"]
    for section, lines in (
        ("assets", sheet.assets),
        ("liabilities", sheet.liabilities),
        ("equity", sheet.equity),
    ):
        for line in lines:
            yield [section, line.code, line.name_zh, line.name_en, line.amount]
    yield ["equity", "", "本年未结转利润", "Profit not yet closed", sheet.unclosed_profit]
    yield ["total", "", "资产合计", "Total assets", sheet.total_assets]
    yield ["total", "", "负债合计", "Total liabilities", sheet.total_liabilities]
    yield ["total", "", "所有者权益合计", "Total equity", sheet.total_equity]


def income_statement_rows(statement: IncomeStatement) -> Iterator[list[object]]:
    yield ["section", "code", "name_zh", "name_en", "amount"]
    for section, lines in (("income", statement.income), ("expenses", statement.expenses)):
        for line in lines:
            yield [section, line.code, line.name_zh, line.name_en, line.amount]
    yield ["total", "", "收入合计", "Total income", statement.total_income]
    yield ["total", "", "费用合计", "Total expenses", statement.total_expenses]
    yield ["total", "", "净利润", "Net profit", statement.net_profit]


def account_detail_rows(detail: AccountDetail) -> Iterator[list[object]]:
    yield ["business_date", "voucher_no", "summary", "account_code", "debit", "credit", "balance"]
    yield [detail.date_from.isoformat(), "", "期初余额", detail.code, "", "", detail.opening]
    for entry in detail.entries:
        yield [
            entry.business_date.isoformat(),
            entry.number,
            entry.summary,
            entry.account_code,
            entry.debit,
            entry.credit,
            entry.balance,
        ]
    yield [detail.date_to.isoformat(), "", "期末余额", detail.code, "", "", detail.closing]


def rows_csv(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    return _text(rows)


def rows_xlsx(rows: Iterable[Iterable[object]], title: str) -> bytes:
    """One worksheet of ``rows`` (the first is the header); amounts as numbers with two places."""
    from openpyxl import Workbook  # imported here: only the xlsx downloads need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: object, value: object) -> object:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "#,##0.00"
        return cell
    return "" if value is None else value
