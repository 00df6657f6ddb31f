# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: run test setup setup-test messages lint migrations-check checks pytest users

## Set up, migrate, load the city pack and its parks, add demo projects, corridors, concepts, proposals, ballots, forums and a contest to an empty city and serve http://127.0.0.1:8000
run: setup messages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py gis_load_city --if-changed
	$(PY) manage.py parks_import
	$(PY) manage.py projects_demo --if-empty
	$(PY) manage.py corridors_demo --if-empty
	$(PY) manage.py parks_demo --if-empty
	$(PY) manage.py participation_routes --if-empty
	$(PY) manage.py participation_demo --if-empty
	$(PY) manage.py workshops_demo --if-empty
	$(PY) manage.py runserver 127.0.0.1:8000

## Set up, then lint, migration and system checks, and the whole pytest suite
test: setup-test messages lint migrations-check checks pytest

setup:
	scripts/setup.sh run

setup-test:
	scripts/setup.sh test

# Translations are compiled only when a catalogue has changed.
messages: $(MO)
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check -o $@ $<

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrations-check:
	$(PY) manage.py makemigrations --check --dry-run

checks:
	$(PY) manage.py check --fail-level WARNING

pytest:
	$(VENV)/bin/pytest

## Create the first admin and one demo user for each role (passwords printed)
users: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py accounts_create_users --demo
