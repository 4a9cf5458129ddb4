# Zero-setup targets: `make run` and `make test` work on a machine that has only Python 3.11.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test test-postgres lint format migrate demo diagrams messages bench-data bench clean

$(VENV)/.installed: requirements.lock.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock.txt
	touch $@

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

# Web server, Celery worker and beat together (bin/devserver.py); Ctrl-C stops all three.
run: demo
	@echo "Serving the workspace on http://127.0.0.1:$(PORT)/ and the admin on /admin/ (logins: see README)"
	$(PY) bin/devserver.py --port $(PORT)

# Lint, import contracts (.importlinter), then the whole suite on in-memory SQLite, one worker per core.
# The SQLite test databases are built from the models (--nomigrations: replaying ~40 migrations costs each
# worker more than many tests), so `makemigrations --check` first proves the migrations match the models;
# the PostgreSQL pass below applies the real migrations (its triggers and indexes are PostgreSQL-only).
test: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -q -n auto --dist worksteal --nomigrations

# What depends on PostgreSQL or is SQL-heavy (markers `postgres` and `sql`) against a real PostgreSQL
# (TEST_DATABASE_URL must be set; each of the two workers creates its own test database); CI runs it.
test-postgres: $(VENV)/.installed
	test -n "$(TEST_DATABASE_URL)" || (echo "Set TEST_DATABASE_URL=postgres://..." && exit 2)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -q -n 2 --dist worksteal -m "postgres or sql"

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

diagrams: $(VENV)/.installed
	$(PY) manage.py draw_workflows --update-readme README.md

# Refresh the Vietnamese catalogue from the source, then compile it (the .mo is committed).
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l vi --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages -l vi --ignore=.venv

# Report benchmarks on PostgreSQL (bench/README.md): 1,000,000 synthetic cases, then the timings.
bench-data: $(VENV)/.installed
	test -n "$(BENCH_DATABASE_URL)" || (echo "Set BENCH_DATABASE_URL=postgres://..." && exit 2)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py generate_synthetic --units 1000 --cases 1000000 \
		--years 5 --seed 1 | tee var/generation.txt

bench: $(VENV)/.installed
	test -n "$(BENCH_DATABASE_URL)" || (echo "Set BENCH_DATABASE_URL=postgres://..." && exit 2)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run_bench.py \
		$(if $(wildcard var/generation.txt),--generation-output var/generation.txt)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/search_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/workspace_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/transition_bench.py

clean:
	rm -rf $(VENV) var
