"""The complete metadata: every context's ``tables`` module, found and imported by name.

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
    for module in pkgutil.iter_modules(microlend.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"microlend.{module.name}.tables")
            except ModuleNotFoundError as missing:
                if missing.name != f"microlend.{module.name}.tables":
                    raise
    importlib.import_module("microlend.db.tables")
    return Base.metadata
