"""The process's heap once it has started: out of the garbage collector's way.

A started process holds some 400,000 long-lived objects (modules, mappers, compiled statements,
templates). Python's collector walks every tracked object at each full collection and the older
ones at each middle one, so a busy process spends a tenth of a repayment's time walking objects
that never die. ``settle_heap`` collects once and freezes what is left (``gc.freeze``): later
collections see only what the work itself made. Call it once, when start-up is done (``microlend
serve``), not in a process that builds and drops apps, as the tests do: a frozen object caught in
a reference cycle is never freed.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect what start-up left over, then exempt the survivors from later collections."""
    gc.collect()
    gc.freeze()
