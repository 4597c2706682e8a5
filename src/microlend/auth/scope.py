"""The data-scope filter (defined in ``db.scope`` so that contexts below ``auth`` use it too)."""

from microlend.db.scope import apply_scope, get_scoped, scope_condition

__all__ = ["apply_scope", "get_scoped", "scope_condition"]
