# Zero-setup targets: `make run` and `make test` work on a machine that has only Python 3.11.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test test-postgres test-replica lint format migrate demo diagrams messages bench-data bench backup restore clean

# uv, installed from PyPI into the venv by its own pip, installs the lock: it downloads and unpacks in
# parallel and compiles the bytecode on every core (the tests need it, see `test`), ~60 s of pip's CPU
# down to ~25. Plain pip is the fallback wherever uv cannot be had or cannot reach the index.
UV_VERSION := 0.13.9
$(VENV)/.installed: requirements.lock.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	($(PY) -m pip install --quiet uv==$(UV_VERSION) \
		&& $(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode -r requirements.lock.txt) \
		|| $(PY) -m pip install --quiet -r requirements.lock.txt
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
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (as on some CI images): without it, every
# process compiled the project again and pytest's workers re-rewrote each test module (~7 s CPU each);
# makemigrations, which imports every model first, leaves the project compiled for the workers.
# The four checks before the suite run side by side (each is mostly one process starting up; one after
# the other they took ~9 s), each one's output printed whole once it ends (--output-sync).
test: export PYTHONDONTWRITEBYTECODE =
test: $(VENV)/.installed
	$(MAKE) --no-print-directory -j4 --output-sync=target check-ruff check-format check-imports check-migrations
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -q -n auto --dist worksteal --nomigrations

.PHONY: check-ruff check-format check-imports check-migrations
check-ruff:
	$(PY) -m ruff check .
check-format:
	$(PY) -m ruff format --check .
check-imports:
	$(VENV)/bin/lint-imports --no-cache
check-migrations:
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

# What depends on PostgreSQL or is SQL-heavy (markers `postgres` and `sql`) against a real PostgreSQL
# (TEST_DATABASE_URL must be set; each of the two workers creates its own test database); CI runs it.
test-postgres: export PYTHONDONTWRITEBYTECODE =
test-postgres: $(VENV)/.installed
	test -n "$(TEST_DATABASE_URL)" || (echo "Set TEST_DATABASE_URL=postgres://..." && exit 2)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -q -n 2 --dist worksteal -m "postgres or sql"

# Reports read from a read replica (REPORTS_DATABASE_URL): bin/replica.sh starts a streaming replica of the
# local cluster behind TEST_DATABASE_URL (PRIMARY_HOST/PRIMARY_PORT/PRIMARY_USER, default
# tiepdan@127.0.0.1:5432) on REPLICA_PORT, the `replica` tests run against it, and it is stopped again.
# `make test-postgres` runs the same tests when TEST_REPLICA_DATABASE_URL is set (CI does that).
REPLICA_PORT ?= 5433
TEST_REPLICA_DATABASE_URL ?= postgres://tiepdan:tiepdan@127.0.0.1:$(REPLICA_PORT)/tiepdan
test-replica: $(VENV)/.installed
	test -n "$(TEST_DATABASE_URL)" || (echo "Set TEST_DATABASE_URL=postgres://..." && exit 2)
	REPLICA_PORT=$(REPLICA_PORT) bin/replica.sh start
	TEST_REPLICA_DATABASE_URL=$(TEST_REPLICA_DATABASE_URL) DJANGO_SETTINGS_MODULE=config.settings.test \
		$(PY) -m pytest -q -p no:xdist -m replica; status=$$?; \
		REPLICA_PORT=$(REPLICA_PORT) bin/replica.sh stop; exit $$status

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

# Report benchmarks on PostgreSQL (bench/README.md): 1,000,000 synthetic cases (about 20 minutes on a
# loaded 2-core machine, mostly Python; see bench/README.md), then the timings.
bench-data: $(VENV)/.installed
	test -n "$(BENCH_DATABASE_URL)" || (echo "Set BENCH_DATABASE_URL=postgres://..." && exit 2)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py generate_synthetic --units 1000 --cases 1000000 \
		--years 5 --seed 1 | tee var/generation.txt

$(VENV)/.bench-installed: $(VENV)/.installed requirements-bench.lock.txt
	$(PY) -m pip install --quiet -r requirements-bench.lock.txt
	touch $@

bench: $(VENV)/.bench-installed
	test -n "$(BENCH_DATABASE_URL)" || (echo "Set BENCH_DATABASE_URL=postgres://..." && exit 2)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run_bench.py \
		$(if $(wildcard var/generation.txt),--generation-output var/generation.txt)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/search_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/workspace_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/lists_bench.py \
		$(if $(LISTS_SCAN_DATABASE_URL),--scan-database $(LISTS_SCAN_DATABASE_URL))
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/transition_bench.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/public_figures_bench.py

# The database (pg_dump -Fc, or a SQLite copy) and the uploaded files in one archive under var/backups/
# (BACKUP=path to choose); `make restore BACKUP=...` into a fresh database (README "Security and operations").
backup: $(VENV)/.installed
	$(PY) manage.py backup $(if $(BACKUP),--output $(BACKUP))

restore: $(VENV)/.installed
	test -n "$(BACKUP)" || (echo "Set BACKUP=var/backups/<archive>.tar" && exit 2)
	$(PY) manage.py restore $(BACKUP)

# Keeps var/backups/.
clean:
	rm -rf $(VENV)
	find var -mindepth 1 -maxdepth 1 ! -name backups -exec rm -rf {} + 2>/dev/null || true
