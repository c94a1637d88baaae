# Caidan — the two commands of the Quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
# Development and tests may use the built-in development SECRET_KEY; deployments set their own.
export CAIDAN_ALLOW_DEV_SECRET ?= 1

.PHONY: run test lint install migrate demo clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	@mkdir -p var
	$(BIN)/python manage.py compile_translations
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo --midyear

run: demo
	@$(BIN)/python manage.py demo_accounts --url http://127.0.0.1:$(PORT)/
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/python manage.py compile_translations

# The suite runs on every core (pytest-xdist); WORKERS=0 runs it in one process.
WORKERS ?= auto
test: lint
	$(BIN)/pytest -p no:cacheprovider -n $(WORKERS) $(PYTEST_ARGS)

# The benchmark on PostgreSQL (not part of `make test`): SCALE=10k|100k|1m, see docs/performance.md.
bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/run.py --scale $${SCALE:-100k} $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3
