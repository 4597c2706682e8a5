"""orgs context."""
