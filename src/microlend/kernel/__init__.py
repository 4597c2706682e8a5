"""The kernel: money, rates, day counts, calendars, errors. Pure: no I/O, no clock."""
