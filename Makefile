# Two set-up commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The browser test drives Debian's chromium (Playwright's own download does not work offline).
CHROMIUM ?= /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test evals lint format bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==26.3
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pmpilot plan examples/briefs/01-postgres-to-rds.md --out out/demo

$(CHROMIUM):
	$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends chromium

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest -q
	$(BIN)/python -m evals run

# The recorded evaluations alone (make test runs them too): report in evals/reports/latest.md.
evals: $(STAMP)
	$(BIN)/python -m evals run

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m benchmarks.cpm --json
	$(BIN)/python -m benchmarks.montecarlo --json
	$(BIN)/python -m benchmarks.psplib --instances ../shared/data/psplib/j30 \
		--optimum ../shared/data/psplib/j30/optimum.csv --json
	$(BIN)/python -m benchmarks.calibration --train ../shared/data/estimation/sip_tasks_train.csv \
		--test ../shared/data/estimation/sip_tasks_train.csv --lopo --json
	$(BIN)/python -m benchmarks.retrieval --json
	$(BIN)/python -m benchmarks.drafting --json
	$(BIN)/python -m benchmarks.http --json

clean:
	rm -rf $(VENV) out
