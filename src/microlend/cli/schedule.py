"""``microlend schedule``: the loan calculator (filled in by the schedule engine work)."""

from __future__ import annotations

from microlend.cli import app


@app.command()
def schedule() -> None:
    """Print a repayment schedule for loan terms read as JSON."""
    raise SystemExit("not implemented yet")
