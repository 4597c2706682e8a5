"""What each context's permission matrix test does with its table of routes × roles.

A matrix maps ``(METHOD, path)`` to the roles allowed; ``api_routes`` lists the app's routes the
table must cover, ``mismatches`` compares what a role was answered with what the table says, and
``not_401`` finds the routes that answer something else than 401 without credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

Route = tuple[str, str]


def api_routes(app: FastAPI, prefixes: str | tuple[str, ...]) -> set[Route]:
    """Every ``(METHOD, path)`` of the app's OpenAPI document whose path starts so."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith(prefixes)
        for method in operations
    }


def mismatches(
    role: str,
    matrix: Mapping[Route, Collection[str]],
    answers: Mapping[Route, Response],
) -> list[tuple[str, str, int, str]]:
    """The routes ``role`` was not answered as the matrix says: below 400 when allowed, else 403
    (method, path, status and the start of the body)."""
    wrong = []
    for (method, path), response in answers.items():
        allowed_now = response.status_code < 400
        if allowed_now != (role in matrix[method, path]) or (
            not allowed_now and response.status_code != 403
        ):
            wrong.append((method, path, response.status_code, response.text[:200]))
    return wrong


def not_401(
    client: TestClient, routes: Iterable[Route], url: Callable[[str], str]
) -> dict[Route, int]:
    """The routes that, called without credentials, answer something else than 401."""
    answers = {(m, p): client.request(m, url(p), json={}).status_code for m, p in routes}
    return {route: status for route, status in answers.items() if status != 401}
