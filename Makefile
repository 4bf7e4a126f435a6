# The README's verbs. Everything runs from .venv, created on first use from Python 3.12.
#
#   make run      install, migrate, import the bundled treaty, start web + worker (Ctrl-C stops both)
#   make test     install dev tools, make sure Chromium is there, run the whole suite
#   make lint     ruff check, ruff format --check, mypy, import contracts (.importlinter)
#   make worker   a Celery worker alone (no beat), for the queues in QUEUES
#   make bench    the benchmarks in bench/
#   make drill    the fault drill (bench/drill.py): Redis down 30 s, worker SIGKILLed, PostgreSQL
#                 restarted, under concurrent writers, on private services (about 5 minutes)
#   make load     the load test (bench/load.py, locust): readers and annotators, and a bare view
#   make messages update the translation catalogues (needs GNU gettext) and compile them (polib)
#   make migrate  apply database migrations
#   make install  create .venv and install requirements.txt (again only when it changes)
#
# Variables: PORT (8000), PYTEST_ARGS, QUEUES, CONCURRENCY, PYTHON (the interpreter for .venv),
# WORKER_LOG_LEVEL (make run's worker: warning).
# run, worker and migrate default to DEBUG=1 (a laptop); set DEBUG=0 and SECRET_KEY to override.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
QUEUES ?= default,aggregate,export,drafts,campaigns
CONCURRENCY ?= 2
TREATY_FILE := treaty/data/budapest_convention_ets185.md
# The first of python3.12, python3 that is at least 3.12.
PYTHON ?= $(shell for p in python3.12 python3; do \
	  command -v $$p >/dev/null 2>&1 \
	  && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	  && { echo $$p; break; }; done)
# Stamps live inside .venv: a new virtualenv starts without them and installs everything.
RUNTIME_STAMP := $(VENV)/.installed-requirements
DEV_STAMP := $(VENV)/.installed-requirements-dev
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check --quiet
DEV_ENV := DEBUG="$${DEBUG:-1}"

.PHONY: help run test lint worker bench drill load migrate install install-dev messages

help:
	@sed -n 's/^#   make/make/p' Makefile

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
	  echo "make: Python 3.12 is needed (python3.12, or python3 >= 3.12, on PATH)" >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

migrate: install
	$(DEV_ENV) $(PY) manage.py migrate --noinput

run: migrate
	$(DEV_ENV) $(PY) manage.py import_treaty $(TREATY_FILE) --slug budapest-convention \
	  --version "ETS No. 185" --title "Convention on Cybercrime"
	@# Demo accounts and [Demo] annotations (a laptop only: the command refuses with DEBUG off).
	@if [ "$${DEBUG:-1}" = "1" ]; then $(DEV_ENV) $(PY) manage.py seed_demo; fi
	@# The venv's Python (3.12): bin/run-dev needs no package, but a recent standard library.
	$(DEV_ENV) PORT="$(PORT)" exec $(PY) bin/run-dev

worker: install
	$(DEV_ENV) exec $(VENV)/bin/celery -A config worker -Q "$(QUEUES)" -l info --concurrency "$(CONCURRENCY)"

# A skipped test fails the run too (bin/check-no-skips): a test that needs a service this run
# lacks must say so, not pass quietly.
test: install-dev
	bin/ensure-chromium
	@mkdir -p var/test-results
	$(VENV)/bin/pytest $(PYTEST_ARGS) --junitxml=var/test-results/junit.xml
	$(PY) bin/check-no-skips var/test-results/junit.xml

lint: install-dev
	status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	$(VENV)/bin/mypy . || status=1; \
	$(VENV)/bin/lint-imports --no-cache || status=1; \
	exit $$status

bench: install-dev
	$(PY) bench/run.py
	$(PY) bench/interface_languages.py

drill: install-dev
	$(PY) bench/drill.py

load: install-dev
	$(PY) bench/load.py

# The catalogues of the six UN languages (docs/glossary.md). makemessages needs xgettext (GNU
# gettext); compiling needs only polib. The compiled .mo files are committed: run and test need
# neither tool.
MESSAGE_LANGUAGES := -l ar -l zh_Hans -l fr -l ru -l es
MESSAGE_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=var

messages: install-dev
	$(DEV_ENV) $(PY) manage.py makemessages $(MESSAGE_LANGUAGES) $(MESSAGE_IGNORE) --no-obsolete
	$(DEV_ENV) $(PY) manage.py makemessages -d djangojs $(MESSAGE_LANGUAGES) $(MESSAGE_IGNORE) --no-obsolete
	$(PY) bin/compile-messages
