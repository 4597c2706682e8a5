"""loans context."""
