"""Settling the heap: what lives when start-up ends is frozen, later garbage is still collected."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from microlend.kernel.heap import settle_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector frees it


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def _walked(target: object) -> bool:
    """Whether a collection would walk ``target`` (it is in one of the three generations)."""
    return any(found is target for found in gc.get_objects())


def test_what_lives_after_start_up_is_no_longer_walked(thawed: None) -> None:
    kept = Node()
    assert _walked(kept)
    settle_heap()
    assert not _walked(kept)
    assert gc.get_freeze_count() > 0


def test_garbage_made_after_settling_is_still_collected(thawed: None) -> None:
    settle_heap()
    Node()  # unreachable at once, freed only by a collection
    assert gc.collect() >= 1
