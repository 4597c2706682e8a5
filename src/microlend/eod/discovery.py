"""Finding the steps: every context's ``eod_steps`` module, by name (see ``microlend.db.eod``).

``MICROLEND_EOD_STEP_MODULES`` (comma-separated module names) replaces the contexts' modules; the
close of business's own steps (reconciliation, advance the date) are always there. Tests use it
to run their own steps, in this process and in the worker processes it starts alike.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

import microlend
from microlend.db.eod import Step, SubledgerBalances

STEP_MODULES_VARIABLE = "MICROLEND_EOD_STEP_MODULES"
OWN_MODULE = "microlend.eod.eod_steps"


@dataclass(frozen=True)
class StepBook:
    """The steps in the order they run, and the sub-ledger contributors for reconciliation."""

    modules: tuple[str, ...]
    steps: tuple[Step, ...]
    subledgers: tuple[SubledgerBalances, ...]

    def step(self, code: str) -> Step:
        for step in self.steps:
            if step.code == code:
                return step
        raise LookupError(f"no close-of-business step {code!r} (modules: {self.modules})")


def step_modules() -> tuple[str, ...]:
    """The modules that supply steps: the variable's, or every context's ``eod_steps``."""
    configured = os.environ.get(STEP_MODULES_VARIABLE, "").strip()
    if configured:
        names = [name.strip() for name in configured.split(",") if name.strip()]
    else:
        names = list(_context_modules())
    return tuple(sorted({*names, OWN_MODULE}))


@lru_cache(maxsize=1)
def _context_modules() -> tuple[str, ...]:
    """Every context's ``eod_steps`` module, found once per process (finding them scans every
    context's package: several milliseconds, for each close of business the demo runs)."""
    return tuple(
        f"microlend.{package.name}.eod_steps"
        for package in pkgutil.iter_modules(microlend.__path__)
        if package.ispkg and _has_steps(package.name)
    )


def _has_steps(package: str) -> bool:
    context = importlib.import_module(f"microlend.{package}")
    return any(module.name == "eod_steps" for module in pkgutil.iter_modules(context.__path__))


def load_steps(modules: Sequence[str] | None = None) -> StepBook:
    """Import ``modules`` (default: ``step_modules()``) and collect their steps, in order."""
    names = tuple(modules) if modules is not None else step_modules()
    loaded = [importlib.import_module(name) for name in names]
    steps = sorted(
        (step for module in loaded for step in _steps_of(module)),
        key=lambda step: (step.order, step.code),
    )
    codes = [step.code for step in steps]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"close-of-business steps defined twice: {duplicates}")
    subledgers = tuple(
        module.subledger_balances for module in loaded if hasattr(module, "subledger_balances")
    )
    return StepBook(names, tuple(steps), subledgers)


def _steps_of(module: ModuleType) -> list[Step]:
    steps = getattr(module, "STEPS", [])
    for step in steps:
        if not isinstance(step, Step):
            raise TypeError(f"{module.__name__}.STEPS holds {step!r}, not a Step")
    return list(steps)
