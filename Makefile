# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: install, migrate, seed the demo district into the embedded SQLite, serve on :8000
demo: install
	$(BIN)/aurum db upgrade
	$(BIN)/aurum demo seed --if-empty
	$(BIN)/aurum serve --host $(HOST) --port $(PORT)

## browser: Debian's chromium for the page tests (installed when missing and run as root)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser tests will be skipped"; fi; }

lint: install
	$(BIN)/ruff check $(wildcard src tests benchmarks)
	$(BIN)/mypy src

## test: lint, type-check and the whole suite (SQLite, and PostgreSQL when
## AURUM_TEST_DATABASE_URL is set); pytest's "no tests collected" (5) is not a failure
test: lint browser
	$(BIN)/pytest -n 2 --dist loadfile -q; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

clean:
	rm -rf $(VENV) .aurum .pytest_cache .mypy_cache .ruff_cache
