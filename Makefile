# The two front doors: `make demo` and `make test`. Both build .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install system-deps demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(STAMP)

demo: install
	rm -f demo.duckdb
	$(BIN)/shequn demo --db demo.duckdb --out demo-exports

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Debian packages the report tests need: Chromium (driven by Playwright, never downloaded)
# and fonts that cover Chinese and emoji. Installed when missing and run as root.
system-deps:
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk fonts-noto-color-emoji; \
	else echo "chromium or CJK fonts missing: the browser tests will skip (make system-deps as root installs them)"; fi

# The engine tests start their own PostgreSQL 15 server (initdb + pg_ctl) and a local Spark
# session (Java 17); SHEQUN_REQUIRE_ENGINES=1 makes a missing one fail instead of skip.
test: lint system-deps
	SHEQUN_REQUIRE_ENGINES=1 $(BIN)/python -m pytest

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/import.py

clean:
	rm -rf $(VENV) demo.duckdb demo-exports .pytest_cache
