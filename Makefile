# The README's two commands: `make conformance` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
NODE_STAMP := node_modules/.installed-$(shell cksum package-lock.json | cut -d' ' -f1)
# Extra pytest arguments, e.g. make conformance ARGS="--base-url https://staging.example.com"
ARGS ?=

.PHONY: conformance test lint report serve bench mutation flake-check race-power install clean

install: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -f node_modules/.installed-* && touch $@

## conformance: the whole suite (against the bundled reference server unless ARGS names a
## --base-url), then the Allure HTML report. Exits with pytest's code.
conformance: $(STAMP) $(NODE_STAMP)
	@rc=0; $(PY) -m pytest -n auto $(ARGS) || rc=$$?; \
	$(MAKE) --no-print-directory report; \
	exit $$rc

report: $(NODE_STAMP)
	@rm -rf reports/allure-report
	@npx --no-install allure generate reports/allure-results >/dev/null
	@echo "Allure report: $(CURDIR)/reports/allure-report/index.html (serve it: npx allure open reports/allure-report)"
	@echo "Conformance summary: $(CURDIR)/reports/conformance-summary.md"

## test: lint, the project's own tests (server, suite, kill matrix), then the whole
## suite against the bundled reference server, with xdist.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest tests -n auto -p no:cacheprovider $(ARGS)
	$(PY) -m pytest -n auto -p no:cacheprovider

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

serve: $(STAMP)
	$(PY) -m reference_server

## sweep: remove leftovers of interrupted runs (records carrying the run mark, fixtures/marks.py),
## e.g. make sweep ARGS='--base-url URL --api-email E --api-password P [--dry-run]'
.PHONY: sweep
sweep: $(STAMP)
	$(PY) -m sweep $(ARGS)

bench: $(STAMP)
	$(PY) bench/bench_server.py

## bench-suite: the whole suite directly and through 40 ms of added latency, serial and -n 4
## -> reports/bench-suite.json (requests, longest chain, wall time; goal: -n 4 at 40 ms <= 3x loopback)
.PHONY: bench-suite
bench-suite: $(STAMP)
	$(PY) bench/suite_latency.py $(ARGS)

## openapi: write schemas/openapi.json, the contract machine-readable, from the reference
## server's code (tests/fuzz/test_openapi.py fails when the file drifts from the server).
.PHONY: openapi fuzz
openapi: $(STAMP)
	$(PY) -m reference_server.openapi

## fuzz: Schemathesis with schemas/openapi.json against the target (the bundled server unless
## ARGS names a --base-url; see python -m fuzz.run --help), then the Allure HTML report.
fuzz: $(STAMP) $(NODE_STAMP)
	@rc=0; $(PY) -m fuzz.run $(ARGS) || rc=$$?; \
	$(MAKE) --no-print-directory report; \
	exit $$rc

## mutation: the kill matrix, the whole suite once per reference-server fault (plus a control
## run against the correct server) -> reports/mutation-matrix.{md,json} and docs/faults.md.
mutation: $(STAMP)
	$(PY) tests/mutation/kill_matrix.py $(ARGS)

## flake-check: the whole suite N times against the correct server (half with -n auto),
## no retries -> reports/flake-check.{md,json}. Race power: `make race-power N=20`.
N ?= 20
flake-check: $(STAMP)
	$(PY) tests/mutation/flake_check.py --runs $(N)

race-power: $(STAMP)
	$(PY) tests/mutation/race_power.py --runs $(N)

## load: the load profile on Locust (load/): the bundled reference server (2 processes, SQLite),
## 50 users for 60 s on 2 worker processes, then the invariants -> reports/load/. Exit 0 only on
## pass. A deployment: make load ARGS="--base-url URL --api-email E --api-password P --users 500 --run-time 10m"
.PHONY: load
load: $(STAMP)
	$(PY) -m load.run $(ARGS)

clean:
	rm -rf reports/allure-results reports/allure-report reports/*.json reports/*.md reports/*.sqlite* reports/mutation-runs
