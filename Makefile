# Suara: `make run` serves the demo on SQLite, `make test` runs every test.
# Needs only Python 3.11+ and make; everything else is installed here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install translations extract-messages db demo serve bench soak lint clean browser

install: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("Suara needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

translations: install
	$(BIN)/python -c 'from surveyapp.i18n_catalogs import compile_catalogs; compile_catalogs()'

# Re-extract messages after changing user-facing text, then translate the
# new entries in surveyapp/translations/id/LC_MESSAGES/messages.po.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* __pycache__ instance" \
		--no-location --sort-output -w 100 -o surveyapp/translations/messages.pot .
	$(BIN)/pybabel update -i surveyapp/translations/messages.pot -d surveyapp/translations --ignore-obsolete --no-fuzzy-matching -w 100

db: translations
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask seed-demo

run: demo
	@echo ""
	@echo "  Suara is running at http://$(HOST):$(PORT)  (stop with Ctrl+C)"
	@echo ""
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The browser test (tests/e2e) needs Debian's chromium and chromium-driver
# and the packages in requirements-dev.txt; .ci/install-browser adds them.
browser: $(VENV)/.browser-ready

$(VENV)/.browser-ready: $(STAMP) requirements-dev.txt .ci/install-browser
	bash .ci/install-browser

test: translations browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# One benchmark of bench/ (collect_bench, summary, export_bench, sav_bench,
# programme_bench, programme_report_bench, soak) at its default size, e.g.
# `make bench BENCH=export_bench BENCH_ARGS="--responses 100000"`; each
# module's --help has its sizes, docs/benchmarks.md the runs on record.
BENCH ?= export_bench
bench: translations
	$(BIN)/python -m bench.$(BENCH) $(BENCH_ARGS)

# ruff (lint and format) and mypy on the typed core; settings in pyproject.toml.
lint: browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Soak test (bench/soak.py): submissions while gunicorn workers are killed,
# with and without a streaming export. SQLite unless TEST_DATABASE_URL names
# a PostgreSQL database, which it EMPTIES. Integrity is enforced, and the
# submission rate while an export streams must be SOAK_MIN_RATIO of the rate
# without (exports/pacing.py; docs/benchmarks.md).
SOAK_MIN_RATIO ?= 0.9
SOAK_ARGS ?= --seconds 10 --clients 16 --export-rows 20000
# The ratio is a measurement on a shared machine: when only it fell short
# (exit 3) it is measured once more. An integrity failure is never re-run.
SOAK = $(BIN)/python -m bench.soak $(SOAK_ARGS) --min-ratio $(SOAK_MIN_RATIO)
soak: translations
	$(SOAK) || { status=$$?; [ $$status -eq 3 ] || exit $$status; \
	  echo "== the rate ratio fell short; measuring it once more"; $(SOAK); }

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-*
