"""The loan account engine: allocation, replay in value-date order, position, prepayment. Pure."""
