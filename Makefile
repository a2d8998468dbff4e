# Nagar Nigam Call Centre: the README's two commands, and a few more.
#
#   make demo          a demo city on SQLite, served at http://127.0.0.1:$(PORT)/desk/ (Ctrl+C stops it)
#   make test          the test suite on SQLite (no services needed)
#   make test-mariadb  the whole suite on MariaDB and Redis (they must be running)
#   make test-browser  the browser tests (headless Debian Chromium: apt-get install chromium fonts-noto-core)
#   make bench         every benchmark in bench/ on a fresh SQLite database; bench-mariadb: on MariaDB
#
# Everything installs into .venv on first use; a stamp file per extra means a second run reinstalls
# only when pyproject.toml has changed.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
PORT ?= 8000
DEMO_HOST ?= 127.0.0.1
MARIADB_URL ?= mysql://root@127.0.0.1:3306/nnc
MARIADB_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_MARIADB_URL ?= mysql://root@127.0.0.1:3306/nnc_bench
BENCH_ARGS ?=
BENCHMARKS := $(filter-out bench/_%,$(wildcard bench/*.py))
PYTEST_ARGS ?=

.PHONY: demo test test-mariadb test-browser bench bench-mariadb clean

# pytest, failing loudly when it collected nothing (exit 5): a run that tests nothing must not pass.
define pytest
	$(1) $(PY) -m pytest -q $(2) $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "ERROR: pytest collected no tests (exit 5): a run that tests nothing fails." >&2; fi; exit $$rc
endef

demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_city
	$(PY) manage.py serve --host $(DEMO_HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(call pytest,,-m "not browser")

test-mariadb: $(VENV)/.installed-mariadb
	$(call pytest,DATABASE_URL="$(MARIADB_URL)" REDIS_URL="$(MARIADB_REDIS_URL)",-m "not browser")

test-browser: $(VENV)/.installed-test
	$(call pytest,,-m browser)

bench: $(VENV)/.installed
	@set -e; for script in $(BENCHMARKS); do echo "== $$script"; $(PY) $$script $(BENCH_ARGS); done

bench-mariadb: $(VENV)/.installed-mariadb
	@set -e; for script in $(BENCHMARKS); do echo "== $$script"; $(PY) $$script --database-url $(BENCH_MARIADB_URL) $(BENCH_ARGS); done

clean:
	rm -rf $(VENV) test-artifacts *.egg-info

# The project pins Python 3.11 (Django 5.2 LTS and every pinned library resolve together there).
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -q -e ".[test]"
	touch $@ $(VENV)/.installed

# mysqlclient compiles against libmariadb; on Debian: apt-get install libmariadb-dev pkg-config.
$(VENV)/.installed-mariadb: pyproject.toml | $(PY)
	$(PIP) install -q -e ".[test,mariadb]"
	touch $@ $(VENV)/.installed $(VENV)/.installed-test
