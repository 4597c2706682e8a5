"""products context: loan products and their immutable versions."""
