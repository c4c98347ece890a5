# Two commands: `make serve` (set up, train a first model if none is registered, serve) and `make test`;
# `make lint` checks style, types and import contracts. `make codegen` (which `make test` runs) installs the OpenAPI
# client generator the generated-client test needs into .venv-codegen.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The OpenAPI client generator the client test runs. It needs an older typer than the project's, so it lives in a
# virtualenv of its own; its version is pinned here.
CODEGEN_VENV := .venv-codegen
CODEGEN_STAMP := $(CODEGEN_VENV)/.installed
OPENAPI_PYTHON_CLIENT := openapi-python-client==0.29.1

.PHONY: serve test lint install codegen clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(CODEGEN_STAMP): Makefile
	test -x $(CODEGEN_VENV)/bin/python || $(PYTHON) -m venv $(CODEGEN_VENV)
	$(CODEGEN_VENV)/bin/pip install --quiet '$(OPENAPI_PYTHON_CLIENT)'
	touch $(CODEGEN_STAMP)

codegen: $(CODEGEN_STAMP)

serve: $(STAMP)
	$(BIN)/injury-risk ensure-model
	$(BIN)/injury-risk serve

test: $(STAMP) $(CODEGEN_STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest $(PYTEST_ARGS)

# Lint, format, types and the import contracts (rules and versions in pyproject.toml); CI runs it before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(CODEGEN_VENV) .pytest_cache
