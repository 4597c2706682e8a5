"""Where to draw a related-party group (关联集团): the customer in the middle, the parties one link
away on a ring around it, two links away on the next ring, and so on. Pure (stdlib only); the
page draws the result as inline SVG."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

RING = 110  # distance between rings, in SVG units
MARGIN = 90


@dataclass(frozen=True)
class Placed:
    id: int
    x: float
    y: float
    depth: int


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


def layout(center: int, links: Iterable[tuple[int, int]]) -> tuple[list[Placed], float]:
    """The placed customers and the side of the square canvas that holds them."""
    by_depth: dict[int, list[int]] = {}
    for node, depth in depths(center, list(links)).items():
        by_depth.setdefault(depth, []).append(node)
    deepest = max(by_depth)
    size = 2 * (deepest * RING + MARGIN)
    middle = size / 2
    placed = [Placed(center, middle, middle, 0)]
    for depth in range(1, deepest + 1):
        ring = sorted(by_depth.get(depth, []))
        for index, node in enumerate(ring):
            angle = 2 * math.pi * index / len(ring) - math.pi / 2 + (depth - 1) * 0.35
            x = round(middle + depth * RING * math.cos(angle), 1)
            y = round(middle + depth * RING * math.sin(angle), 1)
            placed.append(Placed(node, x, y, depth))
    return placed, size
