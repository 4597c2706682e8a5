"""Row ids as clients send them: a positive 64-bit integer, the range of every id column.

``Id`` is the type of an id in a route's path or query and in a request body; a number outside
the range is refused as invalid input naming its field (it could not name a row anyway, and the
databases cannot even compare it with a column)."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

MAX_ID = 2**63 - 1

Id = Annotated[int, Interval(ge=1, le=MAX_ID)]

# The id a page of a list starts after (0: from the first row).
AfterId = Annotated[int, Interval(ge=0, le=MAX_ID)]
