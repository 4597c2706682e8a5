"""The default books of a Chinese small-loan company (小额贷款公司): chart of accounts and posting
rules, seeded per company (after 《企业会计准则——应用指南》 account numbering).

Loans are kept by status in sub-accounts of 1303 贷款; fees and penalty interest receivable sit in
1221 其他应收款; interest of a non-accruing loan (非应计贷款) is memorandum only, in the
off-balance pair 7001/7002 (kept double-entry so that every voucher balances).

Loan loss provisions go to 6702 信用减值损失, not 6701 资产减值损失: under the expected credit loss
model of the revised CAS 22 (财会〔2017〕7号) the impairment of loans at amortised cost is a credit
impairment loss, shown on its own income-statement line (财会〔2018〕15号, 财会〔2018〕36号 for
financial enterprises); 6701 stays for the impairment of other assets (e.g. repossessed
collateral). These are the books of a company when it is founded: a company's own chart and
rules are never changed by a new default (its accountants repoint the rules themselves).
"""

from __future__ import annotations

from microlend.accounting.model import AccountSpec, AccountType, EventType, RuleSpec, Side

A, L, E = AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY
INC, X, OFF = AccountType.INCOME, AccountType.EXPENSE, AccountType.OFF_BALANCE

DEFAULT_CHART: tuple[AccountSpec, ...] = (
    AccountSpec("1001", "库存现金", "Cash on hand", A),
    AccountSpec("1002", "银行存款", "Bank deposits", A),
    AccountSpec("1132", "应收利息", "Interest receivable", A),
    AccountSpec("1221", "其他应收款", "Other receivables", A),
    AccountSpec("122101", "应收手续费", "Fees receivable", A, "1221"),
    AccountSpec("122102", "应收罚息", "Penalty interest receivable", A, "1221"),
    AccountSpec("1303", "贷款", "Loans", A),
    AccountSpec("130301", "正常贷款", "Loans - performing", A, "1303"),
    AccountSpec("130302", "逾期贷款", "Loans - overdue", A, "1303"),
    AccountSpec("1304", "贷款损失准备", "Loan loss provision", A, None, Side.CREDIT),
    AccountSpec("2241", "其他应付款", "Other payables", L),
    AccountSpec("224101", "客户溢缴款", "Customer overpayments", L, "2241"),
    AccountSpec("4001", "实收资本", "Paid-in capital", E),
    AccountSpec("4103", "本年利润", "Current-year profit", E),
    AccountSpec("4104", "利润分配", "Profit distribution (retained earnings)", E),
    AccountSpec("6011", "利息收入", "Interest income", INC),
    AccountSpec("6021", "手续费及佣金收入", "Fee and commission income", INC),
    AccountSpec("6051", "其他业务收入", "Other operating income (penalty interest)", INC),
    AccountSpec("6602", "管理费用", "Administrative expenses", X),
    AccountSpec("6701", "资产减值损失", "Asset impairment losses", X),
    AccountSpec("6702", "信用减值损失", "Credit impairment losses", X),
    AccountSpec("7001", "表外应收利息", "Off-balance interest receivable", OFF),
    AccountSpec("7002", "表外应收利息备查", "Off-balance contra", OFF, None, Side.CREDIT),
)

LOAN = "130301"
OVERDUE = "130302"
BANK = "1002"

_D = EventType
DEFAULT_RULES: tuple[RuleSpec, ...] = (
    RuleSpec(_D.DISBURSEMENT, "principal", LOAN, BANK),
    # repayment: receivables already booked are collected; *_income roles are cash-basis income
    RuleSpec(_D.REPAYMENT, "principal", BANK, LOAN),
    RuleSpec(_D.REPAYMENT, "principal_overdue", BANK, OVERDUE),
    RuleSpec(_D.REPAYMENT, "interest", BANK, "1132"),
    RuleSpec(_D.REPAYMENT, "interest_income", BANK, "6011"),
    RuleSpec(_D.REPAYMENT, "fee", BANK, "122101"),
    RuleSpec(_D.REPAYMENT, "fee_income", BANK, "6021"),
    RuleSpec(_D.REPAYMENT, "penalty", BANK, "122102"),
    RuleSpec(_D.REPAYMENT, "penalty_income", BANK, "6051"),
    RuleSpec(_D.REPAYMENT, "overpayment", BANK, "224101"),
    RuleSpec(_D.OVERDUE_TRANSFER, "principal", OVERDUE, LOAN),
    RuleSpec(_D.INTEREST_ACCRUAL, "interest", "1132", "6011"),
    RuleSpec(_D.INTEREST_ACCRUAL, "interest_off_balance", "7001", "7002"),
    RuleSpec(_D.FEE_CHARGE, "fee", "122101", "6021"),
    RuleSpec(_D.PENALTY_ACCRUAL, "penalty", "122102", "6051"),
    RuleSpec(_D.WAIVER, "interest", "6011", "1132"),
    RuleSpec(_D.WAIVER, "fee", "6021", "122101"),
    RuleSpec(_D.WAIVER, "penalty", "6051", "122102"),
    RuleSpec(_D.WRITE_OFF, "principal", "1304", LOAN),
    RuleSpec(_D.WRITE_OFF, "principal_overdue", "1304", OVERDUE),
    RuleSpec(_D.WRITE_OFF, "interest", "6011", "1132"),
    RuleSpec(_D.WRITE_OFF, "interest_off_balance", "7001", "7002"),
    RuleSpec(_D.RECOVERY, "principal", BANK, "1304"),
    RuleSpec(_D.RECOVERY, "interest", BANK, "6011"),
    RuleSpec(_D.PROVISION, "provision", "6702", "1304"),
    RuleSpec(_D.PROVISION_RELEASE, "provision", "1304", "6702"),
)
