"""Discovery of the ``customer_file`` modules of the contexts above customers, with a real fake
context package put on ``microlend``'s path (nothing registered by hand)."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import microlend
from microlend.customers import extensions
from microlend.customers.views import File360Section, RepaymentBehaviour

CONTEXT = "fake_lending_ctx"
FIRST = """
    from decimal import Decimal
    from microlend.customers.views import File360Section, RepaymentBehaviour

    def file_sections(uow, actor, *, customer_id):
        return [File360Section(key="loans", title="Loans", columns=("Loan no.", "Status"),
                               rows=((f"L-{customer_id}", "active"),), links=("/loans/1",))]

    def customers_by_number(uow, actor, *, number):
        return [7, 3] if number == "L-2025-0001" else []

    def exposure(uow, customer_ids):
        return {c: Decimal("100.50") for c in customer_ids if c != 9}

    def repayment_behaviour(uow, customer_ids):
        return {1: RepaymentBehaviour(max_dpd=40, current_dpd=0, late_payments=2, in_default=False)}
"""
SECOND = """
    from decimal import Decimal
    from microlend.customers.views import RepaymentBehaviour

    def customers_by_number(uow, actor, *, number):
        return [3, 5] if number == "L-2025-0001" else []

    def exposure(uow, customer_ids):
        return {1: Decimal("20")}

    def repayment_behaviour(uow, customer_ids):
        return {1: RepaymentBehaviour(max_dpd=10, current_dpd=12, late_payments=1, in_default=True),
                99: RepaymentBehaviour(max_dpd=1)}
"""
UNRELATED = "def exposure(uow, customer_ids):\n    raise AssertionError('not a contribution')\n"


@pytest.fixture
def fake_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    package = tmp_path / CONTEXT
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "customer_file.py").write_text(textwrap.dedent(FIRST))
    (package / "customer_file_scores.py").write_text(textwrap.dedent(SECOND))
    (package / "customer_files_old.py").write_text(UNRELATED)  # not customer_file_*: ignored
    monkeypatch.setattr(microlend, "__path__", [*microlend.__path__, str(tmp_path)])
    discover = extensions.contributions  # the cached discovery (a test may replace it)
    discover.cache_clear()
    yield
    discover.cache_clear()
    for name in [n for n in sys.modules if n.startswith(f"microlend.{CONTEXT}")]:
        del sys.modules[name]


def test_the_modules_are_found_by_name(fake_context: None) -> None:
    names = [module.__name__ for module in extensions.contributions()]
    assert f"microlend.{CONTEXT}.customer_file" in names
    assert f"microlend.{CONTEXT}.customer_file_scores" in names
    assert f"microlend.{CONTEXT}.customer_files_old" not in names


def test_the_contributions_are_combined(
    fake_context: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # only the fake context's modules, as discovered (the real contexts' need a database)
    fakes = tuple(
        m for m in extensions.contributions() if m.__name__.startswith(f"microlend.{CONTEXT}.")
    )
    assert len(fakes) == 2
    monkeypatch.setattr(extensions, "contributions", lambda: fakes)
    uow, actor = None, None  # the fake hooks read nothing
    sections = extensions.file_sections(uow, actor, customer_id=4)  # type: ignore[arg-type]
    assert sections == [File360Section(key="loans", title="Loans", columns=("Loan no.", "Status"),
                                       rows=(("L-4", "active"),), links=("/loans/1",))]  # fmt: skip
    # 7, 3 from one module and 3, 5 from the other: distinct and ascending
    by_number = extensions.customers_by_number(uow, actor, number="L-2025-0001")  # type: ignore[arg-type]
    assert by_number == [3, 5, 7]
    # customer 1: 100.50 + 20 = 120.50; customer 9: none from the first, none from the second
    assert extensions.exposure(uow, frozenset({1, 9})) == {1: Decimal("120.50")}  # type: ignore[arg-type]
    behaviour = extensions.repayment_behaviour(uow, frozenset({1, 2}))  # type: ignore[arg-type]
    # worst DPDs (40 and 12), late payments 2 + 1, in default if either says so; 99 not asked
    assert behaviour == {
        1: RepaymentBehaviour(max_dpd=40, current_dpd=12, late_payments=3, in_default=True),
        2: RepaymentBehaviour(0, 0, 0, False),
    }


def test_without_contributions_everything_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extensions, "contributions", lambda: ())
    assert extensions.exposure(None, frozenset({1})) == {}  # type: ignore[arg-type]
    assert extensions.repayment_behaviour(None, frozenset({1})) == {  # type: ignore[arg-type]
        1: RepaymentBehaviour(0, 0, 0, False)
    }
    assert extensions.file_sections(None, None, customer_id=1) == []  # type: ignore[arg-type]
