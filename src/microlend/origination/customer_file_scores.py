"""The "Score history" section of the customer 360: the customer's automated decisions (date,
application, score, grade, outcome), newest first, for whoever may read applications or risk.

Found by ``customers.extensions`` (a ``customer_file_*`` module of a context above customers).
"""

from __future__ import annotations

from microlend.customers.views import File360Section
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal
from microlend.origination.decision import READERS, customer_decisions


def N_(message: str) -> str:
    """Mark a message for the catalog; the 360 template translates it."""
    return message


OUTCOME_NAMES = {"pass": N_("Pass"), "refer": N_("Refer"), "decline": N_("Decline")}


def file_sections(uow: UnitOfWork, actor: Principal, *, customer_id: int) -> list[File360Section]:
    if not any(actor.can(code) for code in READERS):
        return []
    found = customer_decisions(uow, actor, customer_id=customer_id)
    rows = tuple(
        (number, record.decided_at.date().isoformat(), str(record.score), record.grade,
         OUTCOME_NAMES.get(record.outcome, record.outcome))
        for record, number in found
    )  # fmt: skip
    links = tuple(f"/applications/{record.application_id}/decision" for record, _ in found)
    return [
        File360Section(
            key="score_history",
            title=N_("Score history"),
            columns=(
                N_("Application"),
                N_("Decided on"),
                N_("Score"),
                N_("Grade"),
                N_("Outcome"),
            ),
            rows=rows,
            links=links,
            empty_text=N_("No automated decision yet."),
            translated=(4,),
        )
    ]
