# Stages de seconde – everyday commands. `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Links in mails follow the port the app is served on (unless APP_BASE_URL is set, e.g. behind a proxy).
APP_BASE_URL ?= http://localhost:$(PORT)
TEST_DATABASE_URL ?=
export TEST_DATABASE_URL

.PHONY: help install install-runtime run test test-unit test-db test-app test-e2e test-topology bench loadtest clean

help:
	@echo "make run        – installe, crée la base, charge la démo et lance l'app sur http://localhost:$(PORT)"
	@echo "make test       – lance toutes les suites (unit, db, app, e2e, topology)"
	@echo "make bench      – mesure les pages aux trois échelles (docs/benchmarks.md) et dans Chromium (docs/browser-benchmarks.md)"
	@echo "make loadtest   – test de charge, 1 et 2 serveurs sur PostgreSQL (écrit docs/capacity.md)"

# Two installs: what the app needs to run (make run), and the test tools on top (make test...).
$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install-runtime: $(VENV)/.runtime

install: $(VENV)/.installed

run: install-runtime
	$(PY) manage.py init-db
	$(PY) manage.py seed-demo
	APP_BASE_URL=$(APP_BASE_URL) $(PY) -m streamlit run server.py --server.port $(PORT)

test: install
	@$(PY) scripts/run_tests.py

test-unit: install
	$(PY) -m pytest tests/unit -q

test-db: install
	$(PY) -m pytest tests/db -q

test-app: install
	$(PY) -m pytest tests/app -q

test-e2e: install
	$(PY) -m pytest tests/e2e -q

test-topology: install
	$(PY) -m pytest tests/topology -q

bench: install
	$(PY) scripts/bench.py
	$(PY) scripts/bench_browser.py

# PostgreSQL database dropped and recreated by the load test (127.0.0.1:5432).
LOADTEST_DATABASE ?= loadtest
export LOADTEST_DATABASE

loadtest: install
	$(PY) scripts/loadtest.py

clean:
	rm -rf var .pytest_cache
