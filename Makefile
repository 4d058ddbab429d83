# One task runner. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test test-unit test-e2e lint format vendor lock bench bench-large clean fuzz messages

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/sharedspace serve --demo --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest tests
	PLAYWRIGHT_CHROMIUM_EXECUTABLE="$$(bash e2e/find-chromium.sh)" $(BIN)/python -m pytest e2e

test-unit: $(STAMP)
	$(BIN)/python -m pytest tests

test-e2e: $(STAMP)
	PLAYWRIGHT_CHROMIUM_EXECUTABLE="$$(bash e2e/find-chromium.sh)" $(BIN)/python -m pytest e2e

# Hostile requests to every route as every role, many more than `make test` sends, random,
# on SQLite and on PostgreSQL when it answers (docs/security.md).
FUZZ_EXAMPLES ?= 5000
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_RANDOM=1 FUZZ_ENGINES=$${FUZZ_ENGINES:-sqlite,postgres} \
		$(BIN)/python -m pytest tests/test_fuzz_routes.py -s -q

# ruff (format and rules), the floor plan's import contracts (pyproject.toml), mypy --strict.
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Extract every package's messages into <package>/locale/messages.pot and bring its Welsh
# catalogue up to date (docs/i18n.md); catalogues are compiled in memory at start-up.
# `make messages PACKAGES=consultations` does one package.
messages: $(STAMP)
	$(BIN)/python -m workspace.catalogues $(PACKAGES)

vendor:
	bash static/vendor/fetch.sh

lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra test --strip-extras --no-emit-index-url \
		--no-emit-find-links -o requirements.lock pyproject.toml

# bench/page.py loads the page with wrk when there is one (Debian's `wrk` package; tried
# here as root), else with its own Python load generator. Writes bench/results/latest.*.
bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } \
		|| echo "wrk not installed: bench/page.py falls back to a Python load generator"
	$(BIN)/python bench/run_all.py

# The long ones (issue 19), kept out of `make bench` so it stays under 10 minutes: the hub
# at full size (1,000 groups, 100,000 people, 1,000,000 comments over 2,000 consultations,
# 100,000 responses; one consultation's p50/p99 small vs large) and the open-loop mixed
# load stepping its arrival rate up on both shapes.
bench-large: $(STAMP)
	$(BIN)/python bench/run_all.py hub_size open_loop api

clean:
	rm -rf $(VENV) var .pytest_cache

# Schemathesis against the API's OpenAPI document, longer than in `make test` (8 examples
# per operation there): as a visitor and with a token, no 5xx, every answer as documented.
.PHONY: fuzz
fuzz: $(STAMP)
	SCHEMA_EXAMPLES=$${SCHEMA_EXAMPLES:-300} $(BIN)/python -m pytest tests/api/test_schema.py -q
