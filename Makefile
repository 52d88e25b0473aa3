# The two commands: `make book` builds the book, `make test` runs every test.
# Each creates .venv and installs the pinned requirements and lrlib when needed.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test book book-clean clear-cache browser bench homework clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Headless Chromium for the offline-rendering test (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The book is built first: tests/test_book.py checks the built pages (offline assets, page
# weight, math rendered in headless Chromium) and pytest executes every chapter notebook.
test: $(STAMP) browser book
	$(BIN)/python -m pytest -q

# A clean build: any warning or cell error fails it. Notebooks are executed, or taken from the
# local execution cache when their code is unchanged; on CI ($CI set) the cache is cleared
# first, so every notebook is executed.
book: $(STAMP)
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(if $(CI),rm -rf _build/.jupyter_cache)
	$(BIN)/jupyter-book build . -W -n --keep-going --all

# The student edition of the homework (homework/*.ipynb hold the solutions): solution regions
# become stubs that raise NotImplementedError naming the task, hidden tests are removed.
homework: $(STAMP)
	rm -rf _build/homework
	$(BIN)/python -m lrlib.grading release homework _build/homework

# Performance, side by side with torch.optim (benchmarks/README.md): prints a table and writes
# benchmarks/results/. torch is never installed here: pass an interpreter that has it, e.g.
# `make bench TORCH_PYTHON=/path/to/venv/bin/python` (else one on PATH is looked for).
# BENCH_ARGS=--quick skips the 1e6-parameter sizes, the notebooks and the clean book build.
TORCH_PYTHON ?=
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(if $(TORCH_PYTHON),--torch-python $(TORCH_PYTHON)) $(BENCH_ARGS)

# Re-execute notebooks after lrlib changed (the local execution cache does not see lrlib).
clear-cache:
	rm -rf _build/.jupyter_cache

clean:
	rm -rf _build
