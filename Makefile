# The two commands that matter: `make demo` and `make test`. Both create .venv and install into it.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed
PACKAGES := settings pipelines warehouse webhooks connectivity report sandbox assets plantsync

.PHONY: demo test test-fast dev lint bench install clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8

# compat mode puts the checkout on sys.path: its packages (settings, report, ...) then win over
# same-named folders in whatever directory plantsync is started from. Bytecode is compiled now,
# once: every step process of every run would otherwise compile Dagster again where Python may
# not write its cache (PYTHONDONTWRITEBYTECODE), seconds each.
$(STAMP): pyproject.toml | $(UV)
	$(UV) pip install --quiet --python $(BIN)/python --compile-bytecode -e ".[dev]" \
		--config-settings editable_mode=compat
	$(BIN)/python -m compileall -q $(PACKAGES)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m plantsync.demo

# Two workers: end-to-end and broker tests one after another on one of them (tests/conftest.py).
test: $(STAMP)
	$(BIN)/python -m pytest -q --no-header -p no:cacheprovider -n 2 --dist loadgroup; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no test ran: failing"; exit 1; fi; exit $$rc

# The quick loop while working: unit and integration tests, not the end-to-end or slow ones, on
# two processes. `make test` (and CI) runs everything.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q --no-header -p no:cacheprovider -m "not e2e and not slow" -n 2

dev: $(STAMP)
	$(BIN)/python -m plantsync.demo --dev

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache
