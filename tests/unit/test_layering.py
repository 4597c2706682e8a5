"""The import layering of DESIGN.md section 2, enforced on the source tree.

Contexts are ranked; a module may import its own context and any lower-ranked one, never a higher
or a same-ranked foreign one. ``model.py`` files (the rules themselves) import only the kernel, the
pure loan calculator and engine, and their own context's pure modules; the kernel imports nothing
of microlend but itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# Lower rank = deeper. The web shell's shared kit (templating, problems, request dependencies) sits
# below the contexts so their api.py/pages.py can use it; the app factory sits on top of them.
RANKS: dict[str, float] = {
    "microlend.kernel": 0,
    # The loan calculator (terms, schedules, APR) is pure and priced with by products and
    # origination before any loan exists, so it sits just above the kernel.
    "microlend.loans.calculator": 0.5,
    # The loan account engine (allocation, replay, position, prepayment): pure, on the calculator.
    "microlend.loans.engine": 0.6,
    "microlend.db": 1,
    "microlend.web.kit": 2,
    "microlend.orgs": 3,
    "microlend.auth": 4,
    "microlend.accounting": 5,
    "microlend.customers": 6,
    "microlend.products": 7,
    "microlend.origination": 8,
    "microlend.loans": 9,
    "microlend.risk": 10,
    "microlend.notify": 11,
    "microlend.collections": 12,
    "microlend.reports": 13,
    "microlend.eod": 14,
    "microlend.web": 15,
    "microlend.cli": 16,
}
# Pure modules: the rules themselves, importing nothing with I/O (the CLI's command modules may
# share their names without being pure).
PURE_NAMES = {"model", "schedule", "apr"}
IMPURE_CONTEXTS = {"microlend.cli", "microlend.web"}
# Contexts that are pure through and through: a pure module of a higher context may use them.
PURE_CONTEXTS = {"microlend.loans.calculator", "microlend.loans.engine"}


def context_of(module: str) -> str | None:
    best = None
    for prefix in RANKS:
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, text: str | None = None) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8") if text is None else text)
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "microlend"]


def source_files() -> list[Path]:
    return sorted((SRC / "microlend").rglob("*.py"))


def layering_violations(path: Path, text: str | None = None) -> list[str]:
    here = module_name(path)
    own = context_of(here)
    pure = path.stem in PURE_NAMES and own not in IMPURE_CONTEXTS
    problems = []
    for line, target in imports_of(path, text):
        theirs = context_of(target)
        where = f"{path.relative_to(SRC)}:{line} imports {target}"
        if own is None or theirs is None:
            continue
        if own == "microlend.kernel" and theirs != own:
            problems.append(f"{where}: the kernel imports nothing of microlend")
        elif pure and theirs not in (own, "microlend.kernel", *PURE_CONTEXTS):
            problems.append(f"{where}: a pure module imports only the kernel and its own context")
        elif (
            pure
            and theirs == own
            and own not in PURE_CONTEXTS
            and not PURE_NAMES & set(target.removeprefix(own).split("."))
        ):
            problems.append(f"{where}: a pure module imports only pure modules of its context")
        elif theirs != own and RANKS[theirs] >= RANKS[own]:
            problems.append(f"{where}: {own} may not depend on {theirs}")
    return problems


def test_every_package_is_ranked() -> None:
    unranked = [module_name(p) for p in source_files() if context_of(module_name(p)) is None]
    assert [m for m in unranked if m != "microlend"] == []


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_follow_the_layers(path: Path) -> None:
    assert layering_violations(path) == []


def test_the_checker_catches_upward_and_impure_imports() -> None:
    """The rule itself can fail: each of these made-up modules is reported."""
    pkg = SRC / "microlend"
    assert layering_violations(pkg / "kernel" / "probe.py", "from microlend.loans import x\n")
    assert layering_violations(pkg / "orgs" / "probe.py", "import microlend.auth.service\n")
    assert layering_violations(pkg / "loans" / "model.py", "from microlend.db import base\n")
    assert layering_violations(pkg / "loans" / "model.py", "from . import service\n")
    assert not layering_violations(pkg / "loans" / "service.py", "from microlend.auth import x\n")
