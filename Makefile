# Two commands on a fresh machine with Python 3.11 and make:
#   make demo   set up, extract and load the example articles, print query results
#   make test   set up and run the tests
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kgloader

.PHONY: setup test lint demo clean bench

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

lint: setup
	$(VENV)/bin/ruff check loader tests benchmarks scripts

test: setup lint
	$(PY) -m pytest -q

demo: setup
	$(KG) rules check
	$(KG) extract examples/articles -o out/examples.trig

bench: setup
	$(PY) benchmarks/bench_extract.py

clean:
	rm -rf $(VENV) out .kgloader .pytest_cache
