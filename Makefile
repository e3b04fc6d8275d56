# Two-command quick start: `make run` analyses the example study, `make test`
# runs the test suite. Both create .venv from the pinned requirements on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2

.PHONY: run test lint report clean

$(BIN)/snakemake: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

run: $(BIN)/snakemake
	$(BIN)/snakemake --cores $(CORES)

test: $(BIN)/snakemake
	$(BIN)/python -m pytest -q tests

lint: $(BIN)/snakemake
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules

clean:
	rm -rf results .snakemake
