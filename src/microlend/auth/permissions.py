"""The permission catalogue and the default roles.

A permission code is named after the command (or query) it allows. Codes for contexts built later
are listed already, so that the default roles make sense from the first day.
"""

from __future__ import annotations

from dataclasses import dataclass

# code: (English, 中文)
PERMISSIONS: dict[str, tuple[str, str]] = {
    "orgs.company.create": ("Create companies", "新建公司"),
    "orgs.office.view": ("View offices", "查看机构"),
    "orgs.office.create": ("Create offices", "新建机构"),
    "orgs.office.update": ("Edit offices", "修改机构"),
    "orgs.staff.view": ("View staff", "查看员工"),
    "orgs.staff.create": ("Create staff", "新建员工"),
    "auth.user.view": ("View users", "查看用户"),
    "auth.user.create": ("Create users", "新建用户"),
    "auth.user.grant": ("Grant roles", "授予角色"),
    "auth.user.reset_password": ("Reset passwords", "重置密码"),
    "auth.user.disable": ("Disable users", "停用用户"),
    "auth.role.view": ("View roles", "查看角色"),
    "auth.role.manage": ("Manage roles", "管理角色"),
    "auth.token.revoke": ("Revoke others' API tokens", "吊销他人令牌"),
    "makerchecker.approve": ("Approve others' commands", "复核审批"),
    "makerchecker.configure": ("Configure maker-checker", "配置双人复核"),
    "audit.read": ("Read the audit log", "查看审计日志"),
    "audit.verify": ("Verify the audit chain", "校验审计链"),
    "pii.view": ("See personal data unmasked", "查看敏感信息"),
    "customers.view": ("View customers", "查看客户"),
    "customers.create": ("Register customers", "新建客户"),
    "customers.update": ("Edit customers", "修改客户"),
    "customers.blacklist": ("Blacklist customers", "客户黑名单"),
    "customers.claim": ("Claim customers from the pool", "认领公海客户"),
    "customers.transfer": ("Transfer customers between officers", "移交客户"),
    "customers.pool.configure": ("Configure the customer pool", "配置客户池"),
    "customers.export": ("Export customers", "导出客户"),
    "products.view": ("View products", "查看产品"),
    "products.manage": ("Manage products", "管理产品"),
    "origination.view": ("View applications", "查看申请"),
    "origination.apply": ("Take applications", "受理申请"),
    "origination.investigate": ("Write investigations", "贷前调查"),
    "origination.approve": ("Approve applications", "审批申请"),
    "origination.contract": ("Sign loan contracts", "签订借款合同"),
    "origination.chains.manage": ("Configure approval chains", "配置审批流程"),
    "loans.view": ("View loans", "查看贷款"),
    "loans.disburse": ("Disburse loans", "放款"),
    "loans.repay": ("Record repayments", "还款入账"),
    "loans.waive": ("Waive charges", "减免"),
    "loans.reschedule": ("Reschedule loans", "展期重组"),
    "loans.accelerate": ("Call loans due", "宣布贷款提前到期"),
    "loans.writeoff": ("Write off loans", "核销"),
    "loans.fund_usage.record": ("Record fund usage", "贷后资金用途"),
    "loans.repayment.reverse": ("Reverse loan transactions", "冲正贷款交易"),
    "loans.certificate.issue": ("Issue payoff certificates", "开具结清证明"),
    "accounting.view": ("View the ledger", "查看账务"),
    "accounting.voucher.post": ("Post vouchers", "记账"),
    "accounting.voucher.reverse": ("Reverse vouchers", "冲销凭证"),
    "accounting.period.close": ("Close periods", "月结"),
    "accounting.period.reopen": ("Reopen closed periods", "反结账"),
    "accounting.coa.manage": ("Manage the chart of accounts", "管理科目"),
    "risk.view": ("View risk", "查看风险"),
    "risk.rules.manage": ("Manage risk rules", "管理风控规则"),
    "risk.limits.manage": ("Manage limits", "管理额度"),
    "risk.classification.override": ("Override classification", "调整五级分类"),
    "risk.warning.handle": ("Handle early warnings", "处理预警"),
    "collections.view": ("View collections", "查看催收"),
    "collections.case.work": ("Work collection cases", "催收作业"),
    "collections.case.assign": ("Assign collection cases", "分配催收"),
    "notify.templates.manage": ("Manage message templates", "管理通知模板"),
    "reports.view": ("View reports", "查看报表"),
    "reports.export": ("Export reports", "导出报表"),
    "eod.run": ("Run close of business", "日终批处理"),
}


@dataclass(frozen=True)
class RoleDefinition:
    code: str
    name_en: str
    name_zh: str
    permissions: frozenset[str]


def _role(code: str, en: str, zh: str, *codes: str) -> RoleDefinition:
    unknown = set(codes) - set(PERMISSIONS)
    if unknown:
        raise ValueError(f"role {code} names unknown permissions {sorted(unknown)}")
    return RoleDefinition(code, en, zh, frozenset(codes))


_VIEW_ALL = tuple(c for c in PERMISSIONS if c.endswith(".view") and c != "pii.view")

DEFAULT_ROLES: dict[str, RoleDefinition] = {
    role.code: role
    for role in (
        _role(
            "admin", "Administrator", "系统管理员",
            "orgs.company.create", "orgs.office.view", "orgs.office.create", "orgs.office.update",
            "orgs.staff.view", "orgs.staff.create", "auth.user.view", "auth.user.create",
            "auth.user.grant", "auth.user.reset_password", "auth.user.disable", "auth.role.view",
            "auth.role.manage", "auth.token.revoke", "makerchecker.approve",
            "makerchecker.configure", "audit.read", "customers.pool.configure",
            "products.view", "products.manage", "origination.chains.manage",
            "accounting.view", "accounting.coa.manage", "accounting.period.reopen",
            "notify.templates.manage", "eod.run",
        ),
        _role(
            "loan_officer", "Loan officer", "客户经理",
            "orgs.office.view", "customers.view", "customers.create", "customers.update",
            "customers.claim", "products.view", "origination.view", "origination.apply",
            "origination.investigate", "origination.contract",
            "loans.view", "loans.fund_usage.record", "loans.certificate.issue",
            "collections.view", "pii.view",
        ),
        _role(
            "risk_officer", "Risk officer", "风控专员",
            "orgs.office.view", "customers.view", "customers.blacklist", "products.view",
            "origination.view", "origination.approve", "loans.view", "risk.view",
            "risk.rules.manage", "risk.limits.manage", "risk.classification.override",
            "risk.warning.handle", "reports.view", "pii.view",
        ),
        _role(
            "approver", "Approver", "审批人",
            "orgs.office.view", "customers.view", "products.view", "origination.view",
            "origination.approve", "loans.view", "risk.view", "makerchecker.approve", "pii.view",
        ),
        _role(
            "finance", "Finance", "财务",
            "orgs.office.view", "customers.view", "products.view", "loans.view",
            "origination.view", "loans.disburse", "loans.repay", "loans.waive", "accounting.view",
            "loans.repayment.reverse", "loans.certificate.issue",
            "accounting.voucher.post", "accounting.voucher.reverse", "accounting.period.close",
            "reports.view",
            "reports.export", "makerchecker.approve", "eod.run",
        ),
        _role(
            "collector", "Collector", "催收专员",
            "orgs.office.view", "customers.view", "loans.view", "collections.view",
            "collections.case.work", "pii.view",
        ),
        _role(
            "manager", "Manager", "管理层",
            *_VIEW_ALL, "reports.export", "collections.case.assign", "makerchecker.approve",
            "customers.transfer",
            "loans.writeoff", "loans.reschedule", "loans.accelerate", "loans.waive",
            "risk.classification.override",
        ),
        _role("auditor", "Auditor", "审计", *_VIEW_ALL, "audit.read", "audit.verify"),
    )
}  # fmt: skip
