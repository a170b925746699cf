# cchc-analysis: every target creates the virtual environment when needed.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab in Vietnamese by default (settings overrides of this environment only).
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
QUARTER ?=

.PHONY: setup setup-spark report test lab notebooks bench lock clean-outputs sample smoke-python

setup: $(STAMP) $(LAB_SETTINGS)

# Re-installs only when the lock or the package metadata changed (seconds otherwise).
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

$(LAB_SETTINGS): tools/lab/overrides.json $(STAMP)
	@mkdir -p $(dir $@) && cp tools/lab/overrides.json $@

# PySpark (large download) only where a Java runtime exists; its tests skip otherwise.
SPARK_STAMP := $(VENV)/.installed-spark
setup-spark: $(SPARK_STAMP)
$(SPARK_STAMP): $(STAMP) requirements-spark.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -r requirements-spark.lock
	@touch $(SPARK_STAMP)

report: setup
	$(BIN)/cchc run
	$(BIN)/cchc run --quarter 2024Q1
	@echo "Báo cáo HTML: outputs/index.html"

test: setup
	@if command -v java >/dev/null 2>&1; then $(MAKE) --no-print-directory setup-spark; else echo "no Java runtime: PySpark tests will be skipped"; fi
	$(BIN)/python -m pytest -n 2 --dist loadfile
	$(BIN)/python -m pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

# JupyterLab at the project root, on notebooks/00_bat_dau.ipynb; notebooks saved under notebooks/
# are written without outputs (tools/lab/jupyter_server_config.py: real figures never reach git).
lab: setup
	$(BIN)/jupyter lab --config=tools/lab/jupyter_server_config.py

# Re-executes the committed notebooks on the sample (when a change to published numbers is intended).
notebooks: setup
	$(BIN)/python -m cchc_analysis.run --refresh-committed-notebooks

bench: setup
	$(BIN)/python -m benchmarks.run

sample: setup
	$(BIN)/cchc sample

# Rebuilds requirements.lock from pyproject.toml in a throw-away environment.
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet ".[test,dev,polars,duckdb,dask]"
	( echo "# Pinned, complete dependency set (pip freeze). \`make setup\` installs exactly this."; \
	  echo "# Regenerate: make lock"; .lockenv/bin/pip freeze --all --exclude-editable | grep -v -e '^cchc-analysis' -e '^pip==' ) > requirements.lock
	rm -rf .lockenv
	$(PYTHON) tools/write_environment_yml.py

clean-outputs:
	rm -rf outputs data/processed

# Installs the lock on Python 3.12 and 3.13 where present (.smoke/) and checks that clean +
# indicators give the same form 06 as on 3.11 (about 2.5 min per version; .ci/run runs it after `make test`).
smoke-python: setup
	tests/smoke_python_versions.sh

# A longer hypothesis search over fuzzed exports (make test runs a small fixed budget).
FUZZ_EXAMPLES ?= 2000
.PHONY: fuzz
fuzz: setup
	CCHC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider --hypothesis-show-statistics tests/test_ingest_fuzz.py
