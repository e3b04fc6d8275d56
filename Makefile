# Quick start: `make run` analyses the example study, `make test` runs the whole
# test suite, `make test-fast` only the unit tests (seconds), `make lint` the
# code-style checks. Each creates .venv from the pinned requirements on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 2

.PHONY: run run-verbose test test-fast lint example-study slurm-env clean

$(BIN)/snakemake: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# The SLURM executor plugin, for cluster runs (README, "Running on a cluster"); kept
# out of the default environment because it slows every local `snakemake` start.
slurm-env: $(BIN)/snakemake requirements-slurm.txt
	$(BIN)/python -m pip install --quiet -r requirements-slurm.txt

# One line per finished job, one per failure, then the report and its flag counts
# (scripts/report/progress.py); `make run-verbose` shows Snakemake's own output.
run: $(BIN)/snakemake
	$(BIN)/python -m scripts.report.progress --cores $(CORES)

run-verbose: $(BIN)/snakemake
	$(BIN)/snakemake --cores $(CORES)

# Everything: unit, end-to-end (real Snakemake runs) and SLURM tests. CI runs this (.ci/run).
test: $(BIN)/snakemake
	$(BIN)/python -m pytest -q tests

# Unit tests only (pytest marker `unit`): no Snakemake run.
test-fast: $(BIN)/snakemake
	$(BIN)/python -m pytest -q -m unit tests

lint: $(BIN)/snakemake
	$(BIN)/ruff check --output-format concise .
	$(BIN)/ruff format --check --output-format concise .
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow/rules

# Rewrite resources/example_study from its generator (tools/example_study).
example-study: $(BIN)/snakemake
	$(BIN)/python -m tools.example_study

clean:
	rm -rf results .snakemake
