# Safeguarding guidance portal: everyday commands. `make help` lists them.

.DEFAULT_GOAL := help
SHELL := /bin/bash

# The interpreter that creates the virtual environment: Python 3.11 if it is
# on the PATH, otherwise whatever `python3` is.
PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PYTEST_ARGS ?=
GUNICORN_WORKERS ?= 3
GUNICORN_THREADS ?= 8
GUNICORN_TIMEOUT ?= 30

DEV_SETTINGS := DJANGO_SETTINGS_MODULE=portal.settings.dev
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=portal.settings.test
PRODUCTION_SETTINGS := DJANGO_SETTINGS_MODULE=portal.settings.production

# Stamp files: pip runs again only when a requirements file changes.
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
NODE_STAMP := node_modules/.installed

.PHONY: help venv install install-dev run test test-fast test-slow test-browser serve require-secret-key lint format audit check screenshots clean

help: ## List the targets with what each does
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) \
		| awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(RUNTIME_STAMP) $@

# The browser checks' Node tools (Nu Html Checker, Lighthouse), exactly as locked.
# --ignore-scripts: vnu-jar's install script would download a JDK; the machine's Java runs it.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

venv: install ## Same as install

install: $(RUNTIME_STAMP) ## Create .venv if missing and install the runtime requirements

install-dev: $(DEV_STAMP) ## Create .venv if missing and install the runtime and dev requirements

# PORT as for `make serve`: `PORT=8001 make run` or `make run PORT=8001`. The
# demo admin's address is printed with the same port, and links in e-mails
# (WAGTAILADMIN_BASE_URL) follow it unless that variable is set.
run: install ## Local demo: migrate, load demo content, create a demo admin, serve on http://127.0.0.1:PORT/ (default 8000)
	$(DEV_SETTINGS) $(MANAGE) migrate --noinput
	$(DEV_SETTINGS) $(MANAGE) load_demo_content
	$(DEV_SETTINGS) $(MANAGE) create_demo_admin --port "$${PORT:-8000}"
	$(DEV_SETTINGS) WAGTAILADMIN_BASE_URL="$${WAGTAILADMIN_BASE_URL:-http://127.0.0.1:$${PORT:-8000}}" \
		$(MANAGE) runserver "127.0.0.1:$${PORT:-8000}"

# The tests run in parallel (pytest-xdist: one worker per core, each with its
# own test database; tests/conftest.py keeps some modules on one worker) and in a random
# order (pytest-randomly prints its seed; `PYTEST_ARGS="-p randomly
# --randomly-seed=N"` repeats an order, `-p no:randomly` turns it off).
# PYTEST_WORKERS=0 runs everything in this one process.
PYTEST_WORKERS ?= auto
PYTEST := $(TEST_SETTINGS) $(BIN)/python -m pytest -n $(PYTEST_WORKERS)

# The whole suite (what CI runs) still runs in one process and in file order:
# a flush no longer breaks the tests after it (tests/support/migrated_contents.py
# refills a database a flush emptied), but no full parallel run has yet
# passed on this 2-core machine under load (timing-bound browser and outage
# tests). Try it with PYTEST_ARGS="-n auto -p randomly" make test.
test: install-dev $(NODE_STAMP) ## Run the whole test suite (browser tests need /usr/bin/chromium, Java and Node); pass PYTEST_ARGS=...
	$(TEST_SETTINGS) $(BIN)/python -m pytest -n 0 -p no:randomly $(PYTEST_ARGS)

test-fast: install-dev ## Everything but the slow and browser tests (no servers, no fuzzing; no Chromium, Node or Java needed)
	$(PYTEST) -m "not slow and not browser" $(PYTEST_ARGS)

test-slow: install-dev ## Only the slow tests: app servers, outages, faults, fuzzing (FUZZ_EXAMPLES=N for more)
	$(PYTEST) -m "slow and not browser" $(PYTEST_ARGS)

test-browser: install-dev $(NODE_STAMP) ## Only the browser tests (Chromium, axe, Nu Html Checker, Lighthouse)
	$(PYTEST) -m browser $(PYTEST_ARGS)

# No --access-logfile on purpose: gunicorn's access log would record every
# visitor's IP address and user agent next to the sensitive page they read.
# No control socket: its default path in $HOME is shared by every gunicorn.
# Threaded workers (gthread): a request waiting on a hung database holds one
# thread for at most the connect or statement timeout, not a whole process,
# so /health/live/ and cached pages keep answering during an outage.
serve: require-secret-key install ## Production style: collectstatic, migrate, gunicorn on PORT (default 8000)
	$(PRODUCTION_SETTINGS) $(MANAGE) collectstatic --noinput
	$(PRODUCTION_SETTINGS) $(MANAGE) migrate --noinput
	$(PRODUCTION_SETTINGS) $(BIN)/gunicorn portal.wsgi:application \
		--bind "0.0.0.0:$${PORT:-8000}" \
		--workers $(GUNICORN_WORKERS) \
		--worker-class gthread \
		--threads $(GUNICORN_THREADS) \
		--timeout $(GUNICORN_TIMEOUT) \
		--graceful-timeout 30 \
		--no-control-socket

# Fail before installing anything: production settings have no default key.
require-secret-key:
	@if [ -z "$$DJANGO_SECRET_KEY" ]; then \
		echo "make serve: set DJANGO_SECRET_KEY and the other production variables (see .env.example)." >&2; \
		exit 1; \
	fi

lint: install-dev $(NODE_STAMP) ## Check Python (ruff), templates (djhtml), JavaScript (ESLint) and CSS (Stylelint) without changing files
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djhtml --check templates
	npx --no-install eslint static/js
	npx --no-install stylelint "static/css/**/*.css"

format: install-dev $(NODE_STAMP) ## Fix what the linters can: ruff, djhtml, ESLint and Stylelint
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates
	npx --no-install eslint --fix static/js
	npx --no-install stylelint --fix "static/css/**/*.css"

audit: install-dev ## Known vulnerabilities in the installed, pinned dependencies (pip-audit; needs the package index)
	$(BIN)/python .ci/audit_dependencies.py

check: install-dev ## Django system checks and a check that no migration is missing
	$(TEST_SETTINGS) $(MANAGE) check
	$(TEST_SETTINGS) $(MANAGE) makemigrations --check --dry-run

# A throwaway SQLite database in a temporary folder: never touches db.sqlite3.
screenshots: install-dev ## Screenshot the demo (seed page on phone and desktop, feedback errors, admin report) into docs/screenshots/ (needs /usr/bin/chromium)
	$(BIN)/python docs/screenshots/make_screenshots.py

clean: ## Remove .venv, collected static files and tool caches (keeps db.sqlite3 and media/)
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -not -path "./.git/*" -prune -exec rm -rf {} +
