# Two commands do all the set-up on a machine with Python 3.11+ and make:
#   make demo   - the app on the embedded demo data
#   make test   - lint and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint format screenshots bench clean

# pip at -qq shows errors only: setuptools warns on every editable install of a flat layout
# ("Editable installation... folders with the same name"), which is how this clone is meant
# to be used, and a new user should not read it as something wrong.
PIP := $(BIN)/python -m pip install -qq

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

$(VENV)/.app: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	@touch $@

$(VENV)/.test: pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]'
	@touch $@ $(VENV)/.app

# The checkers (mypy, import-linter) live in a venv of their own: import-linter needs click,
# and wherever click can be imported, `import httpx` also imports httpx's own command line
# (Rich, Click, Pygments: 3 MB and tens of ms in every process that loads httpx), so in the
# app's venv they would change what the benchmarks measure. mypy reads the app's venv.
TOOLS := $(VENV)/tools
TOOLS_STAMP := $(TOOLS)/.mypy-2.4.1-import-linter-2.17

$(TOOLS_STAMP): | $(BIN)/python
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install -qq mypy==2.4.1 import-linter==2.17
	@touch $@

# Stoplight Prism, the OpenAPI mock server tests/test_prism.py runs Chatwoot's published API
# document in, installed into the venv (about 10 s and 74 MB, once). Without npm, or offline,
# the build goes on and those tests skip, saying why. PRISM_VERSION in tests/prism_server.py
# names the same version.
PRISM_VERSION := 5.16.0
NODE_DIR := $(VENV)/node
PRISM := $(NODE_DIR)/.prism-$(PRISM_VERSION)

$(PRISM):
	@if ! command -v npm >/dev/null 2>&1; then \
		echo "npm not found: tests/test_prism.py will be skipped (install Node.js to run it)"; \
	else \
		mkdir -p $(NODE_DIR); \
		if npm install --prefix $(NODE_DIR) --no-audit --no-fund --loglevel=error \
			--fetch-retries=0 --fetch-timeout=30000 \
			@stoplight/prism-cli@$(PRISM_VERSION) >$(NODE_DIR)/install.log 2>&1; then \
			touch $@; \
		else \
			echo "npm could not install @stoplight/prism-cli@$(PRISM_VERSION) (offline?): tests/test_prism.py will be skipped; see $(NODE_DIR)/install.log"; \
		fi; \
	fi

demo: $(VENV)/.app
	$(BIN)/livedesk-tui --demo

test: $(VENV)/.test $(PRISM) $(TOOLS_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=. $(TOOLS)/bin/lint-imports --no-cache
	$(TOOLS)/bin/mypy --python-executable $(BIN)/python
	$(BIN)/python -m pytest -q

lint: $(VENV)/.test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

screenshots: $(VENV)/.test
	$(BIN)/python scripts/make_screenshots.py

bench: $(VENV)/.test
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
