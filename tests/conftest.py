"""Shared fixtures: the shipped rules, the project's example articles, the user's seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@pytest.fixture()
def graph(tmp_path: Path) -> Iterator[Graph]:
    """The embedded FalkorDB in a temporary folder; or, with NEO4J_URI set, that Neo4j server (emptied)."""
    uri = os.environ.get("NEO4J_URI")
    env = dict(os.environ)
    if uri:
        store = open_store(uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD"),
                           os.environ.get("NEO4J_DATABASE"))
        cli = ["--uri", uri] + (["--database", os.environ["NEO4J_DATABASE"]] if "NEO4J_DATABASE" in os.environ else [])
    else:
        home = tmp_path / "kg"
        store = open_store(None, home=home)
        cli = ["--home", str(home)]
        env.pop("KGLOADER_HOME", None)
    store.write([(cypher.DELETE_ALL, {})])
    try:
        yield Graph(store, cli, env)
    finally:
        store.close()


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
