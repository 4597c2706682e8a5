"""The products API over HTTP: create, read, revise, retire, versions, quotes and refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.seed import World

Headers = dict[str, str]
TERMS: dict[str, Any] = {
    "customer_kinds": ["individual"],
    "currency": "CNY",
    "min_amount": "1000.00",
    "max_amount": "50000.00",
    "min_term": 1,
    "max_term": 12,
    "methods": ["bullet", "equal_installment"],
    "min_rate": "6",
    "max_rate": "24",
    "grade_rates": {"A": "8", "B": "12"},
    "fees": [{"name": "手续费", "charged": "upfront", "amount": "100.00"}],
}


def create(client: TestClient, headers: Headers, code: str = "P1", **terms: Any) -> Any:
    body = {"code": code, "name": "经营贷", "terms": {**TERMS, **terms}}
    response = client.post("/api/v1/products", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_get_revise_and_read_old_versions(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    admin = bearer("admin")
    created = create(client, admin)
    assert created["current_version"] == 1 and created["customer_kind"] == "individual"
    assert created["current"]["terms"]["max_amount"] == "50000.00"
    first_version = created["current"]["id"]
    revised = client.post(
        f"/api/v1/products/{created['id']}/versions",
        json={"terms": {**TERMS, "max_amount": "80000.00"}},
        headers=admin,
    )
    assert revised.status_code == 201, revised.text
    assert revised.json()["current_version"] == 2
    got = client.get(f"/api/v1/products/{created['id']}", headers=bearer("officer_a")).json()
    assert [v["version"] for v in got["versions"]] == [2, 1]
    assert [v["terms"]["max_amount"] for v in got["versions"]] == ["80000.00", "50000.00"]
    old = client.get(f"/api/v1/products/versions/{first_version}", headers=admin).json()
    assert (old["version"], old["terms"]["max_amount"]) == (1, "50000.00")
    listed = client.get("/api/v1/products", headers=admin).json()
    assert [(p["code"], p["current"]["version"]) for p in listed] == [("P1", 2)]


def test_quote_returns_schedule_apr_and_costs(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    product = create(client, bearer("admin"))
    # 10,000.00, 6 months, 12 %, bullet: 10,600.00 on 15 July; received 9,900.00;
    # APR = 2 x (700 / 9,900) = 14.14 % (worked in tests/unit/products/test_pricing.py)
    body = {"amount": "10000.00", "term": 6, "rate": "12", "method": "bullet", "date": "2026-01-15"}
    response = client.post(
        f"/api/v1/products/{product['id']}/quote", json=body, headers=bearer("officer_a")
    )
    assert response.status_code == 200, response.text
    quote = response.json()
    assert quote["apr"] == {"nominal": "14.14", "effective": "14.64"}
    assert (quote["net_disbursed"], quote["total_interest"], quote["total_cost"]) == (
        "9900.00",
        "600.00",
        "700.00",
    )
    assert quote["installments"] == [
        {
            "n": 1,
            "due_date": "2026-07-15",
            "principal": "10000.00",
            "interest": "600.00",
            "fee": "0.00",
            "total": "10600.00",
            "balance": "0.00",
        }
    ]


def test_refusals_are_problems_naming_the_field(
    client: TestClient, bearer: Callable[[str], Headers]
) -> None:
    admin = bearer("admin")
    product = create(client, admin)
    url = f"/api/v1/products/{product['id']}/quote"
    above_cap = {
        "amount": "10000.00",
        "term": 12,
        "rate": "24",
        "method": "bullet",
        "date": "2026-01-15",
    }
    refused = client.post(url, json=above_cap, headers=admin)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert (problem["code"], problem["field"], problem["apr"]) == (
        "apr_above_cap",
        "annual_rate",
        "25.25",
    )
    too_much = client.post(url, json={**above_cap, "amount": "60000.00"}, headers=admin).json()
    assert (too_much["code"], too_much["field"]) == ("amount_above_maximum", "amount")
    floats = client.post(url, json={**above_cap, "rate": 12.5}, headers=admin)
    assert floats.status_code == 422 and floats.json()["field"] == "rate"
    bad_terms = client.post(
        "/api/v1/products",
        json={"code": "P2", "name": "x", "terms": {**TERMS, "max_amount": "10.00"}},
        headers=admin,
    )
    assert (bad_terms.status_code, bad_terms.json()["field"]) == (422, "terms.max_amount")
    duplicate = client.post(
        "/api/v1/products", json={"code": "P1", "name": "x", "terms": TERMS}, headers=admin
    )
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "product_code_taken")


def test_retire_and_defaults(client: TestClient, bearer: Callable[[str], Headers]) -> None:
    admin = bearer("admin")
    product = create(client, admin)
    retired = client.post(f"/api/v1/products/{product['id']}/retire", headers=admin)
    assert (retired.status_code, retired.json()["status"]) == (200, "retired")
    body = {"amount": "10000.00", "term": 6, "rate": "12", "method": "bullet", "date": "2026-01-15"}
    quote = client.post(f"/api/v1/products/{product['id']}/quote", json=body, headers=admin)
    assert (quote.status_code, quote.json()["code"]) == (422, "product_retired")
    seeded = client.post("/api/v1/products/defaults", headers=admin)
    assert seeded.status_code == 201 and seeded.json() == []  # the company had a product
    everything = client.get("/api/v1/products?active_only=false", headers=admin).json()
    assert [p["status"] for p in everything] == ["retired"]


def test_other_companies_products_are_not_found(
    client: TestClient, bearer: Callable[[str], Headers], world: World
) -> None:
    product = create(client, bearer("admin"))
    other = bearer("mld_admin")
    assert client.get(f"/api/v1/products/{product['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/products", headers=other).json() == []
    seeded = client.post("/api/v1/products/defaults", headers=other)
    assert seeded.status_code == 201 and len(seeded.json()) == 3
    codes = [p["code"] for p in client.get("/api/v1/products", headers=other).json()]
    assert codes == ["IND-BIZ", "IND-CON", "SME-WC"]
    mine = client.get("/api/v1/products", headers=bearer("admin")).json()
    assert [p["company_id"] for p in mine] == [world.company_id]
