# FocusFlow: `make run` (quick start) and `make test` (the whole suite on PostgreSQL + Redis).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

# Tests run on PostgreSQL and Redis, never SQLite (partial indexes and SKIP LOCKED matter).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/focusflow
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

# The quick start is a DEBUG run (demo accounts with known passwords, a development SECRET_KEY, mail on
# the console), served on PORT: honcho would hand the web process 5000 when PORT is unset.
PORT ?= 8000
run demo-fast: export DEBUG := true
run demo-fast: export PORT := $(PORT)

# What `check` runs with: production settings (DEBUG off) and throwaway values for what production requires.
PRODUCTION_ENV = DEBUG=false SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=focusflow.example.com \
	EMAIL_URL=submission://focusflow:secret@smtp.example.com SECURE_SSL_REDIRECT=true SECURE_HSTS_SECONDS=31536000 \
	SECURE_HSTS_PRELOAD=true

.PHONY: runtime install requirements run demo-fast test check lint lint-code format-check services browser clean bench-scheduler bench-api bench-companion bench-live mutate

# Production installs requirements.txt alone, and so does the quick start (`make run`: what runs, nothing
# more); a developer's and CI's venv adds requirements-dev.txt (tests, lint, benchmarks, the browser
# driver). Both are compiled from their .in files by `make requirements`.
$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed: $(BIN)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

runtime: $(BIN)/.runtime
install: $(BIN)/.installed

requirements: install  ## recompile requirements*.txt from requirements*.in (existing pins kept; options in pyproject.toml)
	$(BIN)/pip-compile --quiet --output-file=requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --output-file=requirements-dev.txt requirements-dev.in

run: runtime  ## release, demo accounts, then web (uvicorn workers under gunicorn: streams hold no thread) + worker + beat on PORT (default 8000), DEBUG on (SQLite and a file-system broker unless DATABASE_URL/CELERY_BROKER_URL are set)
	$(BIN)/honcho start -f Procfile release
	$(BIN)/python manage.py demo_account
	$(BIN)/honcho start -f Procfile web worker beat

demo-fast: runtime  ## the same, time-compressed: a tick every 2 s, sweeps every second
	FOCUS_TICK_SECONDS=2 FOCUS_NUDGE_MIN_GAP_SECONDS=2 FOCUS_DISPATCH_SECONDS=1 $(MAKE) --no-print-directory run

services:  ## make sure PostgreSQL and Redis answer (starts local ones that are installed but stopped)
	@DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
		bash .ci/ensure-services

browser:  ## make sure the Chromium the browser tests drive is installed (Debian's package, via apt-get)
	@bash .ci/ensure-chromium

test: install services browser  ## the whole suite against PostgreSQL and Redis
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
		$(BIN)/pytest $(PYTEST_ARGS)

# What mypy checks: the pure modules (no Django, no database), the ones that exist on this tree.
MYPY_PATHS = focus/policy focus/guardrails.py focus/summary.py focus/clock.py focus/vocabulary.py \
	focus/dashboard/charts.py rhythm/habit.py

lint: lint-code format-check  ## ruff (lint and format check) and mypy on the pure modules

lint-code: install  ## ruff's lint rules and mypy (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/mypy $(MYPY_PATHS)

format-check: install  ## ruff format --check
	$(BIN)/ruff format --check .

check: lint  ## lint (ruff, its format check, mypy); migrations in step with models; the release's collectstatic and the deploy checklist with production settings
	@# Production settings throughout; collectstatic into a throwaway STATIC_ROOT first, as the release phase
	@# does, since every manage.py command runs the manifest check (focusflow/checks.py).
	static=$$(mktemp -d) && trap 'rm -rf "$$static"' EXIT && export STATIC_ROOT="$$static" $(PRODUCTION_ENV) && \
		$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
		$(BIN)/python manage.py makemigrations --check --dry-run && \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .run staticfiles

# Benchmarks (not tests; never part of `make test`): real processes on PostgreSQL (BENCH_DATABASE_URL,
# default database focusflow_bench, created and migrated) and a throwaway redis-server; each prints a
# table and rewrites its section of docs/benchmarks.md. BENCH_ARGS passes options (see --help).
bench-scheduler: install services  ## sweep vs one PeriodicTask per session at N = 1k, 10k, 100k (~20 min; the 100k pair ~11)
	$(BIN)/python -m bench.scheduler $(BENCH_ARGS)

bench-api: install services  ## the Procfile's web server + PostgreSQL + Redis under 8/32/64 clients vs a bare DRF endpoint (~3 min)
	$(BIN)/python -m bench.api $(BENCH_ARGS)

# The session simulator (docs/companion.md): every person archetype over SEEDS seeds through the real
# policy tick by tick, a sample cross-checked on the real engine (BENCH_DATABASE_URL, rolled back).
SEEDS ?= 300
bench-companion: install services  ## the companion on simulated noisy people: issue 11's rates at SEEDS seeds (default 300), rewrites docs/companion.md
	$(BIN)/python -m bench.companion --seeds $(SEEDS) $(BENCH_ARGS)

bench-live: install services  ## N open live pages (SSE + a ping per tick) at N = 1k, 5k, 10k, the polling design beside it, a web restart (~30 min)
	ulimit -n "$$(ulimit -Hn)" && $(BIN)/python -m bench.live $(BENCH_ARGS)

# Mutation testing (docs/testing.md): cosmic-ray mutates a copy of the tree in build/mutate/src (never
# this checkout), one module at a time, and runs that module's fast tests (no integration tests) per
# mutant, one process. MUTATE_MODULES picks modules; a session already run is resumed, not redone
# (`rm -rf build/mutate` to start over). ~20-30 min for the four on a busy 2-core box.
MUTATE_MODULES ?= guardrails engine scheduler services
# No Hypothesis shrinking per mutant (focus/tests/mutate_profile.py): the first failing example kills it.
MUTATE_PYTEST := -p focus.tests.mutate_profile --hypothesis-profile=mutate
MUTATE_TESTS_guardrails := focus/tests/test_guardrails.py focus/tests/test_guardrails_contract.py focus/tests/test_engine_guardrails.py
MUTATE_TESTS_engine := focus/tests/test_engine.py focus/tests/test_engine_guardrails.py focus/tests/test_engine_mutants.py
MUTATE_TESTS_scheduler := focus/tests/test_scheduler.py focus/tests/test_scheduler_mutants.py focus/tests/test_engine.py
MUTATE_TESTS_services := focus/tests/test_engine.py focus/tests/test_api_lifecycle.py focus/tests/test_session_summary.py \
	focus/tests/test_concurrency.py focus/tests/test_ping.py focus/tests/test_session_end_bounds.py focus/tests/test_services_mutants.py
# Operators left out: swaps to exotic operators (**, <<, %, ^ ...) and the `|` of type annotations,
# which `from __future__ import annotations` never evaluates (equivalent mutants by the hundred).
MUTATE_EXCLUDE := '^core/ReplaceBinaryOperator_(?!(Add_Sub|Sub_Add|Mul_Div|Div_Mul)$$)', \
	'^core/ReplaceComparisonOperator_(?!(Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Eq_NotEq|NotEq_Eq|Is_IsNot|IsNot_Is|Lt_GtE|GtE_Lt|Gt_LtE|LtE_Gt)$$)'

mutate: install services  ## mutation testing of guardrails, engine, scheduler and services (~20-30 min, one process)
	@mkdir -p build/mutate/src
	rsync -a --delete --exclude .venv --exclude .git --exclude build --exclude .hypothesis ./ build/mutate/src/
	@set -eo pipefail; export DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}"; \
	cd build/mutate/src; \
	for module in $(MUTATE_MODULES); do \
		case $$module in \
			guardrails) tests="$(MUTATE_TESTS_guardrails)";; engine) tests="$(MUTATE_TESTS_engine)";; \
			scheduler) tests="$(MUTATE_TESTS_scheduler)";; services) tests="$(MUTATE_TESTS_services)";; \
			*) echo "unknown module $$module"; exit 2;; \
		esac; \
		config=../$$module.toml; session=../$$module.sqlite; \
		printf '%s\n' '[cosmic-ray]' "module-path = \"focus/$$module.py\"" 'timeout = 180.0' 'excluded-modules = []' \
			"test-command = \"$(CURDIR)/$(BIN)/python -m pytest -x -q -p no:cacheprovider --reuse-db $(MUTATE_PYTEST) $$tests\"" \
			'[cosmic-ray.distributor]' 'name = "local"' '[cosmic-ray.filters.operators-filter]' \
			"exclude-operators = [$(MUTATE_EXCLUDE)]" > $$config; \
		[ -f $$session ] || { $(CURDIR)/$(BIN)/cosmic-ray init $$config $$session && $(CURDIR)/$(BIN)/cr-filter-operators $$session $$config; }; \
		echo "== focus/$$module.py: $$tests"; \
		$(CURDIR)/$(BIN)/python -m pytest -q -p no:cacheprovider --reuse-db $(MUTATE_PYTEST) $$tests \
			> ../$$module-baseline.txt || { tail -40 ../$$module-baseline.txt; exit 1; }; tail -1 ../$$module-baseline.txt; \
		$(CURDIR)/$(BIN)/cosmic-ray exec $$config $$session; \
		$(CURDIR)/$(BIN)/cr-report --show-output $$session > ../$$module-report.txt; \
		$(CURDIR)/$(BIN)/cr-report $$session | tail -3; \
	done; \
	echo "reports: build/mutate/<module>-report.txt (survivors: grep -B3 'test outcome: TestOutcome.SURVIVED')"
