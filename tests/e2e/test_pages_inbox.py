"""Maker-checker through the pages: switch it on, a maker submits, the maker cannot approve,
another administrator approves (or rejects) from the inbox, and the effect shows."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.e2e.pages_support import sign_in, ui_client
from tests.seed import World

__all__ = ["ui_client"]

HTMX_INBOX = {"HX-Request": "true", "HX-Target": "section#inbox"}


def switch_on_checking_of_user_creation(client: TestClient, csrf: str) -> None:
    response = client.post(
        "/admin/maker-checker",
        data={"csrf_token": csrf, "command": "auth.user.create", "enabled": "on"},
    )
    assert response.status_code == 303
    page = client.get("/admin/maker-checker").text
    assert "Create users now needs a checker" in page


def submit_user(client: TestClient, csrf: str, world: World, username: str) -> int:
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf,
            "username": username,
            "display_name": "Pending Person",
            "password": "Strong-pass-2025",
            "office_id": str(world.offices["hq"]),
            "scope": "own",
            "roles": ["collector"],
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    found = re.search(r"Submitted for approval \(#(\d+)\)", page)
    assert found, page
    return int(found.group(1))


def sign_in_as(client: TestClient, username: str) -> str:
    client.cookies.clear()
    return sign_in(client, username)


def test_a_maker_cannot_approve_and_another_checker_can(
    ui_client: TestClient, world: World
) -> None:
    csrf = sign_in(ui_client, "admin")
    switch_on_checking_of_user_creation(ui_client, csrf)
    pending = submit_user(ui_client, csrf, world, "checked_user")
    assert ">checked_user<" not in ui_client.get("/admin/users?q=checked").text

    own = ui_client.post(
        f"/inbox/{pending}/approve", data={}, headers={**HTMX_INBOX, "X-CSRF-Token": csrf}
    )
    assert own.status_code == 403
    assert "You submitted this command yourself" in own.text
    assert own.text.lstrip().startswith('<section id="inbox"')  # the inbox block, in place

    checker_csrf = sign_in_as(ui_client, "admin2")
    inbox = ui_client.get("/inbox").text
    assert f'data-pending-id="{pending}"' in inbox and "checked_user" in inbox
    approved = ui_client.post(
        f"/inbox/{pending}/approve", headers={**HTMX_INBOX, "X-CSRF-Token": checker_csrf}
    )
    assert approved.status_code == 200
    assert f"Approved #{pending}" in approved.text
    assert f'data-pending-id="{pending}"' not in approved.text
    assert f'data-decided-id="{pending}"' in approved.text
    assert ">checked_user<" in ui_client.get("/admin/users?q=checked").text


def test_a_rejection_needs_a_reason_and_runs_nothing(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    switch_on_checking_of_user_creation(ui_client, csrf)
    pending = submit_user(ui_client, csrf, world, "rejected_user")
    checker_csrf = sign_in_as(ui_client, "admin2")
    no_reason = ui_client.post(f"/inbox/{pending}/reject", data={"csrf_token": checker_csrf})
    assert no_reason.status_code == 422
    assert "Give a reason." in no_reason.text
    rejected = ui_client.post(
        f"/inbox/{pending}/reject", data={"csrf_token": checker_csrf, "reason": "不认识此人"}
    )
    assert rejected.status_code == 303  # a plain form post goes back to the inbox
    inbox = ui_client.get("/inbox").text
    assert f"Rejected #{pending}." in inbox and "不认识此人" in inbox
    assert ">rejected_user<" not in ui_client.get("/admin/users?q=rejected").text


def test_a_decided_command_cannot_be_decided_again(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    switch_on_checking_of_user_creation(ui_client, csrf)
    pending = submit_user(ui_client, csrf, world, "twice_user")
    checker_csrf = sign_in_as(ui_client, "admin2")
    first = ui_client.post(f"/inbox/{pending}/approve", data={"csrf_token": checker_csrf})
    assert first.status_code == 303
    again = ui_client.post(f"/inbox/{pending}/approve", data={"csrf_token": checker_csrf})
    assert again.status_code == 409
    assert "already been decided" in again.text


def test_the_home_page_counts_what_waits(ui_client: TestClient, world: World) -> None:
    csrf = sign_in(ui_client, "admin")
    switch_on_checking_of_user_creation(ui_client, csrf)
    submit_user(ui_client, csrf, world, "counted_user")
    sign_in_as(ui_client, "admin2")
    home = ui_client.get("/").text
    waiting = re.search(r'Waiting for your approval</div>\s*<div class="stat-value">(\d+)<', home)
    assert waiting and waiting.group(1) == "1"
