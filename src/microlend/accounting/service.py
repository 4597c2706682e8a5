"""The ledger's use cases, in one place for the edge (API, pages, CLI) and for other contexts.

Other contexts post business events with ``post`` and undo them with ``reverse_event`` inside
their own command; the rest are the ledger's own commands (audited, maker-checker capable) and
queries (``accounting.view``, scoped).
"""

from microlend.accounting.accounts import (
    create_account,
    import_chart,
    list_accounts,
    list_rules,
    open_books,
    set_rule,
    update_account,
)
from microlend.accounting.attachments import attach_file, list_attachments, read_attachment
from microlend.accounting.checks import check_ledger, unbalanced_vouchers
from microlend.accounting.model import Dims, EventType, LedgerEvent
from microlend.accounting.periods import (
    close_period,
    close_year,
    list_periods,
    reopen_period,
)
from microlend.accounting.postings import (
    keys_used,
    post,
    post_manual_voucher,
    post_many,
    post_summary,
    reverse_event,
    reverse_voucher,
)
from microlend.accounting.report_model import BalanceSheet, IncomeStatement, TrialBalance
from microlend.accounting.reports import (
    account_balance,
    balance_sheet,
    income_statement,
    trial_balance,
)
from microlend.accounting.settings import (
    AccrualVouchers,
    accrual_vouchers,
    ledger_settings,
    set_accrual_vouchers,
)
from microlend.accounting.staged_postings import post_staged
from microlend.accounting.views import (
    AccountView,
    AttachmentView,
    CheckProblem,
    LineView,
    PeriodView,
    RuleView,
    VoucherView,
)
from microlend.accounting.vouchers import (
    AccountDetail,
    DetailEntry,
    account_detail,
    export_vouchers,
    get_voucher,
    list_vouchers,
    reversal_of,
)

__all__ = [
    "AccountDetail",
    "AccountView",
    "AccrualVouchers",
    "AttachmentView",
    "BalanceSheet",
    "CheckProblem",
    "DetailEntry",
    "Dims",
    "EventType",
    "IncomeStatement",
    "LedgerEvent",
    "LineView",
    "PeriodView",
    "RuleView",
    "TrialBalance",
    "VoucherView",
    "account_balance",
    "account_detail",
    "accrual_vouchers",
    "attach_file",
    "balance_sheet",
    "check_ledger",
    "close_period",
    "close_year",
    "create_account",
    "export_vouchers",
    "get_voucher",
    "import_chart",
    "income_statement",
    "keys_used",
    "ledger_settings",
    "list_accounts",
    "list_attachments",
    "list_periods",
    "list_rules",
    "list_vouchers",
    "open_books",
    "post",
    "post_manual_voucher",
    "post_many",
    "post_staged",
    "post_summary",
    "read_attachment",
    "reopen_period",
    "reversal_of",
    "reverse_event",
    "reverse_voucher",
    "set_accrual_vouchers",
    "set_rule",
    "trial_balance",
    "unbalanced_vouchers",
    "update_account",
]
