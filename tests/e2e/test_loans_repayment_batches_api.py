"""``POST /api/v1/loans/repayment-batches``: many repayments in one transaction (``repay_batch``),
each line's outcome as the single repayment answers it, once per Idempotency-Key, and a refused
line a problem naming the line with nothing posted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from microlend.loans import service
from tests.integration.loans_support import disbursed, repayments_checked, set_business_date
from tests.seed import World

URL = "/api/v1/loans/repayment-batches"
Headers = dict[str, str]


def _repayments(world: World, loan_id: int) -> list[str]:
    with world.make_uow() as uow:
        rows = service.events(uow, world.principal("finance"), loan_id=loan_id)
    return [str(row.amount) for row in rows if row.kind == "repayment"]


def test_a_batch_posts_each_line_and_a_retry_replays_the_answer(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    headers = {**bearer("finance"), "Idempotency-Key": "bank-file-20250215"}
    body = [
        {"loan_number": loan.number, "amount": "1120.00", "external_reference": "B-1"},
        {"loan_id": loan.id, "amount": "50.00", "value_date": "2025-02-15", "channel": "bank"},
    ]
    done = client.post(URL, headers=headers, json=body)
    assert done.status_code == 201, done.text
    first, second = done.json()
    assert first["replayed"] is False and first["event"]["amount"] == "1120.00"
    assert first["loan"]["number"] == loan.number and first["posting"]["lines"]
    assert second["event"]["external_reference"] is None
    assert _repayments(world, loan.id) == ["1120.00", "50.00"]

    again = client.post(URL, headers=headers, json=body)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == done.json()
    assert _repayments(world, loan.id) == ["1120.00", "50.00"]

    # another key: the line with a reference is replayed by it, the other is paid again
    resent = client.post(URL, headers={**headers, "Idempotency-Key": "other"}, json=body[:1])
    assert resent.status_code == 201 and resent.json()[0]["replayed"] is True
    assert _repayments(world, loan.id) == ["1120.00", "50.00"]


def test_a_refused_line_is_a_problem_naming_it_and_nothing_is_posted(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    headers = {**bearer("finance"), "Idempotency-Key": "bad-file"}
    body = [
        {"loan_id": loan.id, "amount": "100.00", "external_reference": "B-1"},
        {"loan_id": loan.id, "amount": "12.345", "external_reference": "B-2"},
    ]
    refused = client.post(URL, headers=headers, json=body)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["line"] == 2 and problem["field"] == "amount"
    unknown = client.post(URL, headers=headers, json=[{"loan_number": "DK0", "amount": "1"}])
    assert unknown.status_code == 404 and unknown.json()["line"] == 1
    assert _repayments(world, loan.id) == []
    empty = client.post(URL, headers=bearer("finance"), json=[])
    assert empty.status_code == 422


def test_with_maker_checker_each_line_answers_its_pending_request(
    client: TestClient, world: World, bearer: Callable[[str], Headers]
) -> None:
    loan = disbursed(world)
    set_business_date(world, date(2025, 2, 15))
    repayments_checked(world)
    body = [{"loan_id": loan.id, "amount": "100.00", "external_reference": "MC-1"}]
    done = client.post(URL, headers=bearer("finance"), json=body)
    assert done.status_code == 201
    [pending] = done.json()
    assert pending["status"] == "pending" and pending["command"] == "loans.repay"
    assert _repayments(world, loan.id) == []
