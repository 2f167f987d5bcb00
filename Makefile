# Two user-facing targets: `make run` and `make test`. Each does its own set-up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
E2E_DIR := tests/e2e
E2E_STAMP := $(E2E_DIR)/node_modules/.installed

.PHONY: run test

run: $(STAMP)
	@$(PY) -m bot run

# `bot build` before pytest: it encodes with every core and fills the embedding cache that
# the tests' own index then reads (a fresh clone's slowest step).
test: $(STAMP) $(E2E_STAMP)
	@scripts/ensure_postgres.sh
	$(VENV)/bin/ruff check .
	$(PY) -m bot validate
	$(PY) -m bot build
	$(PY) -m pytest -q --durations=5

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,semantic,postgres,curator]'
	@touch $(STAMP)

$(E2E_STAMP): $(E2E_DIR)/package.json
	@cd $(E2E_DIR) && npm install --no-audit --no-fund --silent
	@touch $(E2E_STAMP)
