"""Shared fixtures: a database per test on SQLite and on PostgreSQL, and a seeded world.

``db_backend`` is parametrized over ``sqlite`` and ``postgres``; every test that asks for
``db_url``, ``engine``, ``session_factory``, ``make_uow`` or ``world`` runs on both. Each test gets
a fresh database copied from a template that the migrations built once per worker: a file copy
on SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL.

PostgreSQL is a throwaway cluster per pytest-xdist worker (see ``tests/pg_cluster.py``), or the
server at ``MICROLEND_TEST_PG_URL`` (a superuser URL) when that is set. It is started only when a
test needs it; if it cannot be started, those tests fail.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from microlend.auth import passwords
from microlend.auth import service as auth
from microlend.db.engine import create_engine_for
from microlend.db.migrate import upgrade_engine
from microlend.db.uow import SessionFactory, UnitOfWork, make_session_factory
from tests.pg_cluster import PgCluster
from tests.seed import World, build_world

# Documents (attachments, contracts) written by any test land in a throwaway directory, never in
# the working tree's ./documents; the process that made it removes it when it ends.
if "MICROLEND_DOCUMENT_DIR" not in os.environ:
    os.environ["MICROLEND_DOCUMENT_DIR"] = tempfile.mkdtemp(prefix="microlend-test-documents-")
    atexit.register(shutil.rmtree, os.environ["MICROLEND_DOCUMENT_DIR"], ignore_errors=True)

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_database_numbers = itertools.count(1)

MakeUow = Callable[..., UnitOfWork]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> None:
    """Argon2id with the cheapest parameters: the suite creates many users."""
    passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@dataclass(frozen=True)
class Template:
    """A database to copy per test: its location, and the seeded world's ids (if seeded)."""

    location: str
    world: World | None


def _build_template(url: str, *, with_world: bool) -> World | None:
    """Migrate ``url`` to head, seed the default roles and, if asked, the world."""
    engine = create_engine_for(url)
    try:
        upgrade_engine(engine)
        factory = make_session_factory(engine)
        with UnitOfWork(factory) as uow:
            auth.sync_default_roles(uow)
            uow.commit()
        return build_world(lambda **kw: UnitOfWork(factory, **kw), NOW) if with_world else None
    finally:
        engine.dispose()


def admin_connect(url: str) -> psycopg.Connection:
    parsed = make_url(url).set(drivername="postgresql")
    return psycopg.connect(parsed.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A superuser URL of a PostgreSQL server (the external one, or a throwaway cluster)."""
    external = os.environ.get("MICROLEND_TEST_PG_URL")
    if external:
        yield external
        return
    cluster = PgCluster().start()
    try:
        yield cluster.url()
    finally:
        cluster.stop()


def _pg_template(server: str, name: str, *, with_world: bool) -> Iterator[Template]:
    with admin_connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    yield Template(name, _build_template(url, with_world=with_world))
    with admin_connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str) -> Iterator[Template]:
    """An empty database at the newest schema, to copy per test."""
    yield from _pg_template(pg_server_url, f"ml_tpl_{WORKER}_{os.getpid()}", with_world=False)


@pytest.fixture(scope="session")
def pg_world_template(pg_server_url: str) -> Iterator[Template]:
    """The same with the world seeded."""
    yield from _pg_template(pg_server_url, f"ml_world_{WORKER}_{os.getpid()}", with_world=True)


def _sqlite_template(factory: pytest.TempPathFactory, *, with_world: bool) -> Template:
    path = factory.mktemp("sqlite-template") / "template.db"
    world = _build_template(f"sqlite:///{path}", with_world=with_world)
    return Template(str(path), world)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return _sqlite_template(tmp_path_factory, with_world=False)


@pytest.fixture(scope="session")
def sqlite_world_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return _sqlite_template(tmp_path_factory, with_world=True)


def _template_for(request: pytest.FixtureRequest, backend: str) -> Template:
    """The seeded template when the test uses the world, else the empty one."""
    prefix = {"sqlite": "sqlite", "postgres": "pg"}[backend]
    seeded = "world" in request.fixturenames
    template: Template = request.getfixturevalue(
        f"{prefix}_world_template" if seeded else f"{prefix}_template"
    )
    return template


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(db_backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database at the newest schema (default roles seeded; the world too when the test
    uses ``world``), dropped afterwards."""
    template = _template_for(request, db_backend)
    if db_backend == "sqlite":
        target = tmp_path / "microlend.db"
        shutil.copyfile(template.location, target)
        yield f"sqlite:///{target}"
        return
    server: str = request.getfixturevalue("pg_server_url")
    name = f"ml_{WORKER}_{os.getpid()}_{next(_database_numbers)}"
    with admin_connect(server) as admin:
        # FILE_COPY copies the small template's files (fsync is off): about twice as fast as
        # PostgreSQL 15's default WAL_LOG strategy, which writes every page through the WAL.
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template.location}" STRATEGY FILE_COPY')
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin_connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine_for(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
def make_uow(session_factory: SessionFactory) -> MakeUow:
    """``make_uow()`` (or ``make_uow(read_only=True)``): a new unit of work on the test database."""

    def new(*, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(session_factory, read_only=read_only)

    return new


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def world(db_backend: str, request: pytest.FixtureRequest, make_uow: MakeUow) -> World:
    """A group of two companies; company MLC has HQ, branches A (with sub-branch A1) and B, and
    users of each default role (see ``tests/seed.py``). Seeded once per worker into a template
    database, which each test gets a copy of."""
    seeded = _template_for(request, db_backend).world
    assert seeded is not None
    return World(
        seeded.company_id,
        seeded.other_company_id,
        dict(seeded.offices),
        dict(seeded.user_ids),
        make_uow,
        NOW,
    )
