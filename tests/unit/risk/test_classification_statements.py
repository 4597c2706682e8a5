"""The classification step's statements are built once per policy: a policy gets statements with
its own thresholds and rates, never those built for another."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ClauseElement
from sqlalchemy.dialects import sqlite

from microlend.risk.close_classification import _statements
from microlend.risk.model import DEFAULT_POLICY, DEFAULT_PROVISION_RATES, ClassificationPolicy


def _numbers(statement: ClauseElement) -> set[int]:
    """The whole numbers the statement binds (thresholds, rates in parts per million)."""
    values = statement.compile(dialect=sqlite.dialect()).params.values()
    return {value for value in values if isinstance(value, int)}


def test_each_policy_gets_its_own_thresholds_and_rates() -> None:
    strict = ClassificationPolicy(substandard_above=61, doubtful_above=181, loss_above=271)
    built, default = _statements(strict), _statements(DEFAULT_POLICY)
    assert {61, 181, 271} <= _numbers(built.moves)
    assert not {61, 181, 271} & _numbers(default.moves)
    assert {90, 270, 360} <= _numbers(default.update)
    rates = {**DEFAULT_PROVISION_RATES, next(iter(DEFAULT_PROVISION_RATES)): Decimal("2.7")}
    dearer = ClassificationPolicy(provision_rates=rates)
    assert 27_000 in _numbers(_statements(dearer).update)  # 2.7 % in parts per million
    assert 27_000 not in _numbers(default.update)


def test_an_equal_policy_reuses_the_statements() -> None:
    again = ClassificationPolicy(substandard_above=61, doubtful_above=181, loss_above=271)
    first = _statements(
        ClassificationPolicy(substandard_above=61, doubtful_above=181, loss_above=271)
    )
    assert _statements(again) is first
