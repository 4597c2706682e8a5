"""Loading the worked examples of tests/cases/ (data files, each with its source)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parents[2] / "cases"


def load(path: Path) -> dict[str, Any]:
    """A case file, checked to name its source and say how its figures were derived."""
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert document.get("name"), f"{path.name} has no name"
    assert document.get("source", "").strip(), f"{path.name} has no source"
    assert document.get("derivation"), f"{path.name} does not say how it was derived"
    return document


def case_files(prefix: str) -> list[Path]:
    found = sorted(CASES.glob(f"{prefix}*.json"))
    assert found, f"no {prefix} cases under {CASES}"
    return found
