"""A loan officer's applications by stage (``origination.view``), for the home page: how many
of the officer's own applications wait at each open stage, and how many of those being
investigated came back from approval for more information. Two grouped counts, scoped like the
application list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, select

from microlend.db.scope import scope_condition
from microlend.db.uow import UnitOfWork
from microlend.kernel.principal import Principal, require
from microlend.origination.approval_model import Outcome
from microlend.origination.model import Status
from microlend.origination.tables import Application
from microlend.origination.tables_approvals import ApplicationApproval

# the stages an officer moves on, in the order the application passes them
STAGES: tuple[Status, ...] = (
    Status.DRAFT,
    Status.SUBMITTED,
    Status.INVESTIGATING,
    Status.UNDER_REVIEW,
    Status.APPROVED,
    Status.CONDITIONALLY_APPROVED,
    Status.CONTRACTED,
)


@dataclass(frozen=True)
class Pipeline:
    counts: dict[str, int]  # every stage of ``STAGES`` by its status, 0 when none
    returned: int  # of the investigating ones: returned by an approver for more information

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def my_pipeline(uow: UnitOfWork, actor: Principal) -> Pipeline:
    """The actor's own applications (they are the loan officer) at each open stage."""
    require(actor, "origination.view")
    mine = select(Application.status, func.count()).where(
        scope_condition(actor, Application),
        Application.owner_id == actor.user_id,
        Application.status.in_([stage.value for stage in STAGES]),
    )
    found = {
        status: count for status, count in uow.session.execute(mine.group_by(Application.status))
    }
    returned = exists().where(
        ApplicationApproval.application_id == Application.id,
        ApplicationApproval.status == Outcome.RETURNED.value,
    )
    count_returned = select(func.count()).where(
        scope_condition(actor, Application),
        Application.owner_id == actor.user_id,
        Application.status == Status.INVESTIGATING.value,
        returned,
    )
    return Pipeline(
        {stage.value: int(found.get(stage.value, 0)) for stage in STAGES},
        int(uow.session.scalar(count_returned.select_from(Application)) or 0),
    )
