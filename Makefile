# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test lint bench browser clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

demo: setup
	$(BIN)/humangate demo

test: setup lint browser
	$(BIN)/pytest

# The panel's browser tests drive Debian's chromium; Playwright cannot download its own browser here.
browser:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
		|| { echo "Install Debian's chromium (apt-get install chromium) for the panel tests."; exit 1; }

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/core.py
	$(BIN)/python bench/routing_quality.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/panel.py

clean:
	rm -rf $(VENV) humangate.db humangate.db-wal humangate.db-shm humangate-outbox
