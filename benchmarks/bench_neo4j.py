"""kgloader against rdflib-neo4j on a real Neo4j 5, the same triples, first load and no-op reload, in one run.

    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=... python benchmarks/bench_neo4j.py \
        [--articles 1700] [--jobs 2] [--server-pid PID]

Needs the `bench` extra (`pip install -e ".[bench]"`: rdflib-neo4j, a benchmark-only dependency) and an
empty database it may clear (every node is deleted between the two tools). The corpus is generated
(benchmarks/corpus.py) with a gazetteer that knows its names, so the graph has persons, meetings,
letters, positions and mentions as the real articles give. The triples rdflib-neo4j loads are the
distinct triples of `kgloader extract`'s output for the same articles (rdflib-neo4j keeps no named
graphs), parsed by its documented `Graph(store=Neo4jStore(config)).parse()`, SHORTEN names, ARRAY
multivalues. kgloader's load includes extraction. Each load is its own process tree (benchmarks/measure.py):
wall time, CPU time, peak memory; with --server-pid (the JVM's pid, or the launcher's), the server's CPU too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after the installed kgloader

from benchmarks.corpus import recognised_corpus
from benchmarks.measure import Step, load_average, measured

RDFLIB_LOAD = """
import json, sys
from rdflib import Graph
from rdflib_neo4j import HANDLE_MULTIVAL_STRATEGY, HANDLE_VOCAB_URI_STRATEGY, Neo4jStore, Neo4jStoreConfig
path, uri, user, password, prefixes = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
config = Neo4jStoreConfig(auth_data={"uri": uri, "database": "neo4j", "user": user, "pwd": password},
                          custom_prefixes=prefixes, handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.SHORTEN,
                          handle_multival_strategy=HANDLE_MULTIVAL_STRATEGY.ARRAY, batching=True)
graph = Graph(store=Neo4jStore(config=config))
graph.parse(path, format="nt")
graph.close(True)
"""


def distinct_triples(dataset: Path, target: Path) -> tuple[int, dict[str, str]]:
    """The dataset's distinct triples as N-Triples, and a prefix for every namespace they use (SHORTEN needs one)."""
    from rdflib_neo4j.config.const import DEFAULT_PREFIXES

    with dataset.open("rb") as handle:
        triples = {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(handle, format=ox.RdfFormat.N_QUADS)}
    known = set(DEFAULT_PREFIXES.values())
    prefixes: dict[str, str] = {}
    for triple in triples:
        for term in (triple.predicate, triple.object if triple.predicate.value.endswith("#type") else None):
            if isinstance(term, ox.NamedNode):
                namespace = re.match(r"(.*[#/])", term.value)
                if namespace and namespace.group(1) not in known:
                    known.add(namespace.group(1))
                    prefixes[f"ns{len(prefixes)}"] = namespace.group(1)
    with target.open("wb") as out:
        ox.serialize(triples, out, format=ox.RdfFormat.N_TRIPLES)
    return len(triples), prefixes


def clear(uri: str, user: str, password: str) -> None:
    """Every node, constraint and index (but the lookup indexes) gone: each tool starts from an empty database."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=(user, password)) as driver, driver.session(database="neo4j") as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        for row in session.run("SHOW CONSTRAINTS YIELD name RETURN name").data():
            session.run(f"DROP CONSTRAINT `{row['name']}` IF EXISTS").consume()
        for row in session.run("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN name").data():
            session.run(f"DROP INDEX `{row['name']}` IF EXISTS").consume()


def counts(uri: str, user: str, password: str) -> tuple[int, int, int]:
    """Nodes, relationships, and of those the provenance relationships (ASSERTS)."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=(user, password), notifications_min_severity="OFF") as driver:
        read = lambda query: driver.execute_query(query, database_="neo4j").records[0]["n"]  # noqa: E731
        return (read("MATCH (n) RETURN count(n) AS n"), read("MATCH ()-[r]->() RETURN count(r) AS n"),
                read("MATCH ()-[r:ASSERTS]->() RETURN count(r) AS n"))


def report(name: str, step: Step) -> str:
    server = f", server CPU {step.server_cpu} s" if step.server_cpu is not None else ""
    return f"{name:<22} {step.seconds:7.2f} s wall, CPU {step.cpu:6.2f} s{server}, peak {step.peak_mb:6.1f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1700)
    parser.add_argument("--aliases", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--server-pid", type=int, help="the Neo4j server's pid, to measure its CPU time")
    parser.add_argument("--kgloader-first", action="store_true",
                        help="run kgloader's loads before rdflib-neo4j's (alternate runs on a shared machine)")
    args = parser.parse_args()
    uri, password = os.environ.get("NEO4J_URI"), os.environ.get("NEO4J_PASSWORD")
    user = os.environ.get("NEO4J_USER", "neo4j")
    if not uri or password is None:
        sys.exit("set NEO4J_URI and NEO4J_PASSWORD (a Neo4j 5 server whose database may be cleared)")
    print(f"before: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        rules, corpus = recognised_corpus(root, args.articles, args.aliases)
        dataset, triples_file = root / "dataset.nq", root / "triples.nt"
        measured([sys.executable, "-m", "loader", "extract", str(corpus), "-o", str(dataset), "--rules", str(rules),
                  "--jobs", str(args.jobs)])
        triples, prefixes = distinct_triples(dataset, triples_file)
        rdflib = [sys.executable, "-c", RDFLIB_LOAD, str(triples_file), uri, user, password, json.dumps(prefixes)]
        kgloader = [sys.executable, "-m", "loader", "load", str(corpus), "--uri", uri, "--rules", str(rules),
                    "--jobs", str(args.jobs)]

        def both(command: list[str]) -> tuple[Step, Step, tuple[int, int, int]]:
            clear(uri, user, password)
            first, again = measured(command, args.server_pid), measured(command, args.server_pid)
            return first, again, counts(uri, user, password)

        if args.kgloader_first:
            kg_first, kg_again, kg_graph = both(kgloader)
            rdflib_first, rdflib_again, rdflib_graph = both(rdflib)
        else:
            rdflib_first, rdflib_again, rdflib_graph = both(rdflib)
            kg_first, kg_again, kg_graph = both(kgloader)
        assert re.search(r"unchanged (\d+)", kg_again.stderr) and "new 0" in kg_again.stderr, kg_again.stderr

    print(f"after: {load_average()}")
    print(f"{args.articles} articles, {triples} distinct triples; jobs {args.jobs}")
    print(f"rdflib-neo4j graph: {rdflib_graph[0]} nodes, {rdflib_graph[1]} relationships")
    print(f"kgloader graph:     {kg_graph[0]} nodes, {kg_graph[1] - kg_graph[2]} relationships "
          f"(+ {kg_graph[2]} ASSERTS, its provenance)")
    for name, step in (("rdflib-neo4j first", rdflib_first), ("rdflib-neo4j reload", rdflib_again),
                       ("kgloader first", kg_first), ("kgloader no-op reload", kg_again)):
        print(report(name, step))
    print(f"first load: kgloader {rdflib_first.seconds / kg_first.seconds:.2f}x rdflib-neo4j's speed (wall), "
          f"{rdflib_first.cpu / kg_first.cpu:.2f}x (client CPU)")
    print(f"reload:     kgloader {rdflib_again.seconds / kg_again.seconds:.1f}x rdflib-neo4j's speed (wall)")


if __name__ == "__main__":
    main()
