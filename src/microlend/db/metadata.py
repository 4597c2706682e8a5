"""The complete metadata: every context's ``tables`` and ``tables_*`` modules, found by name.

``db`` sits beneath the contexts, so it does not import their tables statically; it discovers
them (for Alembic and for the migrations-versus-models test).
"""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import MetaData

import microlend
from microlend.db.base import Base


def load_all_tables() -> MetaData:
    for package in pkgutil.iter_modules(microlend.__path__):
        if not package.ispkg:
            continue
        context = importlib.import_module(f"microlend.{package.name}")
        for module in pkgutil.iter_modules(context.__path__):
            if module.name == "tables" or module.name.startswith("tables_"):
                importlib.import_module(f"microlend.{package.name}.{module.name}")
    importlib.import_module("microlend.db.tables")
    return Base.metadata
