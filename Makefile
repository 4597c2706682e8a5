# microlend: two commands on a fresh machine.
#   make run   set everything up, build the demo database and serve the web app
#   make test  set everything up and run lint, type checks and the whole test suite
SHELL := /bin/bash
# Debian's CPython (its interpreter linked statically, built with profile-guided optimisation):
# on this machine pure Python runs in 0.7 of the time it takes on pyenv's build (no PGO, shared
# libpython), which the PATH finds first (docs/loan-servicing.md, session 23). Elsewhere python3.
PYTHON ?= $(shell [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)
VENV := .venv
UV_VERSION := 0.13.9
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv lint typecheck unit system-deps demo-db bench clean

$(BIN)/uv: | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The venv is in step with uv.lock (exact: packages not in the lock are removed).
$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --quiet
	touch $@

venv: $(VENV)/.synced

# Debian packages the browser tests need (Chromium for Playwright); installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: venv
	$(BIN)/mypy

test: venv system-deps lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

unit: venv
	$(BIN)/python -m pytest tests/unit -q

run: venv
	bash scripts/run.sh $(HOST) $(PORT)

bench: venv
	$(BIN)/python benchmarks/schedule.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
