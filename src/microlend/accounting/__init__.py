"""The general ledger (业财一体化): chart of accounts, posting rules, vouchers, periods, reports."""
