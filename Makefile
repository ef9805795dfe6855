# Two commands on a fresh machine: `make demo` and `make test`. Each installs first when needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.8

# No phoning home from dbt or Dagster; a project-local Dagster home with telemetry off.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
# PYTHONDONTWRITEBYTECODE is set on some machines; uv compiles bytecode itself (halves import time).
export UV_COMPILE_BYTECODE := 1

# The DuckDB 1.x that BI tools embed, in its own environment: tests read the published copies with it.
BI_READER := .venv-bi-reader
BI_READER_STAMP := $(BI_READER)/.installed

.PHONY: install demo test test-setup lint lint-sql dagster docs bench bench-dagster clean browser screenshot vendor-plotly

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/salesmetrics prepare
	touch $(STAMP)

demo: install
	$(BIN)/salesmetrics demo

$(BI_READER_STAMP): tests/bi_reader/requirements.txt $(STAMP)
	$(BIN)/uv venv --quiet --allow-existing --python $(PYTHON) $(BI_READER)
	$(BIN)/uv pip install --quiet --python $(BI_READER)/bin/python -r tests/bi_reader/requirements.txt
	touch $(BI_READER_STAMP)

# Everything the tests need besides the venv: DuckDB 1.x for the BI-copy readers, Chromium for the pages.
test-setup: install $(BI_READER_STAMP) browser

test: test-setup lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# ruff (lint and format, configured in pyproject.toml) over the Python tree; sqlfluff runs in the suite
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# sqlfluff over the dbt models (.sqlfluff: DuckDB dialect, dbt templater); tests/unit/test_sqlfluff.py runs it
# in `make test`. The dbt templater opens the profile's warehouse, so it gets a scratch file.
lint-sql: install
	SALESMETRICS_DB=$${TMPDIR:-/tmp}/salesmetrics-sqlfluff.duckdb $(BIN)/sqlfluff lint dbt_project/models

# Headless Chromium for the browser tests (Debian package; retried while another dpkg holds the lock).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && for i in 1 2 3 4 5 6; do \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium && break; sleep 20; done; }

# Re-take the README's Dagster lineage picture (docs/dagster-lineage.png) from a real first load.
screenshot: install browser
	UPDATE_DOCS_SCREENSHOT=1 $(BIN)/python -m pytest -q tests/e2e/test_dagster_ui.py

# `dagster dev` warns on every start that the separate `dg` CLI supersedes it; this project does not
# need dg, so exactly that message is filtered (python -W matches its start), nothing else.
DAGSTER_DEV_ARGS ?=
dagster: install
	$(BIN)/python -W 'ignore:Function `dev_command` is superseded' -m dagster dev -w workspace.yaml $(DAGSTER_DEV_ARGS)

docs: install
	cd dbt_project && SALESMETRICS_DB=$(CURDIR)/data/demo.duckdb ../$(BIN)/dbt docs generate --profiles-dir .

bench: install
	$(BIN)/python benchmarks/extraction.py

bench-dagster: install
	$(BIN)/python benchmarks/dagster_backfill.py

clean:
	rm -rf $(VENV) $(BI_READER) data dbt_project/target dbt_project/logs .dagster_home/storage

# The dashboard's charts: plotly.js's basic bundle (scatter, bar, pie; 1.2 MB against the full
# bundle's 4.8 MB), kept in the repository so installs and the page need no network. To move to
# another plotly.js release: make vendor-plotly PLOTLY_JS=4.1.1 (needs npm and the npm registry).
PLOTLY_JS ?= 4.1.1
PLOTLY_VENDOR := pipelines/dashboard/assets/vendor
vendor-plotly:
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent plotly.js-basic-dist-min@$(PLOTLY_JS) >/dev/null \
		&& tar xzf plotly.js-basic-dist-min-$(PLOTLY_JS).tgz && cd - >/dev/null \
		&& cp $$tmp/package/plotly-basic.min.js $(PLOTLY_VENDOR)/plotly-basic.min.js \
		&& cp $$tmp/package/LICENSE $(PLOTLY_VENDOR)/plotly-LICENSE && rm -rf $$tmp
