"""The related-party graph's layout: rings by distance from the customer, in whole SVG units.

The expected positions below are worked out by hand from the rule in graph_layout's docstring
(ring gap 110, margin 90, each ring twisted a further 0.35 rad), not read back from the code."""

from __future__ import annotations

import math

from microlend.customers.graph_layout import MARGIN, RING, depths, layout, to_unit


def test_depth_is_the_number_of_links_away() -> None:
    # 1 - 2 - 3, 1 - 4, and 5 alone
    assert depths(1, [(1, 2), (3, 2), (4, 1)]) == {1: 0, 2: 1, 4: 1, 3: 2}


def test_a_coordinate_rounds_to_the_nearest_unit_with_halves_up() -> None:
    assert [to_unit(v) for v in (104.49, 104.5, 104.74, 295.26, 2.5, 3.5)] == [
        104, 105, 105, 295, 3, 4]  # fmt: skip
    assert all(isinstance(to_unit(v), int) for v in (0.0, 1.5, 419.9))


def test_the_customer_is_in_the_middle_and_each_ring_at_its_distance() -> None:
    placed, size = layout(1, [(1, 2), (2, 3), (1, 4)])
    # two rings deep: side 2 * (2 * 110 + 90) = 620, middle 310
    assert size == 620 == 2 * (2 * RING + MARGIN)
    at = {p.id: (p.x, p.y) for p in placed}
    assert at == {
        1: (310, 310),  # the customer
        2: (310, 200),  # first ring, 2 customers: the first straight above (310 - 110) ...
        4: (310, 420),  # ... the second opposite it (310 + 110)
        # second ring, one customer at -pi/2 + 0.35 rad, radius 220:
        # x = 310 + 220 sin 0.35 = 310 + 220 * 0.342898 = 385.44 -> 385
        # y = 310 - 220 cos 0.35 = 310 - 220 * 0.939373 = 103.34 -> 103
        3: (385, 103),
    }
    assert all(isinstance(v, int) for p in placed for v in (p.x, p.y))
    assert {p.id: p.depth for p in placed} == {1: 0, 2: 1, 4: 1, 3: 2}
    # rounding moves a point by at most sqrt(0.5^2 + 0.5^2) < 0.71 from its ring
    for node, ring in ((2, 1), (4, 1), (3, 2)):
        distance = math.hypot(at[node][0] - 310, at[node][1] - 310)
        assert abs(distance - ring * RING) < 0.71


def test_three_on_a_ring_are_a_third_of_a_turn_apart() -> None:
    placed, size = layout(10, [(10, 11), (10, 12), (10, 13)])
    # one ring: side 2 * (110 + 90) = 400, middle 200; angles -90, 30 and 150 degrees
    # cos 30 = 0.866025 so 110 cos 30 = 95.26; sin 30 = 0.5 so 110 sin 30 = 55
    assert size == 400
    assert [(p.id, p.x, p.y) for p in placed] == [
        (10, 200, 200),
        (11, 200, 90),  # 200 - 110
        (12, 295, 255),  # 200 + 95.26 = 295.26 -> 295; 200 + 55
        (13, 105, 255),  # 200 - 95.26 = 104.74 -> 105; 200 + 55
    ]


def test_a_customer_without_links_is_drawn_alone() -> None:
    placed, size = layout(7, [])
    assert [(p.id, p.x, p.y, p.depth) for p in placed] == [(7, 90, 90, 0)] and size == 2 * MARGIN
