# Homeward: the two commands are `make run` and `make test`. Everything else is a step of them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test install assets migrate demo lint format check clean benchmark

help:
	@echo "make run    install, migrate, load demo data, start web + worker + beat on http://$(HOST):$(PORT)/"
	@echo "make test   install and run the whole test suite"
	@echo "make lint   ruff check + format check + import contracts + migrations check"
	@echo "make benchmark  load county and national data, measure (docs/performance.md)"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	touch $(STAMP)

install: $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

# GOV.UK Frontend compiled from Sass (no GDS Transport font), plus the vendored scripts.
# The source maps are copied too: the vendored files name them (sourceMappingURL), and the
# production collectstatic (ManifestStaticFilesStorage) fails on a reference it cannot find.
assets: node_modules/.package-lock.json
	mkdir -p static/dist
	npx --no-install sass --pkg-importer=node --style=compressed --no-source-map --quiet \
		static/scss/app.scss static/dist/app.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js{,.map} static/dist/
	cp node_modules/htmx.org/dist/htmx.min.js static/dist/
	cp node_modules/chart.js/dist/chart.umd.min.js{,.map} static/dist/
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js{,.map} static/dist/
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css{,.map} static/dist/

run: export HOMEWARD_ENV ?= development
run: export REQUIRE_2FA ?= false
run: install assets
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) scripts/run.sh

# The suite runs in TEST_WORKERS processes (pytest-xdist), each with a test database of its
# own; TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2

test: export HOMEWARD_ENV := test
test: install assets
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --config .importlinter
	HOMEWARD_ENV=test $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Generates county and national data into databases of their own (homeward_bench_*) on the
# PostgreSQL server of BENCH_DATABASE_URL, then measures: see docs/performance.md.
benchmark: install assets
	$(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles var/broker var/results
