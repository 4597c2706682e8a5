"""The posting rules page: the company's rules with their accounts, and a form to set a rule (the
command the API's ``POST /rules`` posts)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from microlend.accounting import service
from microlend.db.commands import Pending
from microlend.kernel.errors import DomainError
from microlend.web.kit.deps import request_now
from microlend.web.kit.edge import page_uow
from microlend.web.kit.forms import FieldErrors, feedback
from microlend.web.kit.notices import Notice
from microlend.web.kit.page_guard import permitted
from microlend.web.kit.page_routes import page_router
from microlend.web.kit.templating import gettext_for, render_page, see_other
from microlend.web.kit.viewer import Viewer

router = page_router()
VIEW = "accounting.view"
RULES_URL = "/accounting/rules"
RULE_FIELDS = ("event_type", "role", "product_code", "debit_code", "credit_code")


@dataclass(frozen=True)
class RuleForm:
    event_type: str = ""
    role: str = ""
    product_code: str = ""
    debit_code: str = ""
    credit_code: str = ""


def render_rules(
    request: Request,
    viewer: Viewer,
    *,
    form: RuleForm,
    errors: FieldErrors | None = None,
    notices: list[Notice] | None = None,
    status: int = 200,
) -> Response:
    with page_uow(request, read_only=True) as uow:
        rules = service.list_rules(uow, viewer.principal)
        accounts = service.list_accounts(uow, viewer.principal)
    parents = {account.parent_code for account in accounts}
    context = {
        "rules": rules,
        "accounts": {account.code: account for account in accounts},
        "postable": [a for a in accounts if a.active and a.code not in parents],
        "event_types": sorted(
            {str(kind) for kind in service.EventType} | {r.event_type for r in rules}
        ),
        "roles": sorted({rule.role for rule in rules}),
        "form": form,
        "errors": errors or {},
    }
    return render_page(
        request, "accounting/rules.html", context, notices=notices, status_code=status
    )


@router.get(RULES_URL)
def rules_page(request: Request, viewer: Viewer = Depends(permitted(VIEW))) -> Response:
    return render_rules(request, viewer, form=RuleForm())


@router.post(RULES_URL)
def set_rule(
    request: Request,
    viewer: Viewer = Depends(permitted(VIEW)),
    event_type: str = Form(""),
    role: str = Form(""),
    product_code: str = Form(""),
    debit_code: str = Form(""),
    credit_code: str = Form(""),
) -> Response:
    """Create or repoint the rule of (event type, role, product or the default); the service
    checks the permission (and audits a refusal)."""
    _ = gettext_for(request)
    form = RuleForm(event_type, role, product_code, debit_code, credit_code)
    try:
        with page_uow(request) as uow:
            outcome = service.set_rule(
                uow,
                viewer.principal,
                event_type=event_type.strip(),
                role=role.strip(),
                product_code=product_code.strip(),
                debit_code=debit_code,
                credit_code=credit_code,
                now=request_now(request),
            )
            uow.commit()
    except DomainError as error:
        errors, notices = feedback(error, RULE_FIELDS, _)
        return render_rules(
            request, viewer, form=form, errors=errors, notices=notices, status=error.status
        )
    if isinstance(outcome, Pending):
        notice = Notice("info", _("Submitted for approval (#%(id)s).") % {"id": outcome.pending_id})
    else:
        notice = Notice(
            "success",
            _("Posting rule %(event)s / %(role)s set.")
            % {"event": outcome.event_type, "role": outcome.role},
        )
    return see_other(request, RULES_URL, notice)
