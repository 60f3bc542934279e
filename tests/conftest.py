"""Shared fixtures: the shipped rules, the project's example articles, the user's seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from neo4j_server import INSTALL, Neo4jServer, Unavailable

from loader.documents import parse_article
from loader.extract import Extractor
from loader.graph import cypher
from loader.graph.store import GraphStore
from loader.load import open_store
from loader.model import Facts
from loader.rules import CompiledRules, load_rules

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT))  # for benchmarks.corpus; appended, so that the installed kgloader is what runs
EXAMPLES = ROOT / "examples" / "articles"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
GOLD = SHARED / "corpus" / "seeds.gold.yaml"
SCORE = SHARED / "eval" / "score.py"


@pytest.fixture(scope="session")
def rules() -> CompiledRules:
    return load_rules()


@pytest.fixture(scope="session")
def extractor(rules: CompiledRules) -> Extractor:
    return Extractor(rules)


@pytest.fixture()
def extract_text(extractor: Extractor):
    """Extract facts from a text written in the test itself."""

    def run(text: str, name: str = "inline.txt") -> Facts:
        return extractor.extract(parse_article(name, name, text.encode("utf-8"), extractor.rules))

    return run


def kgloader(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line, as installed, in a child process (-P: the working directory, often
    the source tree, does not shadow the installed package)."""
    return subprocess.run([sys.executable, "-P", "-m", "loader", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, input=stdin, timeout=600)


@dataclass
class Graph:
    """A clean graph for one test: the store, and the CLI arguments that reach the same graph."""

    store: GraphStore
    cli: list[str]
    env: dict[str, str]

    def count(self, query: str, **params: object) -> int:
        return self.store.read(query, params)[0]["n"]

    def labels(self) -> dict[str, int]:
        return {row["label"]: row["n"] for row in self.store.read(cypher.LABEL_COUNTS)}

    def types(self) -> dict[str, int]:
        return {row["type"]: row["n"] for row in self.store.read(cypher.TYPE_COUNTS)}

    def state(self) -> tuple[int, int, dict[str, int], set[str]]:
        """Everything but the run records: counts per label and type, and every node's IRI."""
        nodes = self.count("MATCH (n) WHERE NOT n:LoadRun RETURN count(n) AS n")
        rels = self.count(cypher.COUNT_RELATIONSHIPS)
        labels = {k: v for k, v in self.labels().items() if k not in ("LoadRun", "Resource")}
        uris = {row["uri"] for row in self.store.read("MATCH (n) WHERE NOT n:LoadRun RETURN n.uri AS uri")}
        return nodes, rels, labels, uris

    def totals(self) -> tuple[int, int, int]:
        return (self.count(cypher.COUNT_NODES), self.count(cypher.COUNT_RELATIONSHIPS),
                self.count(cypher.PROPERTY_COUNT))


# -- the two engines ------------------------------------------------------------------------------
# Every graph test runs on both: the embedded FalkorDB, and a stock Neo4j 5.26 that the session starts
# (tests/neo4j_server.py) or, with NEO4J_URI set, that server. Where Neo4j cannot start (no Java or
# Maven), its half is skipped and the summary says so at the end; KGLOADER_REQUIRE_NEO4J=1 (CI) makes
# that an error instead.
ENGINES = ["falkordb", "neo4j"]
NEO4J_REQUIRED = os.environ.get("KGLOADER_REQUIRE_NEO4J") == "1"
NEO4J_NOT_RUN: list[str] = []


@dataclass
class Neo4jEndpoint:
    uri: str
    user: str
    password: str
    database: str | None = None
    http: str | None = None  # Browser's address, known for a server the session started

    def open(self) -> GraphStore:
        return open_store(self.uri, self.user, self.password, self.database)

    def cli(self) -> list[str]:
        return ["--uri", self.uri] + (["--database", self.database] if self.database else [])

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("KGLOADER_HOME", "NEO4J_DATABASE")}
        return {**env, "NEO4J_USER": self.user, "NEO4J_PASSWORD": self.password}


def neo4j_unavailable(reason: str) -> None:
    """Neo4j could not start: an error where it is required, else a skip that the summary reports."""
    if NEO4J_REQUIRED:
        pytest.fail(f"Neo4j is required here (KGLOADER_REQUIRE_NEO4J=1) but could not start: {reason}",
                    pytrace=False)
    NEO4J_NOT_RUN.append(reason)
    pytest.skip(f"Neo4j did not start: {reason}")


def start_neo4j(home: Path, password: str | None = None, ports: tuple[int, int] | None = None,
                auth: bool = True) -> Neo4jServer:
    try:
        return Neo4jServer.start(home, password, ports, auth=auth)
    except Unavailable as exc:
        reason = str(exc)
    neo4j_unavailable(reason)  # outside the except clause: the report shows the reason, not two tracebacks
    raise AssertionError("not reached: neo4j_unavailable raises")


@pytest.fixture(scope="session")
def neo4j_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jEndpoint]:
    """The session's Neo4j: NEO4J_URI's server, else a stock Neo4j started for the session (and stopped)."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        password = os.environ.get("NEO4J_PASSWORD")
        if not password:
            pytest.fail("NEO4J_URI is set but NEO4J_PASSWORD is not", pytrace=False)
        yield Neo4jEndpoint(uri, os.environ.get("NEO4J_USER", "neo4j"), password, os.environ.get("NEO4J_DATABASE"))
        return
    server = start_neo4j(tmp_path_factory.mktemp("neo4j") / "home")
    try:
        yield Neo4jEndpoint(server.bolt, server.user, server.password, http=server.http)
    finally:
        server.stop()


@pytest.fixture(params=ENGINES)
def graph(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Graph]:
    """A clean graph on each engine: the embedded FalkorDB in a temporary folder, then Neo4j (emptied)."""
    if request.param == "neo4j":
        endpoint: Neo4jEndpoint = request.getfixturevalue("neo4j_endpoint")
        store = endpoint.open()
        cli, env = endpoint.cli(), endpoint.env()
    else:
        home = tmp_path / "kg"
        store = open_store(None, home=home)
        cli = ["--home", str(home)]
        env = {k: v for k, v in os.environ.items() if k != "KGLOADER_HOME"}
    store.write([(cypher.DELETE_ALL, {})])
    try:
        yield Graph(store, cli, env)
    finally:
        store.close()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Say loudly, as the very last lines, that the Neo4j half did not run: a skip alone is easy to miss."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if not NEO4J_NOT_RUN or reporter is None:
        return
    skipped = [r for r in reporter.stats.get("skipped", []) if "Neo4j did not start" in str(r.longrepr)]
    reporter.write_sep("!", "NEO4J NOT TESTED", red=True, bold=True)
    reporter.write_line(f"WARNING: {len(skipped)} tests on Neo4j did NOT run: {NEO4J_NOT_RUN[0]}", red=True, bold=True)
    reporter.write_line(f"Install {INSTALL} and run make test again (as root, make test installs them).",
                        red=True, bold=True)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """About 400 generated genre articles (benchmarks/corpus.py), for interrupted loads."""
    from benchmarks.corpus import person_names, write_corpus

    folder = tmp_path_factory.mktemp("corpus") / "articles"
    write_corpus(folder, 1.5, person_names(300))
    return folder


@pytest.fixture(scope="session")
def seeds_nq(tmp_path_factory) -> Path:
    """`kgloader extract`'s output for the five sample articles (N-Quads)."""
    out = tmp_path_factory.mktemp("extracted") / "seeds.nq"
    run = kgloader("extract", str(SEEDS), "-o", str(out), "-q")
    assert run.returncode == 0, run.stderr
    return out
