"""The loan calculator: terms, schedules and APR. Pure; products and origination use it too."""
