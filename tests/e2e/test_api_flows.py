"""The JSON API end to end: sign-in, tokens, maker-checker (a loan waiver waits for a second person
by default), audit, export, idempotency, CSRF."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

from fastapi.testclient import TestClient

from microlend.auth import service as auth
from microlend.origination.tables import Application
from tests.e2e.conftest import Clock
from tests.integration.loans_support import (
    add_bank_account,
    contracted,
    disbursed,
    set_business_date,
)
from tests.seed import PASSWORD, World


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"].startswith("mlt_")
    return {"Authorization": f"Bearer {body['access_token']}"}


def test_sign_in_me_and_sign_out(client: TestClient, world: World) -> None:
    headers = log_in(client, "officer_a")
    me = client.get("/api/v1/me", headers=headers).json()
    assert (me["username"], me["roles"], me["scope"]) == ("officer_a", ["loan_officer"], "office")
    assert "customers.create" in me["permissions"]
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).json()["code"] == "token_revoked"


def test_a_token_expires_with_the_clock(client: TestClient, clock: Clock) -> None:
    headers = log_in(client, "officer_a")
    clock.advance(timedelta(hours=12))
    response = client.get("/api/v1/me", headers=headers)
    assert (response.status_code, response.json()["code"]) == (401, "token_expired")


def test_named_tokens_are_listed_and_revoked(client: TestClient, clock: Clock) -> None:
    headers = log_in(client, "finance")
    issued = client.post(
        "/api/v1/auth/tokens",
        headers=headers,
        json={"name": "bank import", "expires_at": (clock.now + timedelta(days=30)).isoformat()},
    )
    assert issued.status_code == 201
    script = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    assert client.get("/api/v1/me", headers=script).status_code == 200
    names = [t["name"] for t in client.get("/api/v1/auth/tokens", headers=headers).json()]
    assert names == ["sign-in", "bank import"]
    token_id = issued.json()["token_id"]
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=script).status_code == 401


def test_a_token_expiry_without_a_time_zone_is_refused(client: TestClient) -> None:
    headers = log_in(client, "finance")
    for expires_at in ("2025-03-10", "2025-03-10T09:00:00"):
        refused = client.post(
            "/api/v1/auth/tokens", headers=headers, json={"name": "n", "expires_at": expires_at}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "expires_at"


def test_maker_checker_over_the_api(client: TestClient, world: World) -> None:
    admin, admin2 = log_in(client, "admin"), log_in(client, "admin2")
    switched = client.post(
        "/api/v1/maker-checker/rules",
        headers=admin,
        json={"command": "orgs.office.create", "enabled": True},
    )
    assert switched.json() == {"orgs.office.create": True}
    made = client.post(
        "/api/v1/offices",
        headers=admin,
        json={"parent_id": world.offices["hq"], "code": "SZ", "name": "深圳"},
    )
    assert made.status_code == 202 and made.json()["status"] == "pending"
    pending_id = made.json()["pending_id"]
    inbox = client.get("/api/v1/maker-checker/pending", headers=admin2).json()
    assert [(i["id"], i["can_decide"], i["maker_username"]) for i in inbox] == [
        (pending_id, True, "admin")
    ]
    own = client.post(f"/api/v1/maker-checker/pending/{pending_id}/approve", headers=admin)
    assert (own.status_code, own.json()["code"]) == (403, "own_command")
    approved = client.post(f"/api/v1/maker-checker/pending/{pending_id}/approve", headers=admin2)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    office = client.get(f"/api/v1/offices/{approved.json()['entity_id']}", headers=admin).json()
    assert (office["code"], office["name"]) == ("SZ", "深圳")
    again = client.post(
        f"/api/v1/maker-checker/pending/{pending_id}/reject",
        headers=admin2,
        json={"reason": "late"},
    )
    assert again.status_code == 409


def test_audit_list_and_verify(client: TestClient, world: World) -> None:
    auditor = log_in(client, "auditor")
    page = client.get("/api/v1/audit?limit=2&command=auth.login", headers=auditor).json()
    assert [entry["username"] for entry in page["items"]] == ["auditor"]
    everything = client.get("/api/v1/audit?limit=3", headers=auditor).json()
    assert len(everything["items"]) == 3 and everything["next_cursor"]
    following = client.get(
        f"/api/v1/audit?limit=3&cursor={everything['next_cursor']}", headers=auditor
    ).json()
    assert following["items"][0]["seq"] < everything["items"][-1]["seq"]
    assert client.get("/api/v1/audit/verify", headers=auditor).json() == {
        "intact": True,
        "problems": [],
    }


def test_a_refused_api_command_leaves_an_audit_record(client: TestClient, world: World) -> None:
    officer = log_in(client, "officer_a")
    client.post(
        "/api/v1/offices",
        headers=officer,
        json={"parent_id": world.offices["a"], "code": "X", "name": "X"},
    )
    auditor = log_in(client, "auditor")
    page = client.get(
        "/api/v1/audit?username=officer_a&command=orgs.office.create", headers=auditor
    ).json()
    assert [(e["outcome"], e["error_code"]) for e in page["items"]] == [
        ("denied", "permission_denied")
    ]


def test_the_export_holds_only_the_scope_and_masks_phones(
    client: TestClient, world: World, bearer: Callable
) -> None:
    with world.make_uow() as uow:
        auth.create_user(
            uow,
            world.principal("admin"),
            username="manager_b",
            password=PASSWORD,
            display_name="Manager B",
            office_id=world.offices["b"],
            roles=["manager"],
            scope="office",
            now=world.now,
        )
        uow.commit()
    response = client.get("/api/v1/users/export", headers=log_in(client, "manager_b"))
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["username"] for row in rows} == {"officer_b", "manager_b"}
    assert {row["phone"] for row in rows} == {"138****0002", ""}


def test_an_idempotency_key_replays_the_first_response(client: TestClient, world: World) -> None:
    admin = {**log_in(client, "admin"), "Idempotency-Key": "office-gz-1"}
    body = {"parent_id": world.offices["hq"], "code": "GZ", "name": "广州"}
    first = client.post("/api/v1/offices", headers=admin, json=body)
    again = client.post("/api/v1/offices", headers=admin, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    listed = client.get("/api/v1/offices?q=GZ", headers=admin).json()["items"]
    assert len(listed) == 1
    changed = client.post("/api/v1/offices", headers=admin, json={**body, "name": "Other"})
    assert (changed.status_code, changed.json()["code"]) == (409, "idempotency_key_reused")
    blank = client.post("/api/v1/offices", headers={**admin, "Idempotency-Key": " "}, json=body)
    assert blank.json()["field"] == "Idempotency-Key"


def test_a_failed_command_does_not_use_up_its_key(client: TestClient, world: World) -> None:
    admin = {**log_in(client, "admin"), "Idempotency-Key": "retry-me"}
    taken = client.post(
        "/api/v1/offices",
        headers=admin,
        json={"parent_id": world.offices["hq"], "code": "A", "name": "A"},
    )
    assert taken.status_code == 409
    fixed = client.post(
        "/api/v1/offices",
        headers=admin,
        json={"parent_id": world.offices["hq"], "code": "A2", "name": "A"},
    )
    assert fixed.status_code == 201


def test_cookie_sessions_need_the_csrf_token_for_unsafe_requests(
    client: TestClient, world: World
) -> None:
    with world.make_uow() as uow:
        session = auth.start_session(uow, principal=world.principal("admin"), now=world.now)
        uow.commit()
    client.cookies.set("ml_session", session.token)
    assert client.get("/api/v1/me").json()["username"] == "admin"
    body = {"parent_id": world.offices["hq"], "code": "CS", "name": "Cookie"}
    refused = client.post("/api/v1/offices", json=body)
    assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
    wrong = client.post("/api/v1/offices", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/offices", json=body, headers={"X-CSRF-Token": session.csrf_token})
    assert ok.status_code == 201
    client.cookies.clear()
    assert client.get("/api/v1/me").status_code == 401


def overdue_loan(world: World) -> str:
    """A loan whose installment 1 is two weeks overdue (business date 2025-03-01): its URL."""
    loan = disbursed(world)
    set_business_date(world, date(2025, 3, 1))
    return f"/api/v1/loans/{loan.id}"


def test_a_waiver_over_the_api_waits_for_a_second_person(client: TestClient, world: World) -> None:
    url = overdue_loan(world)
    finance, manager = log_in(client, "finance"), log_in(client, "manager")
    admin = log_in(client, "admin")
    assert client.get("/api/v1/maker-checker/rules", headers=admin).json()["loans.waive"] is True
    body = {"component": "interest", "amount": "20.00", "reason": "困难"}
    made = client.post(f"{url}/waivers", headers={**finance, "Idempotency-Key": "w-1"}, json=body)
    assert made.status_code == 202, made.text
    assert made.json()["status"] == "pending" and made.json()["command"] == "loans.waive"
    pending_id = made.json()["pending_id"]
    again = client.post(f"{url}/waivers", headers={**finance, "Idempotency-Key": "w-1"}, json=body)
    assert again.status_code == 202 and again.json()["pending_id"] == pending_id
    waiting = client.get(f"{url}/pending-requests", headers=finance).json()
    assert [(w["id"], w["maker_username"], w["can_decide"]) for w in waiting] == [
        (pending_id, "finance", False)
    ]
    assert [e["kind"] for e in client.get(f"{url}/events", headers=finance).json()] == [
        "disbursement"
    ]
    own = client.post(f"/api/v1/maker-checker/pending/{pending_id}/approve", headers=finance)
    assert (own.status_code, own.json()["code"]) == (403, "own_command")
    assert client.get(f"{url}/pending-requests", headers=manager).json()[0]["can_decide"] is True
    done = client.post(f"/api/v1/maker-checker/pending/{pending_id}/approve", headers=manager)
    assert done.status_code == 200 and url.endswith(f"/{done.json()['entity_id']}")
    assert [e["kind"] for e in client.get(f"{url}/events", headers=finance).json()] == [
        "disbursement",
        "waiver",
    ]
    assert client.get(f"{url}/installments", headers=finance).json()[0]["waived"] == "20.00"
    assert client.get(f"{url}/pending-requests", headers=finance).json() == []


def test_once_switched_off_a_waiver_over_the_api_posts_at_once(
    client: TestClient, world: World
) -> None:
    url = overdue_loan(world)
    admin = log_in(client, "admin")
    off = client.post(
        "/api/v1/maker-checker/rules",
        headers=admin,
        json={"command": "loans.waive", "enabled": False},
    )
    assert off.json() == {"loans.waive": False}
    rules = client.get("/api/v1/maker-checker/rules", headers=admin).json()
    assert (rules["loans.waive"], rules["loans.writeoff"]) == (False, True)
    done = client.post(
        f"{url}/waivers",
        headers=log_in(client, "finance"),
        json={"component": "interest", "amount": "20.00", "reason": "困难"},
    )
    assert done.status_code == 201 and done.json()["event"]["kind"] == "waiver"
    assert done.json()["event"]["amount"] == "20.00"


def test_the_loan_list_searches_by_number_and_borrower(client: TestClient, world: World) -> None:
    loan = disbursed(world)  # borrower 李四
    headers = log_in(client, "finance")

    def found(q: str) -> list[str]:
        response = client.get("/api/v1/loans", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        return [row["number"] for row in response.json()]

    assert found(loan.number.lower()) == [loan.number]
    assert found(loan.contract_number) == [loan.number]
    assert found("李") == [loan.number] and found("王") == []
    refused = client.get("/api/v1/loans", params={"q": "12345678901"}, headers=headers)
    assert (refused.status_code, refused.json()["field"]) == (422, "q")


def test_a_reversal_or_a_reschedule_without_a_reason_is_a_problem_naming_it(
    client: TestClient, world: World
) -> None:
    url = overdue_loan(world)
    finance, manager = log_in(client, "finance"), log_in(client, "manager")
    paid = client.post(f"{url}/repayments", headers=finance, json={"amount": "100.00"})
    assert paid.status_code == 201, paid.text
    reverse = f"{url}/events/{paid.json()['event']['id']}/reverse"
    for body in ({}, {"reason": ""}, {"reason": "  "}):  # the schema, then the service
        refused = client.post(reverse, headers=finance, json=body)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["field"] == "reason", refused.text
    refused = client.post(f"{url}/reschedules", headers=manager, json={"term": 6})
    assert (refused.status_code, refused.json()["field"]) == (422, "reason")
    assert [e["kind"] for e in client.get(f"{url}/events", headers=finance).json()] == [
        "disbursement",
        "repayment",
    ]
    done = client.post(reverse, headers=finance, json={"reason": "退票"})
    assert done.status_code == 201, done.text
    events = client.get(f"{url}/events", headers=finance).json()
    assert events[-1]["kind"] == "reversal" and events[-1]["detail"]["reason"] == "退票"


def test_a_disbursement_to_an_unregistered_account_is_a_problem_naming_the_field(
    client: TestClient, world: World
) -> None:
    app_id = contracted(world)
    set_business_date(world, date(2025, 1, 15))
    finance = log_in(client, "finance")
    body = {"application_id": app_id, "payee_account": "6222020200001234567"}
    refused = client.post("/api/v1/loans", headers=finance, json=body)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (refused.json()["code"], refused.json()["field"]) == (
        "payee_account_not_registered",
        "payee_account",
    )
    bad_id = client.post(
        "/api/v1/loans", headers=finance, json={"application_id": app_id, "payee_account_id": 0}
    )
    assert bad_id.status_code == 422, bad_id.text
    done = client.post("/api/v1/loans", headers=finance, json={"application_id": app_id})
    assert done.status_code == 201, done.text


def test_the_account_paid_into_is_whole_only_for_a_reader_with_pii_view(
    client: TestClient, world: World
) -> None:
    app_id = contracted(world)
    set_business_date(world, date(2025, 1, 15))
    with world.make_uow(read_only=True) as uow:
        customer_id = uow.session.get_one(Application, app_id).customer_id
    account_id = add_bank_account(world, customer_id, "6222020200001234567")
    finance = log_in(client, "finance")  # no pii.view
    body = {"application_id": app_id, "payee_account_id": account_id}
    done = client.post("/api/v1/loans", headers=finance, json=body)
    assert done.status_code == 201, done.text
    assert done.json()["payee_account"] == "***************4567"  # 19 digits, 4 shown
    url = f"/api/v1/loans/{done.json()['id']}"
    assert client.get(url, headers=finance).json()["payee_account"] == "***************4567"
    risk = log_in(client, "risk")  # pii.view, company-wide
    assert client.get(url, headers=risk).json()["payee_account"] == "6222020200001234567"
    listed = client.get("/api/v1/loans", headers=risk).json()
    assert [row["payee_account"] for row in listed] == ["***************4567"]  # lists mask
