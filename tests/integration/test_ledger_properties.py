"""A Hypothesis state machine over a real ledger: random events, replays and reversals.

After every step each voucher balances, numbers have no gaps (``check_ledger``) and the trial
balance balances; at the end, reversing every voucher still standing returns every account to
zero. Runs on SQLite (a fresh company per example keeps the examples apart).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from microlend.accounting import service as ledger
from microlend.accounting.defaults import DEFAULT_RULES
from microlend.auth import service as auth
from microlend.auth.permissions import PERMISSIONS
from microlend.orgs import service as orgs
from tests.conftest import MakeUow

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ROLES: dict[str, list[str]] = {}
for spec in DEFAULT_RULES:
    ROLES.setdefault(str(spec.event_type), []).append(spec.role)
EVENT_TYPES = sorted(ROLES)
amounts = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)
days = st.integers(min_value=0, max_value=364).map(lambda n: date(2025, 1, 1) + timedelta(n))
_companies = itertools.count(1)


def ledger_machine(make_uow: MakeUow) -> type[RuleBasedStateMachine]:
    class Ledger(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            with make_uow() as uow:
                company = orgs.found_company(
                    uow,
                    company_code=f"P{next(_companies)}",
                    company_name="Property books",
                    business_date=date(2025, 1, 1),
                    now=NOW,
                )
                self.actor = auth.system_principal(
                    uow, company_id=company.id, permissions=frozenset(PERMISSIONS)
                )
                uow.commit()
            self.company_id = company.id
            self.standing: dict[int, date] = {}  # voucher id -> date, not reversed
            self.events: dict[str, tuple[ledger.LedgerEvent, int]] = {}
            self.keys = itertools.count(1)

        @rule(data=st.data(), kind=st.sampled_from(EVENT_TYPES), day=days)
        def post_event(self, data: st.DataObject, kind: str, day: date) -> None:
            roles = data.draw(st.lists(st.sampled_from(ROLES[kind]), min_size=1, unique=True))
            values = {role: data.draw(amounts) for role in roles}
            if not any(values.values()):
                values[roles[0]] = Decimal("0.01")
            event = ledger.LedgerEvent(
                type=kind,
                company_id=self.company_id,
                office_id=self.actor.office_id,
                business_date=day,
                amounts=values,
                idempotency_key=f"e:{next(self.keys)}",
            )
            with make_uow() as uow:
                voucher = ledger.post(uow, self.actor, event=event, now=NOW)
                uow.commit()
            assert voucher.total_debit == sum(values.values())
            self.standing[voucher.id] = day
            self.events[event.idempotency_key] = (event, voucher.id)

        @rule(data=st.data())
        def replay_event(self, data: st.DataObject) -> None:
            if not self.events:
                return
            key = data.draw(st.sampled_from(sorted(self.events)))
            event, voucher_id = self.events[key]
            with make_uow() as uow:
                assert ledger.post(uow, self.actor, event=event, now=NOW).id == voucher_id
                uow.commit()

        @rule(data=st.data())
        def reverse(self, data: st.DataObject) -> None:
            if not self.standing:
                return
            voucher_id = data.draw(st.sampled_from(sorted(self.standing)))
            self._reverse(voucher_id)

        def _reverse(self, voucher_id: int) -> None:
            with make_uow() as uow:
                reversal = ledger.reverse_voucher(
                    uow,
                    self.actor,
                    voucher_id=voucher_id,
                    business_date=self.standing.pop(voucher_id),
                    reason="property",
                    now=NOW,
                )
                uow.commit()
            assert isinstance(reversal, ledger.VoucherView)

        def _trial_balance(self) -> ledger.TrialBalance:
            with make_uow(read_only=True) as uow:
                return ledger.trial_balance(
                    uow, self.actor, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)
                )

        @invariant()
        def books_are_sound(self) -> None:
            with make_uow(read_only=True) as uow:
                assert ledger.check_ledger(uow, self.actor) == []
            assert self._trial_balance().balanced

        def teardown(self) -> None:
            for voucher_id in sorted(self.standing):
                self._reverse(voucher_id)
            report = self._trial_balance()
            assert report.balanced
            assert [
                row.code for row in report.rows if row.closing_debit or row.closing_credit
            ] == []

    return Ledger


def test_random_events_and_reversals_keep_the_books_balanced(make_uow: MakeUow) -> None:
    run_state_machine_as_test(
        ledger_machine(make_uow),
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
