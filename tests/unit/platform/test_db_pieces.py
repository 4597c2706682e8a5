"""Pieces of the storage layer that need no database: cursors, digests, timestamps, mappings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import inspect

from microlend.db.base import UtcDateTime, as_utc
from microlend.db.metadata import load_all_tables
from microlend.db.pagination import decode_cursor, encode_cursor
from microlend.kernel.errors import ValidationFailed
from microlend.kernel.fingerprint import canonical_json, digest


def test_a_cursor_round_trips_and_garbage_names_the_field() -> None:
    assert decode_cursor(encode_cursor(12345)) == 12345
    for garbage in ("@@@", "eDox", encode_cursor(1)[:-2] + "!!"):
        with pytest.raises(ValidationFailed) as caught:
            decode_cursor(garbage)
        assert caught.value.field == "cursor"


def test_canonical_json_ignores_key_order_and_keeps_decimals_exact() -> None:
    assert canonical_json({"b": 1, "a": Decimal("1.10")}) == '{"a":"1.10","b":1}'
    assert digest({"x": 1, "y": [1, 2]}) == digest({"y": [1, 2], "x": 1})
    assert digest({"x": 1}) != digest({"x": 2})
    with pytest.raises(TypeError):
        canonical_json({"f": object()})


def test_timestamps_must_be_aware_and_are_kept_in_utc() -> None:
    with pytest.raises(ValueError, match="naive"):
        as_utc(datetime(2025, 1, 1))
    beijing = datetime(2025, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))
    assert as_utc(beijing) == datetime(2025, 1, 1, tzinfo=UTC)
    assert as_utc(beijing).tzinfo == UTC
    column = UtcDateTime()
    assert column.process_result_value(datetime(2025, 1, 1), None) == datetime(  # type: ignore[arg-type]
        2025, 1, 1, tzinfo=UTC
    )


def test_every_relationship_is_lazy_raise() -> None:
    """No hidden query in a loop: relationships load only when asked for explicitly."""
    metadata = load_all_tables()
    assert "audit_log" in metadata.tables
    from microlend.db.base import Base

    lazy = {
        f"{mapper.class_.__name__}.{rel.key}": rel.lazy
        for mapper in Base.registry.mappers
        for rel in inspect(mapper.class_).relationships
    }
    assert {name: how for name, how in lazy.items() if how != "raise"} == {}
