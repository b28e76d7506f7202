# Developer shortcuts; CI runs the README's test command through .ci/run.
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: install lint format types test check models

install:
	python3.11 -m venv $(VENV) && $(BIN)/pip install -e '.[test]'

lint:
	$(BIN)/ruff check tutor adapters tests bench
	$(BIN)/ruff format --check tutor adapters tests bench

format:
	$(BIN)/ruff check --fix tutor adapters tests bench
	$(BIN)/ruff format tutor adapters tests bench

types:
	$(BIN)/mypy

test:
	$(BIN)/pytest $(ARGS)

check: lint types test

models:
	$(BIN)/tutor models install
