"""Helpers for the web UI's end-to-end tests: a client that behaves like a browser on the e2e app
(the seeded world, SQLite and PostgreSQL): it keeps cookies and does not follow redirects, so
that tests see each 303.

Test modules import what they use from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.seed import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]*)"')
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en-US,en;q=0.9"}
HTML = {"Accept": "text/html"}

__all__ = ["EN", "HTML", "PASSWORD", "ZH", "csrf_token_in", "sign_in", "ui_client"]


@pytest.fixture
def ui_client(app: FastAPI) -> Iterator[TestClient]:
    """An English-speaking browser on the e2e ``app`` (``tests/e2e/conftest.py``)."""
    with TestClient(app, follow_redirects=False, headers=EN) as client:
        yield client


def csrf_token_in(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no csrf_token field"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token (read from the home page)."""
    login = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_token_in(login.text),
            "next": "/",
        },
    )
    assert response.status_code == 303, response.text
    home = client.get("/")
    assert home.status_code == 200, home.text
    return csrf_token_in(home.text)


ROLES = {  # a user of the world holding each default role
    "admin": "admin",
    "loan_officer": "officer_a",
    "risk_officer": "risk",
    "approver": "approver",
    "finance": "finance",
    "collector": "collector",
    "manager": "manager",
    "auditor": "auditor",
}
EVERYONE = frozenset(ROLES)
READERS = frozenset({"admin", "manager", "auditor"})
ADMIN = frozenset({"admin"})
LEDGER = frozenset({"admin", "finance", "manager", "auditor"})  # accounting.view
CUSTOMERS = EVERYONE - {"admin"}  # customers.view
