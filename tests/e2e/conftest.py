"""The app over HTTP (Starlette's TestClient), on the seeded world and a settable clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.auth import service as auth
from microlend.web.app import create_app
from microlend.web.kit.settings import Settings
from tests.seed import World


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(world: World) -> Clock:
    return Clock(world.now)


@pytest.fixture
def app(db_url: str, world: World, clock: Clock) -> Iterator[FastAPI]:
    app = create_app(Settings(database_url=db_url, clock=clock))
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


Headers = dict[str, str]


@pytest.fixture
def bearer(world: World, clock: Clock) -> Callable[[str], Headers]:
    """``bearer("admin")``: Authorization headers of a fresh token for that user."""

    def headers(username: str) -> Headers:
        with world.make_uow() as uow:
            _, secret = auth.issue_api_token(
                uow,
                world.principal(username),
                name="test",
                expires_at=clock.now + timedelta(hours=1),
                now=clock.now,
            )
            uow.commit()
        return {"Authorization": f"Bearer {secret}"}

    return headers
