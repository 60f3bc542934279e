"""RDF files as sources: loaded like articles (one file, one manifest entry, its own provenance), against the
real graph (embedded FalkorDB, or Neo4j with NEO4J_URI)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

from conftest import SEEDS, Graph, kgloader

from loader.graph import cypher
from loader.graph.mapping import load_mapping
from loader.graph.store import read_names
from loader.load import Loader, LoadOptions
from loader.rdf import vocabulary_quads
from loader.rules import load_rules

BOOKKEEPING = {"kgLoaded", "kgLoadedAt", "kgSource"}  # the manifest differs by design
SOURCES = ("MATCH (n {uri: $uri})<-[:ASSERTS]-(s) WITH s.identifier AS source ORDER BY source "
           "RETURN collect(source) AS a")


def snapshot(graph: Graph) -> tuple[dict[str, tuple[frozenset[str], dict[str, Any]]], set[tuple[str, str, str]]]:
    # lists have set semantics: compared as sorted
    nodes = {row["uri"]: (frozenset(row["labels"]), {k: sorted(v, key=str) if isinstance(v, list) else v
                                                     for k, v in row["props"].items() if k not in BOOKKEEPING})
             for row in graph.store.read("MATCH (n) WHERE NOT n:LoadRun AND NOT n:KgNames "
                                         "RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS props")}
    rels = {(r["a"], r["t"], r["b"]) for r in graph.store.read(
        "MATCH (a)-[r]->(b) WHERE type(r) <> 'ASSERTS' RETURN a.uri AS a, type(r) AS t, b.uri AS b")}
    return nodes, rels


def load(graph: Graph, *paths: Path, **options: Any) -> Any:
    return Loader(graph.store, LoadOptions(**options)).load([str(p) for p in paths])




def test_extract_output_loads_as_the_articles_do(graph: Graph, seeds_nq: Path, tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    assert len(load(graph, folder).new) == 5
    articles_nodes, articles_rels = snapshot(graph)
    articles_names = read_names(graph.store)

    graph.store.write([(cypher.DELETE_ALL, {})])
    report = load(graph, seeds_nq)
    assert report.new == ["seeds.nq"] and report.triples == sum(1 for _ in seeds_nq.open())
    file_nodes, file_rels = snapshot(graph)

    # the same nodes, labels and properties as the articles gave ...
    for uri, (labels, props) in articles_nodes.items():
        assert file_nodes.get(uri) == (labels, props), uri
    assert articles_rels <= file_rels
    # ... and besides them only the file's default graph (the vocabulary extract writes) and its manifest entry
    vocabulary = load_mapping(rules=load_rules()).rows(vocabulary_quads(load_rules().kinds))
    extra = {node.uri for node in vocabulary.nodes} - set(articles_nodes) | {
        "https://w3id.org/kgloader/id/source/seeds.nq"}
    assert set(file_nodes) - set(articles_nodes) == extra
    assert file_rels - articles_rels == {(r.start, r.type, r.end) for r in vocabulary.rels}
    assert read_names(graph.store) == articles_names | vocabulary.names
    # provenance is the file: its RdfSource asserts every node it wrote, and nothing else does
    assert graph.count("MATCH (n:Resource) WHERE NOT n:LoadRun AND NOT n:KgNames AND NOT n:RdfSource "
                       "AND NOT (n)<-[:ASSERTS]-(:RdfSource {identifier: 'seeds.nq'}) RETURN count(n) AS n") == 0
    assert graph.count("MATCH (s)-[:ASSERTS]->() WHERE NOT s:RdfSource RETURN count(s) AS n") == 0
    assert graph.count("MATCH ()-[r]->() WHERE type(r) <> 'ASSERTS' AND r.kgSupport < 1 RETURN count(r) AS n") == 0
    # the articles' named graphs are kept, with what the file asserts of each node
    haniyeh = graph.store.read("MATCH (p:Person {name: 'Ismail Haniyeh'})<-[x:ASSERTS]-() RETURN x.kgGraphs AS g"
                               )[0]["g"]
    assert len(haniyeh) == 5 and all(g.startswith("https://w3id.org/kgloader/id/article/") for g in haniyeh)


TTL = """@prefix ex: <http://example.org/> .
ex:a ex:name "A" ; ex:knows _:b0 .
_:b0 ex:name "somebody" .
"""


def test_rdf_files_reload_prune_and_delete_per_file(graph: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.ttl").write_text(TTL, encoding="utf-8")
    with gzip.open(folder / "b.nq.gz", "wt", encoding="utf-8") as handle:
        handle.write('<http://example.org/b> <http://example.org/name> "B" <http://example.org/g1> .\n'
                     '<http://example.org/a> <http://example.org/name> "A" <http://example.org/g1> .\n')
    first = load(graph, folder)
    assert sorted(first.new) == ["a.ttl", "b.nq.gz"] and not first.failed and not first.skipped
    before = graph.totals()

    again = load(graph, folder)
    assert again.unchanged == 2 and not again.new and not again.changed
    assert graph.totals() == before

    # blank nodes are the file's own: b.nq.gz names no _:b0, and a.ttl's stays one node on reload
    assert graph.count("MATCH (n) WHERE n.uri STARTS WITH '_:' RETURN count(n) AS n") == 1
    assert graph.store.read(SOURCES, {"uri": "http://example.org/a"}) == [{"a": ["a.ttl", "b.nq.gz"]}]

    (folder / "a.ttl").write_text(TTL.replace('"somebody"', '"someone"'), encoding="utf-8")
    changed = load(graph, folder)
    assert changed.changed == ["a.ttl"] and changed.unchanged == 1
    assert graph.store.read("MATCH (n) WHERE n.uri STARTS WITH '_:' RETURN n.name AS name") == [{"name": "someone"}]

    (folder / "b.nq.gz").unlink()
    pruned = load(graph, folder, prune=True)
    assert pruned.pruned == ["b.nq.gz"]
    assert graph.count("MATCH (n {uri: 'http://example.org/b'}) RETURN count(n) AS n") == 0
    assert graph.store.read(SOURCES, {"uri": "http://example.org/a"}) == [{"a": ["a.ttl"]}]

    run = kgloader("delete", str(folder / "a.ttl"), *graph.cli, env=graph.env)
    assert run.returncode == 0, run.stderr
    assert graph.count("MATCH (n:Resource) WHERE NOT n:LoadRun AND NOT n:KgNames RETURN count(n) AS n") == 0


def test_two_files_blank_nodes_are_two_nodes(graph: Graph, tmp_path: Path) -> None:
    for name in ("one.nt", "two.nt"):
        (tmp_path / name).write_text('_:b0 <http://example.org/name> "x" .\n', encoding="utf-8")
    load(graph, tmp_path / "one.nt", tmp_path / "two.nt")
    assert graph.count("MATCH (n {name: 'x'}) RETURN count(n) AS n") == 2


def test_malformed_rdf_file_is_one_line_and_leaves_the_graph_as_it_was(graph: Graph, tmp_path: Path) -> None:
    data = tmp_path / "data.ttl"
    data.write_text(TTL, encoding="utf-8")
    assert kgloader("load", str(data), *graph.cli, env=graph.env).returncode == 0
    before = snapshot(graph)

    # a changed file that breaks on its last line: nothing of it is written, the loaded version stays
    lines = [f'<http://example.org/n{i}> <http://example.org/name> "{i}" .' for i in range(2000)]
    data.write_text("\n".join([*lines, "<http://example.org/x> <http://example.org/name> oops ."]) + "\n",
                    encoding="utf-8")
    (tmp_path / "cut.nq.gz").write_bytes(gzip.compress(b"<http://e/a> <http://e/b> <http://e/c> .\n" * 100)[:-30])
    run = kgloader("load", str(data), str(tmp_path / "cut.nq.gz"), *graph.cli, "--batch-size", "100", env=graph.env)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    problems = [line for line in run.stderr.splitlines() if line.startswith("WARNING")]
    assert len(problems) == 2, run.stderr
    assert f"{data}:2001: not valid Turtle" in problems[1] or f"{data}:2001: not valid Turtle" in problems[0]
    assert any(str(tmp_path / "cut.nq.gz") in line for line in problems)
    assert snapshot(graph) == before
