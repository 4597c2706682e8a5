"""``microlend serve`` runs the app built by ``served_app``: the whole app, its heap settled."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from microlend.cli.serve import APP_FACTORY, served_app


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_served_app_is_built_with_its_heap_settled(
    thawed: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROLEND_DATABASE_URL", f"sqlite:///{tmp_path / 'm.db'}")
    assert gc.get_freeze_count() == 0
    app = served_app()
    assert isinstance(app, FastAPI)
    assert {"/healthz", "/readyz"} <= {getattr(r, "path", "") for r in app.routes}
    assert gc.get_freeze_count() > 0
    assert f"{served_app.__module__}:{served_app.__name__}" == APP_FACTORY
