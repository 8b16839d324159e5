# Two entry points: `make run` (set up, then the demo on the bundled local model) and
# `make test` (set up, then every test). Both work on a fresh machine with no API key.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
ALU := $(VENV)/bin/alu
# llama-cpp-python is compiled from source; a native build uses CPU instructions (AMX)
# that some VMs refuse at the first token, so build it portably.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
DEMO_STORE ?= $(CURDIR)/.alu-demo/targets.sqlite

.PHONY: setup run lint test test-unit test-slow clean

setup: $(VENV)/.alu-installed

# The llama-cpp-python compile (~4 minutes on 2 cores) runs beside the other installs: it
# only builds a wheel into $(VENV)/llama-wheel, so the two pip processes never write the
# same environment; the wheel is installed once both are done.
LLAMA_WHEELS := $(VENV)/llama-wheel
$(VENV)/.alu-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	if ! $(PY) -c "import llama_cpp" 2>/dev/null; then \
		rm -rf $(LLAMA_WHEELS); \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) wheel --no-deps --no-cache-dir -w $(LLAMA_WHEELS) \
			"llama-cpp-python>=0.3.7" > $(VENV)/llama-build.log 2>&1 & build=$$!; \
		$(PIP) install --quiet -e ".[test,server,eval,bench,semantic]" || { kill $$build; exit 1; }; \
		wait $$build || { tail -40 $(VENV)/llama-build.log; exit 1; }; \
		whl=$$(ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl) && $(PIP) install --quiet "$$whl[server]"; \
	fi
	$(PIP) install --quiet -e ".[local,test,server,eval,bench,semantic]"
	touch $@

run: setup
	rm -f $(DEMO_STORE)
	$(ALU) targets add "Jane Austen" --alias "J. Austen" --store $(DEMO_STORE)
	@echo "--- a query about the forgotten target:"
	$(ALU) ask "Who wrote Pride and Prejudice?" --store $(DEMO_STORE) --json
	@echo "--- an unrelated query:"
	$(ALU) ask "What is the capital of France?" --store $(DEMO_STORE) --json

# ruff (lint and format), mypy and the import-layer contract (see pyproject.toml); the
# last two read alu as installed (graph/, nodes/, prompts/ under alu: tools/lint_tree.py).
LINT_PATHS := alu graph nodes prompts tests examples benchmarks tools setup.py
lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check $(LINT_PATHS)
	$(PY) tools/lint_tree.py types
	$(PY) tools/lint_tree.py imports

# The unit tests run in parallel (pytest-xdist, UNIT_WORKERS processes: they share no
# state), then the integration tests in one process of their own (they share one bundled
# model server, which answers one request at a time): a test can never see what a test
# of the other kind left behind in the process.
UNIT_WORKERS ?= 2
test: setup lint
	$(PY) -m pytest tests/unit_tests -n $(UNIT_WORKERS)
	$(PY) -m pytest tests/integration_tests

test-unit: setup
	$(PY) -m pytest tests/unit_tests -m "not slow" -n $(UNIT_WORKERS)

test-slow: setup
	$(PY) -m pytest tests/unit_tests -m slow -n $(UNIT_WORKERS)
	$(PY) -m pytest tests/integration_tests -m slow

clean:
	rm -rf $(VENV) .alu-demo .pytest_cache
