"""Extra test databases beside the ``db_url`` fixture's: a seeded world on each backend in one
test (parity), and a copy of a database as it stands (crash tests compare an interrupted run
with an uninterrupted one on a copy of the same data)."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from microlend.db.engine import create_engine_for
from microlend.db.uow import SessionFactory, UnitOfWork, make_session_factory
from tests.conftest import WORKER, Template, admin_connect
from tests.seed import World

_numbers = itertools.count(1)


@contextmanager
def copied(url: str, tmp_path: Path, server: str | None = None) -> Iterator[str]:
    """A copy of the database at ``url`` (no connection may be open on it), dropped after."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        target = tmp_path / f"copy-{next(_numbers)}.db"
        shutil.copyfile(parsed.database, target)
        for suffix in ("-wal", "-shm"):  # committed pages not yet checkpointed, if any
            if Path(parsed.database + suffix).exists():
                shutil.copyfile(parsed.database + suffix, str(target) + suffix)
        yield f"sqlite:///{target}"
        return
    assert server is not None
    name = f"ml_copy_{WORKER}_{os.getpid()}_{next(_numbers)}"
    with admin_connect(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}" STRATEGY FILE_COPY')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_connect(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def template_copy(template: Template, tmp_path: Path, server: str | None = None) -> Iterator[str]:
    """A fresh database copied from a conftest template (a file, or a PostgreSQL database)."""
    if server is None:
        with copied(f"sqlite:///{template.location}", tmp_path) as url:
            yield url
        return
    source = make_url(server).set(database=template.location)
    with copied(source.render_as_string(hide_password=False), tmp_path, server) as url:
        yield url


@contextmanager
def world_on(url: str, template: Template) -> Iterator[tuple[World, Engine, SessionFactory]]:
    """The template's seeded world on the database at ``url``, with its engine: pooled
    connections without a ping (the house engine opens a SQLite connection per unit of work and
    pings PostgreSQL at each checkout; a long test need neither)."""
    assert template.world is not None
    options: dict[str, Any] = (
        {"poolclass": QueuePool} if url.startswith("sqlite") else {"pool_pre_ping": False}
    )
    engine = create_engine_for(url, **options)
    factory = make_session_factory(engine)

    def make_uow(*, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(factory, read_only=read_only)

    try:
        yield replace(template.world, make_uow=make_uow, _principals={}), engine, factory
    finally:
        engine.dispose()
