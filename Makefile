# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint browser fonts documents catalogue clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## the message catalogues, compiled at install (the .mo files are built, never committed)
PO := $(wildcard src/aurum/locale/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel -q compile -i $< -o $@

install: $(STAMP) $(MO)

## demo: install, migrate, seed the demo district into the embedded SQLite, serve on :8000
demo: install documents
	$(BIN)/aurum db upgrade
	$(BIN)/aurum demo seed --if-empty
	$(BIN)/aurum serve --host $(HOST) --port $(PORT)

## browser: Debian's chromium for the page tests (installed when missing and run as root)
browser: fonts
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser tests will be skipped"; fi; }

## fonts: a CJK font (Debian's fonts-noto-cjk) so that screenshots and documents made on this
## machine show Chinese characters, not boxes (installed when missing and run as root)
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's fonts-noto-cjk for Chinese pages and documents"; \
	    apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	  else echo "no CJK font: Chinese screenshots will show boxes"; fi; }

## documents: what the PDF briefings need from Debian besides the CJK font: pango (WeasyPrint's
## text layout), HarfBuzz's subsetter (without it WeasyPrint subsets the CJK font with fontTools,
## some 20 s a document) and poppler-utils (pdftotext, with which the tests read briefings back)
## (installed when missing and run as root)
documents: fonts
	@{ ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset \
	   && command -v pdftotext >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's pango and poppler-utils for the PDF briefings"; \
	    apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
	      libharfbuzz-subset0 poppler-utils >/dev/null; \
	  else echo "pango or pdftotext missing: briefings cannot be made or read back"; fi; }

## catalogue: collect the translatable messages into messages.pot and update each .po
## (then translate what is new in src/aurum/locale/zh_CN/LC_MESSAGES/messages.po)
catalogue: install
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext --no-location --sort-output \
	  --project Aurum --copyright-holder Aurum -o src/aurum/locale/messages.pot .
	$(BIN)/pybabel -q update -i src/aurum/locale/messages.pot -d src/aurum/locale \
	  --no-fuzzy-matching --ignore-obsolete

lint: install
	$(BIN)/ruff check $(wildcard src tests benchmarks)
	$(BIN)/mypy src

## test: lint, type-check and the whole suite (SQLite, and PostgreSQL when
## AURUM_TEST_DATABASE_URL is set); pytest's "no tests collected" (5) is not a failure
test: lint browser documents
	$(BIN)/pytest -n 2 --dist loadfile -q; rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

clean:
	rm -rf $(VENV) .aurum .pytest_cache .mypy_cache .ruff_cache
