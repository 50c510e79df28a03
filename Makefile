# The two commands of the README: `make run` (the hub on SQLite with a demo tenant) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
export HIREHUB_DATA_DIR ?= var

.PHONY: run test unit install install-dev lint typecheck pytest-sqlite pytest-postgresql browser csdl-schemas bench-quick clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/activate pyproject.toml
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate the SQLite database under ./var, seed the demo tenant, then run the hub on
## 127.0.0.1:$(PORT) with a job runner and the Entra and LinkedIn sandboxes, in development mode (the development
## secret key, the sandboxes and time travel are allowed only there). Ctrl-C stops all of it.
PORT ?= 8000
run: export HIREHUB_ENV = development
run: install
	$(BIN)/hirehub demo run --port $(PORT)

## make test: lint, type-check, then the whole suite on SQLite and again on PostgreSQL.
test: install-dev browser csdl-schemas lint typecheck pytest-sqlite pytest-postgresql

## make unit: the edit-test loop: the suite on SQLite, without the browser, the crash trials or the slow tests.
unit: install-dev csdl-schemas
	HIREHUB_TEST_ENGINE=sqlite $(BIN)/pytest -q -m "not browser and not crash and not slow"; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

# ruff, then the layer contracts of pyproject.toml ([tool.importlinter]; docs/architecture.md explains them).
lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache

typecheck: install-dev
	$(BIN)/mypy

# pytest exits 5 when it collects nothing; that is not a failure of the code under test.
pytest-sqlite: install-dev
	HIREHUB_TEST_ENGINE=sqlite $(BIN)/pytest; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

pytest-postgresql: install-dev
	@$(BIN)/python scripts/check_postgres.py
	HIREHUB_TEST_ENGINE=postgresql $(BIN)/pytest; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

# The browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || scripts/install_chromium.sh

# The OASIS CSDL XML schemas that $$metadata is validated against (from the npm registry, not committed).
csdl-schemas:
	@scripts/fetch_csdl_schemas.sh

# Every benchmark at --quick; support.py and bare_endpoint.py are their helpers, not benchmarks.
BENCHMARKS := $(filter-out bench/support.py bench/bare_endpoint.py,$(sort $(wildcard bench/*.py)))
bench-quick: install-dev
	for b in $(BENCHMARKS); do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
