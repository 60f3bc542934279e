# Two commands on a fresh machine with Python 3.11 and make:
#   make demo   set up, extract and load the example articles, print query results
#   make test   set up and run the tests
#
# The package is installed as a wheel whose extraction path is compiled with mypyc (about 20%
# faster; needs gcc and the Python headers). Without a compiler it is installed as plain Python,
# with a warning: the same code and results. COMPILE=1 insists on compiling, COMPILE=0 never does.
# The tests run against what is installed; after an edit, `make test` rebuilds (about a minute).
# For quick work on the code: `.venv/bin/pip install -e .` and `.venv/bin/python -m pytest`.
PYTHON ?= python3
VENV ?= .venv
COMPILE ?= auto
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kgloader
SOURCES := pyproject.toml $(shell find loader schema cypher -type f -not -name '*.so' -not -name '*.pyc')

.PHONY: setup test lint demo clean bench browser eval java neo4j

setup: $(VENV)/.installed

# pip builds the wheel in the source tree; its compiled modules are removed from the tree afterwards,
# so that the tree stays plain Python and nothing stale shadows an edited module.
$(VENV)/.installed: $(SOURCES)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@if [ "$(COMPILE)" = 0 ]; then \
	  $(PY) -m pip install --quiet '.[dev]'; \
	elif ! HATCH_BUILD_HOOKS_ENABLE=1 $(PY) -m pip install --quiet '.[dev]'; then \
	  [ "$(COMPILE)" = auto ] || exit 1; \
	  echo "warning: compiling the extraction path failed (no gcc?); installing it as plain Python" >&2; \
	  $(PY) -m pip install --quiet '.[dev]'; \
	fi
	find loader -name '*.so' -delete && rm -f ./*__mypyc.*.so
	$(KG) --version
	touch $@

lint: setup
	$(VENV)/bin/ruff check loader tests benchmarks scripts
	$(VENV)/bin/mypy --config-file mypy-lint.ini loader

# pytest (not python -m pytest) keeps the source tree off sys.path: the installed package is tested.
# Every graph test runs on the embedded graph and on a stock Neo4j 5.26 the session starts (tests/neo4j/).
test: setup lint browser java
	$(VENV)/bin/pytest -q

# Neo4j for the tests comes from Maven Central (tests/neo4j/pom.xml) and runs on Java 17: Debian's
# packages, installed when missing (as root, as on CI); elsewhere install them yourself. Without them
# the Neo4j half of the tests is reported as not run (CI, with KGLOADER_REQUIRE_NEO4J=1, fails).
java:
	@{ command -v java && command -v javac && command -v mvn; } >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless maven >/dev/null; } || \
	  echo "warning: Java 17 and Maven are not installed (apt-get install default-jdk-headless maven);" \
	       "the tests on Neo4j will not run"

# The same Neo4j in the foreground, to explore without Docker: prints its Bolt and Browser addresses and
# the password (generated, or NEO4J_PASSWORD); data kept in NEO4J_DATA. Ctrl-C stops it.
NEO4J_DATA ?= .neo4j
neo4j: java
	$(PYTHON) tests/neo4j_server.py --home $(NEO4J_DATA)

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

# Extraction quality: the user's five samples and the ten-article dev set (../shared), scored by its scorer
SHARED ?= ../shared
eval: setup
	@mkdir -p out
	$(KG) extract $(SHARED)/corpus/seeds -o out/seeds.trig -q
	@echo "== seeds"; $(PY) $(SHARED)/eval/score.py out/seeds.trig $(SHARED)/corpus/seeds.gold.yaml | tail -n 9
	$(KG) extract $(SHARED)/corpus/dev/docs -o out/dev.trig -q
	@echo "== dev"; $(PY) $(SHARED)/eval/score.py out/dev.trig $(SHARED)/corpus/dev/gold.yaml | tail -n 11
	$(KG) extract examples/eval/docs -o out/eval.trig -q
	@echo "== examples/eval"; $(PY) $(SHARED)/eval/score.py out/eval.trig examples/eval/gold.yaml | tail -n 11

bench: setup
	$(PY) benchmarks/bench_extract.py

clean:
	rm -rf $(VENV) out .kgloader .pytest_cache build tests/neo4j/target
	find loader -name '*.so' -delete; rm -f ./*__mypyc.*.so
