"""The demo's applications, walked through origination as the demo's staff would: the officer
creates, submits and investigates; the decision runs when the report is completed; the branch
manager and the risk officer approve in their inboxes; the officer writes the contract.

``Staff`` holds the principals of the demo users; ``Clock`` the simulated time of day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from microlend.auth import service as auth
from microlend.auth.tables import User
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.origination import service as origination
from microlend.origination.views import ApplicationView, ReportView

APPROVERS = ("approver", "risk")


@dataclass
class Clock:
    """Simulated wall clock: 08:30 Beijing time (00:30 UTC) of the business day, one second
    further at every call, never going back."""

    current: datetime = field(default_factory=lambda: datetime(2000, 1, 1, tzinfo=UTC))

    def on(self, day: date) -> None:
        self.current = max(self.current, datetime.combine(day, time(0, 30), UTC))

    def __call__(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


@dataclass
class Staff:
    principals: dict[str, Principal]

    @classmethod
    def load(cls, uow: UnitOfWork, company_id: int, usernames: tuple[str, ...]) -> Staff:
        found: dict[str, Principal] = {}
        for user in uow.session.scalars(select(User).where(User.username.in_(usernames))):
            found[user.username] = auth.principal_for_user(uow, user, address="demo")
        return cls(found)

    def __getitem__(self, username: str) -> Principal:
        return self.principals[username]


@dataclass(frozen=True)
class Request:
    customer_id: int
    product_version_id: int
    template: str  # the investigation template: individual or enterprise
    amount: Decimal
    term_count: int
    annual_rate: Decimal
    method: str
    purpose: str
    guarantor_id: int | None = None
    guarantor_relation: str = ""
    collateral: tuple[str, str, Decimal] | None = None  # kind, description, value


def create(uow: UnitOfWork, staff: Staff, request: Request, clock: Clock) -> int:
    officer = staff["officer"]
    view = origination.create_application(
        uow,
        officer,
        customer_id=request.customer_id,
        product_version_id=request.product_version_id,
        amount=request.amount,
        term_count=request.term_count,
        annual_rate=request.annual_rate,
        method=request.method,
        purpose=request.purpose,
        now=clock(),
    )
    assert isinstance(view, ApplicationView)
    if request.guarantor_id is not None:
        origination.add_party(
            uow,
            officer,
            application_id=view.id,
            role="guarantor",
            customer_id=request.guarantor_id,
            relation=request.guarantor_relation,
            now=clock(),
        )
    if request.collateral is not None:
        kind, description, value = request.collateral
        origination.add_collateral(
            uow,
            officer,
            application_id=view.id,
            kind=kind,
            description=description,
            value=str(value),
            now=clock(),
        )
    return view.id


def submit(uow: UnitOfWork, staff: Staff, application_id: int, clock: Clock) -> None:
    origination.submit_application(
        uow, staff["officer"], application_id=application_id, now=clock()
    )


def _answers(request: Request, day: date) -> dict[str, dict[str, Any]]:
    visit = {
        "visit_date": day.isoformat(),
        "visited_address": "经营场所",
        "observations": "经营正常，库存充足，现场与申报一致",
    }
    purpose = {"stated_purpose": request.purpose, "purpose_verified": "yes"}
    capacity = (request.amount / request.term_count * Decimal("1.6")).quantize(Decimal("1"))
    repayment = {"primary_source": "经营收入", "monthly_capacity": str(capacity)}
    risk = {"risk_level": "medium", "risks": "经营收入受季节影响", "mitigants": "保证人担保"}
    if request.template == "enterprise":
        return {
            "site_visit": visit,
            "identity_residence": {
                "licence_verified": "yes",
                "representative_verified": "yes",
                "premises_verified": "yes",
                "actual_controller": "法定代表人",
            },
            "business_operation": {
                "main_business": "商贸",
                "years_in_business": "6",
                "premises": "rented",
            },
            "financial_verification": {
                "annual_revenue": str(request.amount * 20),
                "net_profit": str(request.amount * 2),
                "total_assets": str(request.amount * 15),
                "total_liabilities": str(request.amount * 6),
                "bank_statements_checked": "yes",
            },
            "purpose_of_funds": purpose,
            "repayment_source": repayment,
            "risk_summary": risk,
        }
    return {
        "site_visit": visit,
        "identity_residence": {"id_verified": "yes", "residence_verified": "yes"},
        "business_operation": {"occupation": "个体经营", "years_in_business": "5"},
        "financial_verification": {
            "monthly_income": str(capacity * 3),
            "monthly_expense": str(capacity),
            "credit_report_checked": "yes",
        },
        "purpose_of_funds": purpose,
        "repayment_source": repayment,
        "risk_summary": risk,
    }


def investigate(
    uow: UnitOfWork,
    staff: Staff,
    application_id: int,
    request: Request,
    day: date,
    clock: Clock,
    *,
    complete: bool = True,
) -> None:
    """Start the investigation, visit with a photo, write the report; completing it runs the
    decision and (unless it declines) starts the approval."""
    officer = staff["officer"]
    report = origination.start_investigation(
        uow, officer, application_id=application_id, now=clock()
    )
    assert isinstance(report, ReportView)
    origination.attach_file(
        uow,
        officer,
        report_id=report.id,
        section="site_visit",
        kind="photo",
        caption="经营场所门头",
        filename="经营场所.jpg",
        media_type="image/jpeg",
        content=f"demo site photo of application {application_id}".encode(),
        now=clock(),
    )
    origination.save_report(
        uow,
        officer,
        report_id=report.id,
        sections=_answers(request, day),
        recommendation="approve",
        suggested_amount=str(request.amount),
        suggested_term_count=request.term_count,
        suggested_annual_rate=str(request.annual_rate),
        opinion="经营稳定，还款来源可靠，建议准予贷款",
        now=clock(),
    )
    if complete:
        origination.complete_report(uow, officer, report_id=report.id, now=clock())


def status(uow: UnitOfWork, staff: Staff, application_id: int) -> str:
    view = origination.get_application(uow, staff["risk"], application_id=application_id)
    return str(view.status)


def approve(
    uow: UnitOfWork, staff: Staff, application_id: int, clock: Clock, *, steps: int = 6
) -> str:
    """The chain's steps approve, up to ``steps`` of them (each approver acts on what reaches
    their inbox); the application's status after."""
    for _round in range(steps):
        if status(uow, staff, application_id) != "under_review":
            break
        for username in APPROVERS:
            inbox = origination.inbox(uow, staff[username], now=clock())
            if any(item.application_id == application_id for item in inbox):
                origination.act_on_application(
                    uow,
                    staff[username],
                    application_id=application_id,
                    action="approve",
                    opinion="同意",
                    conditions=None,
                    now=clock(),
                )
                break
        else:
            break
    return status(uow, staff, application_id)


def contract(uow: UnitOfWork, staff: Staff, application_id: int, day: date, clock: Clock) -> None:
    origination.contract_application(
        uow, staff["officer"], application_id=application_id, disbursement_date=day, now=clock()
    )
