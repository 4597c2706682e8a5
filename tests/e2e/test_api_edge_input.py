"""Every API operation answers edge-case input with a problem (4xx problem+json) or success,
never a 500: built from the OpenAPI document, so a new route is covered when it is added.

For each operation the body is made plausible from its schema (the examples, defaults, enums,
else a value of the type), then each property in turn is given each of ``EDGES`` (out-of-range
numbers, NaN, impossible and extreme dates, empty and huge strings, wrong types); each query
parameter likewise, and each path parameter an id that does not exist or cannot. The caller
holds every built-in role but the auditor's, with company scope."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.auth import service as auth
from microlend.auth.permissions import DEFAULT_ROLES, PERMISSIONS
from tests.seed import PASSWORD, World

EDGES: tuple[Any, ...] = (
    -1,
    10**20,
    "1e400",
    "NaN",
    "-0.001",
    "99999999999999999999999.99",
    "",
    "x" * 5000,
    "2025-02-30",
    "0001-01-01",
    "9999-12-31",
    None,
    [],
    {},
    True,
    1.5,
    "１２３",
)
PATH_IDS = ("1", "99999999999999999999", "-1", "abc")
SKIPPED = {"/api/v1/auth/token"}  # signing in with edge input only fails the sign-in


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def plausible(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A value the schema accepts or nearly: what a careless but well-meaning caller sends."""
    schema = _resolve(schema, components)
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("default") is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        typed = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return plausible(typed[0], components, depth)
    kind = schema.get("type")
    if kind == "object":
        required = set(schema.get("required", ())) if depth < 4 else set()
        return {
            name: plausible(sub, components, depth + 1)
            for name, sub in schema.get("properties", {}).items()
            if name in required
        }
    if kind == "array":
        items = schema.get("items")
        return [plausible(items, components, depth + 1)] if items and depth < 4 else []
    simple = {"integer": 1, "number": "100", "boolean": True}
    if kind in simple:
        return simple[kind]
    return {"date": "2025-03-03", "date-time": "2025-03-03T09:00:00+08:00"}.get(
        schema.get("format", ""), "X1"
    )


def _paths(path: str, names: list[str]) -> Iterator[str]:
    def filled(odd: str | None, value: str) -> str:
        url = path
        for name in names:
            url = url.replace("{" + name + "}", value if name == odd else "1")
        return url

    yield filled(None, "1")
    for name in names:
        for value in PATH_IDS[1:]:
            yield filled(name, value)


def requests_of(spec: dict[str, Any], shard: int) -> Iterator[tuple[str, str, dict[str, str], Any]]:
    """(method, url, query, json body) for every edge of the operations in ``shard`` (0: the
    reads, 1 and 2: every other write)."""
    components = spec["components"]["schemas"]
    writes = 0
    for path, operations in spec["paths"].items():
        if path in SKIPPED:
            continue
        for method, operation in operations.items():
            writes += method != "get"
            if shard != (0 if method == "get" else 1 + writes % 2):
                continue
            parameters = operation.get("parameters", [])
            names = [p["name"] for p in parameters if p["in"] == "path"]
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            body = plausible(schema, components) if schema else None
            urls = list(_paths(path, names))
            for url in urls:
                yield method, url, {}, body
            for query in (p["name"] for p in parameters if p["in"] == "query"):
                for edge in EDGES:
                    if edge is not None and not isinstance(edge, (list, dict)):
                        yield method, urls[0], {query: str(edge)}, body
            if isinstance(body, dict):
                for name in _resolve(schema, components).get("properties", {}):
                    for edge in EDGES:
                        yield method, urls[0], {}, {**body, name: edge}
                yield method, urls[0], {}, [body]


@pytest.mark.parametrize("shard", [0, 1, 2], ids=["reads", "writes-1", "writes-2"])
def test_no_operation_answers_edge_input_with_a_server_error(
    shard: int, app: FastAPI, client: TestClient, world: World
) -> None:
    with world.make_uow() as uow:
        system = auth.system_principal(
            uow, company_id=world.company_id, permissions=frozenset(PERMISSIONS)
        )
        auth.create_user(
            uow,
            system,
            username="edges",
            password=PASSWORD,
            display_name="Edges",
            office_id=world.offices["hq"],
            roles=[role for role in DEFAULT_ROLES if role != "auditor"],
            scope="company",
            now=world.now,
        )
        uow.commit()
    signed_in = client.post("/api/v1/auth/token", json={"username": "edges", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    failures, sent = [], 0
    for method, url, query, body in requests_of(app.openapi(), shard):
        sent += 1
        response = client.request(method.upper(), url, params=query, json=body, headers=headers)
        problem = response.headers.get("content-type", "").startswith("application/problem+json")
        if response.status_code >= 500 or (response.status_code >= 400 and not problem):
            failures.append(f"{method.upper()} {url} {query} {str(body)[:120]}: {response.text}")
    assert sent > 1000  # every operation was tried
    assert failures == []
