"""The loans context's use cases (贷中), in one place for the edge (API, pages, CLI) and for other
contexts. Every state change is a command (permission, scope, audit, maker-checker capable)."""

from microlend.loans.acceleration import accelerate
from microlend.loans.account import business_date
from microlend.loans.adjustments import reschedule, waive
from microlend.loans.batch import repay_batch
from microlend.loans.batch_preview import FilePreview, preview_repayments
from microlend.loans.classification import (
    ClassificationView,
    adjust_classification,
    classification,
    restore_classification,
)
from microlend.loans.disbursement import disburse
from microlend.loans.disbursement_queue import awaiting_disbursement
from microlend.loans.fund_usage import record_usage
from microlend.loans.ledger_export import export_ledger
from microlend.loans.notes import NoteView, add_note, notes
from microlend.loans.payoff_certificates import (
    CertificateView,
    certificate_html,
    certificate_pdf,
    certificates,
    issue_certificate,
)
from microlend.loans.portfolio import due_soon, overdue_by_dpd, portfolio
from microlend.loans.queries import (
    LoanFilters,
    customer_names,
    events,
    filtered_loans,
    fund_usages,
    get_loan,
    installments,
    list_loans,
    loan_categories,
    loan_position,
    postings,
    principal_outstanding,
    usage_count,
    verification_late,
)
from microlend.loans.receipts import receipt_html
from microlend.loans.repayments import prepay, preview, quote_payoff, refund, repay
from microlend.loans.reversals import reverse
from microlend.loans.statements import statement, statement_html
from microlend.loans.tranches import disburse_tranche, undisbursed
from microlend.loans.views import EventOutcome, FundUsageView, InstallmentView, LoanView
from microlend.loans.writeoffs import recover, write_off

__all__ = [
    "CertificateView",
    "ClassificationView",
    "EventOutcome",
    "FilePreview",
    "FundUsageView",
    "InstallmentView",
    "LoanFilters",
    "LoanView",
    "NoteView",
    "accelerate",
    "add_note",
    "adjust_classification",
    "awaiting_disbursement",
    "business_date",
    "certificate_html",
    "certificate_pdf",
    "certificates",
    "classification",
    "customer_names",
    "disburse",
    "disburse_tranche",
    "due_soon",
    "events",
    "export_ledger",
    "filtered_loans",
    "fund_usages",
    "get_loan",
    "installments",
    "issue_certificate",
    "list_loans",
    "loan_categories",
    "loan_position",
    "notes",
    "overdue_by_dpd",
    "portfolio",
    "postings",
    "prepay",
    "preview",
    "preview_repayments",
    "principal_outstanding",
    "quote_payoff",
    "receipt_html",
    "record_usage",
    "recover",
    "refund",
    "repay",
    "repay_batch",
    "reschedule",
    "restore_classification",
    "reverse",
    "statement",
    "statement_html",
    "undisbursed",
    "usage_count",
    "verification_late",
    "waive",
    "write_off",
]
