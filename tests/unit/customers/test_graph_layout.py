"""The related-party graph's layout: rings by distance from the customer."""

from __future__ import annotations

import math

from microlend.customers.graph_layout import MARGIN, RING, depths, layout


def test_depth_is_the_number_of_links_away() -> None:
    # 1 - 2 - 3, 1 - 4, and 5 alone
    assert depths(1, [(1, 2), (3, 2), (4, 1)]) == {1: 0, 2: 1, 4: 1, 3: 2}


def test_the_customer_is_in_the_middle_and_each_ring_at_its_distance() -> None:
    placed, size = layout(1, [(1, 2), (2, 3), (1, 4)])
    assert size == 2 * (2 * RING + MARGIN)  # two rings deep
    middle = size / 2
    at = {p.id: p for p in placed}
    assert (at[1].x, at[1].y) == (middle, middle)
    for node, ring in ((2, 1), (4, 1), (3, 2)):
        distance = math.hypot(at[node].x - middle, at[node].y - middle)
        assert abs(distance - ring * RING) < 0.2
    # two on the first ring: opposite each other, the first straight above the middle
    assert (at[2].x, at[2].y) == (middle, middle - RING)
    assert (at[4].x, at[4].y) == (middle, middle + RING)


def test_a_customer_without_links_is_drawn_alone() -> None:
    placed, size = layout(7, [])
    assert [(p.id, p.depth) for p in placed] == [(7, 0)] and size == 2 * MARGIN
