# vidkit tasks. `make demo` and `make test` each set up what they need first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint format bench clean help

# PostgreSQL tests run when a server answers on 127.0.0.1:5432 (as on CI); otherwise they skip.
VIDKIT_TEST_DATABASE_URL ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo postgresql://postgres@127.0.0.1/test)
export VIDKIT_TEST_DATABASE_URL

help:  ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.runtime  ## Set up, then render the bundled sample clip to every preset in demo-out/
	$(BIN)/vidkit doctor
	$(BIN)/vidkit make examples/sample.mp4 -p all --captions examples/sample.srt \
		--set name=Amira --set place=Leeds -o demo-out

test: $(VENV)/.test  ## Set up (incl. test-only system packages where root), lint, run the test suite
	sh tools/test-system-deps.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint:  ## ruff check and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:  ## Format the code
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: $(VENV)/.test  ## Run the benchmarks (several minutes)
	$(BIN)/python bench/bench_render.py

clean:  ## Remove outputs and caches (keeps the venv)
	rm -rf demo-out out .pytest_cache .ruff_cache
