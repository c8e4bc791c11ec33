# Every target that runs project code first makes sure .venv exists and matches pyproject.toml,
# so on a fresh machine `make run` / `make test` are the only commands needed (python3 with venv).
# `make help` lists the targets (from the `## ` comments below).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EXTRAS ?= dev
JOBS   ?= 2
# `make lab` roots JupyterLab at the project (data/, reports/ and notebooks/ all reachable) and opens
# notebooks/; LAB_ARGS adds options (`make lab LAB_ARGS="--no-browser --port 9000"`) without
# replacing --allow-root, which Jupyter needs when run as root (containers and CI machines often are).
LAB_DIR  ?= .
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup run data test test-fast lab bench distclean

help: ## list the targets
	@echo "usage: make TARGET"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The stamp holds the sha256 of pyproject.toml (+ the extras) the venv was installed from: any
# change to the dependencies re-installs; an unusable .venv (e.g. its python is gone) is rebuilt.
setup: ## create .venv if missing or stale and install the package with its dev extra
	@set -e; \
	if ! $(PY) -c "" >/dev/null 2>&1; then \
		echo "creating $(VENV)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); \
	fi; \
	want="$$($(PY) -c "import hashlib; print(hashlib.sha256(open('pyproject.toml', 'rb').read()).hexdigest())") [$(EXTRAS)]"; \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
		echo "installing -e .[$(EXTRAS)] into $(VENV)"; \
		$(PY) -m pip install --quiet --quiet --upgrade pip; \
		$(PY) -m pip install --quiet --quiet -e ".[$(EXTRAS)]"; \
		echo "$$want" > $(STAMP); \
	fi

run: setup ## set up, then run the main job (python -m analysis run)
	$(PY) -m analysis run

data: setup ## set up, then only clean data/raw into data/clean
	$(PY) -m analysis clean

test: setup ## set up, then run the whole test suite (what CI runs)
	$(PY) -m pytest -q -n $(JOBS)

test-fast: setup ## set up, then run the quick loop: every test not marked slow (under a minute)
	$(PY) -m pytest -q -n $(JOBS) -m "not slow"

lab: setup ## set up, then open JupyterLab on the project at notebooks/ (kernel: the venv's python3)
	$(PY) -m jupyter lab --ServerApp.root_dir=$(LAB_DIR) --FileContentsManager.preferred_dir=notebooks $(LAB_ROOT) $(LAB_ARGS)

bench: ## set up with the benchmark extra (peer libraries), then run benchmarks/run_all.py
	@$(MAKE) --no-print-directory setup EXTRAS=dev,bench
	@if [ -f benchmarks/run_all.py ]; then $(PY) benchmarks/run_all.py; else echo "no benchmarks/run_all.py yet"; fi

distclean: ## remove .venv and caches (data/clean and reports/ are kept)
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
