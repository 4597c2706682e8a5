"""Where to draw a related-party group (关联集团): the customer in the middle, the parties one link
away on a ring around it, two links away on the next ring, and so on. Pure (stdlib only); the
page draws the result as inline SVG.

Positions are whole SVG units. Each point is worked out exactly (trigonometry in floats) and
rounded once, as the last step, to the nearest unit with halves going up (``to_unit``): the
canvas is sized so that every coordinate is positive, so "up" is also "away from zero"."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

RING = 110  # distance between rings, in SVG units
MARGIN = 90
TWIST = 0.35  # each ring starts this many radians further round than the one inside it


@dataclass(frozen=True)
class Placed:
    id: int
    x: int
    y: int
    depth: int


def to_unit(value: float) -> int:
    """The nearest whole SVG unit; a value exactly halfway goes up (2.5 -> 3, not Python's 2)."""
    return math.floor(value + 0.5)


def depths(center: int, links: Iterable[tuple[int, int]]) -> dict[int, int]:
    """How many links away from ``center`` each connected customer is (breadth first)."""
    neighbours: dict[int, set[int]] = {}
    for left, right in links:
        neighbours.setdefault(left, set()).add(right)
        neighbours.setdefault(right, set()).add(left)
    found = {center: 0}
    frontier = [center]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(neighbours.get(node, ())):
                if other not in found:
                    found[other] = found[node] + 1
                    following.append(other)
        frontier = following
    return found


def layout(center: int, links: Iterable[tuple[int, int]]) -> tuple[list[Placed], int]:
    """The placed customers and the side of the square canvas that holds them.

    The side is even (twice a whole number), so the middle is a whole unit too. On each ring
    the customers go in id order, evenly spaced, clockwise from straight above the middle
    (SVG's y grows downwards), the ring ``d`` turned a further ``(d - 1) * TWIST`` radians."""
    by_depth: dict[int, list[int]] = {}
    for node, depth in depths(center, list(links)).items():
        by_depth.setdefault(depth, []).append(node)
    deepest = max(by_depth)
    size = 2 * (deepest * RING + MARGIN)
    middle = size // 2
    placed = [Placed(center, middle, middle, 0)]
    for depth in range(1, deepest + 1):
        ring = sorted(by_depth.get(depth, []))
        for index, node in enumerate(ring):
            angle = 2 * math.pi * index / len(ring) - math.pi / 2 + (depth - 1) * TWIST
            x = middle + depth * RING * math.cos(angle)
            y = middle + depth * RING * math.sin(angle)
            placed.append(Placed(node, to_unit(x), to_unit(y), depth))
    return placed, size
