# Two commands on a fresh machine with Python 3.11 and make:
#   make demo   set up, extract and load the example articles, print query results
#   make test   set up and run the tests
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kgloader

.PHONY: setup test lint demo clean bench browser

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

lint: setup
	$(VENV)/bin/ruff check loader tests benchmarks scripts

test: setup lint browser
	$(PY) -m pytest -q

# The view test looks at the page in headless Chromium: Debian's package, installed when missing
# (as root, as on CI); elsewhere install it yourself (apt-get install chromium).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "warning: chromium is not installed; tests/test_view.py will fail"

demo: setup
	$(KG) rules check
	$(KG) extract examples/articles -o out/examples.trig
	$(KG) load examples/articles
	@echo; echo "== who met whom"; $(KG) query who-met-whom
	@echo; echo "== who wrote to whom"; $(KG) query correspondence
	@echo; echo "== positions held"; $(KG) query organisation-members

bench: setup
	$(PY) benchmarks/bench_extract.py

clean:
	rm -rf $(VENV) out .kgloader .pytest_cache
