"""The text PostgreSQL hashes to link an audit record: the record's canonical JSON cut around its
predecessor's hash, so that SHA-256 over ``before + prev + after`` is the record's hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from microlend.db.audit import around_prev_hash, content_hash
from microlend.kernel.fingerprint import sha256_hex

TRICKY = (
    "plain",
    '"prev_hash":""',
    'a","prev_hash":"' + "f" * 64,
    "张三\n\t\\ \u0001 \u2028",
    "",
)


def record(username: str, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "recorded_at": datetime(2025, 3, 3, 9, 0, 0, 123456, tzinfo=UTC),
        "company_id": 7,
        "user_id": None,
        "username": username,
        "address": username,
        "command": "loans.repay",
        "entity_type": "loan",
        "entity_id": username,
        "outcome": "ok",
        "error_code": None,
        "input_digest": "1" * 64,
        "change_digest": None,
    }
    return {**values, **changes}


@pytest.mark.parametrize("text", TRICKY)
def test_the_hash_of_the_cut_text_is_the_records_hash(text: str) -> None:
    values = record(text)
    before, after = around_prev_hash(values)
    assert before.endswith('"prev_hash":"') and after.startswith('",')
    for prev in ("0" * 64, "ab" * 32):
        assert sha256_hex(before + prev + after) == content_hash({**values, "prev_hash": prev})


def test_the_time_is_cut_in_utc_as_the_record_is_hashed() -> None:
    beijing = datetime(2025, 3, 3, 17, 0, tzinfo=timezone(timedelta(hours=8)))
    values = record("x", recorded_at=beijing)
    before, after = around_prev_hash(values)
    assert "2025-03-03T09:00:00+00:00" in before + after
    assert sha256_hex(before + "0" * 64 + after) == content_hash({**values, "prev_hash": "0" * 64})
