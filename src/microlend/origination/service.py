"""The origination use cases the edge (API, pages, CLI) and the contexts above call: one import.

Applications, parties and collateral, investigation and contracts live in their own modules;
decisions (rules, scorecards, limits) and approvals (chains, steps, inbox) too. This module only
re-exports their public functions.
"""

from __future__ import annotations

from microlend.origination.applications import (
    create_application,
    get_application,
    list_applications,
    submit_application,
    update_application,
    withdraw_application,
)
from microlend.origination.approval_chains import list_chains, retire_chain, save_chain
from microlend.origination.approval_queries import (
    approval_history,
    approval_overview,
    current_approval,
    inbox,
)
from microlend.origination.approvals import act_on_application, start_approval
from microlend.origination.contracts import (
    contract_application,
    contract_html,
    contract_pdf,
    get_contract,
    preview_quote,
)
from microlend.origination.decision import (
    customer_decisions,
    decide,
    get_decision,
    latest_decision,
    list_decisions,
    replay_decision,
)
from microlend.origination.details import application_detail
from microlend.origination.investigation import (
    attach_file,
    complete_report,
    investigator_ids,
    list_reports,
    read_attachment,
    save_report,
    start_investigation,
    template_sections,
)
from microlend.origination.limits import get_limits, set_limits
from microlend.origination.parties import (
    add_collateral,
    add_party,
    list_collateral,
    list_parties,
    remove_collateral,
    remove_party,
    update_collateral,
)
from microlend.origination.pipeline import Pipeline, my_pipeline
from microlend.origination.records import move
from microlend.origination.rules import current_rules, publish_rules, rule_set_history
from microlend.origination.scorecards import active_scorecards, deploy_scorecard, scorecard_history

__all__ = [
    "Pipeline",
    "act_on_application",
    "active_scorecards",
    "add_collateral",
    "add_party",
    "application_detail",
    "approval_history",
    "approval_overview",
    "attach_file",
    "complete_report",
    "contract_application",
    "contract_html",
    "contract_pdf",
    "create_application",
    "current_approval",
    "current_rules",
    "customer_decisions",
    "decide",
    "deploy_scorecard",
    "get_application",
    "get_contract",
    "get_decision",
    "get_limits",
    "inbox",
    "investigator_ids",
    "latest_decision",
    "list_applications",
    "list_chains",
    "list_collateral",
    "list_decisions",
    "list_parties",
    "list_reports",
    "move",
    "my_pipeline",
    "preview_quote",
    "publish_rules",
    "read_attachment",
    "remove_collateral",
    "remove_party",
    "replay_decision",
    "retire_chain",
    "rule_set_history",
    "save_chain",
    "save_report",
    "scorecard_history",
    "set_limits",
    "start_approval",
    "start_investigation",
    "submit_application",
    "template_sections",
    "update_application",
    "update_collateral",
    "withdraw_application",
]
