# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TORCH_VERSION ?= 2.13.0
# Where pip finds a CPU build of torch; e.g. TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu".
TORCH_INDEX ?=

.PHONY: setup demo test lint bench browser clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU-only torch first, so that the local-embeddings extra does not pull CUDA builds.
	$(BIN)/pip install --quiet "torch==$(TORCH_VERSION)" $(TORCH_INDEX)
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
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/learning_curve.py --plot docs/learning_curve.png

clean:
	rm -rf $(VENV) humangate.db humangate.db-wal humangate.db-shm humangate-outbox
