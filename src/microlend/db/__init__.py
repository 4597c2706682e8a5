"""db context."""
