"""Export: the graph back as RDF, with the original IRIs, datatypes, language tags and named graphs.

What comes out is what the RDF held, not the graph's bookkeeping: nodes' `uri` are the subjects (blank
nodes as blank nodes), labels are rdf:type statements and properties literal statements, named by the
IRIs the graph recorded when it was loaded (the KgNames node); each node's statements go to the named
graphs that described it and each relationship to the graphs that asserted it, as the sources' ASSERTS
relationships to the node record them (`kgGraphs`, `kgRels`); where a property value alone does not give
the literal back (a language tag, a datatype other than the value's own, a lexical form such as `007`, a
list's values per graph), `kgTerms` does (loader/graph/mapping.py). Provenance, load stamps, run records
and manifest nodes are left out.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pyoxigraph as ox

from loader.graph import cypher
from loader.graph.mapping import (
    PRECISION_TYPES,
    RDF_TYPE,
    Mapping,
    default_literal,
    literal_of,
    own_graph,
    read_rel_entry,
)
from loader.graph.store import GraphStore, read_names
from loader.rdf import write_dataset

log = logging.getLogger("kgloader")
PAGE = 2_000
BOOKKEEPING_LABELS = {"LoadRun", cypher.SOURCE_LABEL, cypher.NAMES_LABEL}
TYPE = ox.NamedNode(RDF_TYPE)


def _term(uri: str) -> ox.NamedNode | ox.BlankNode:
    return ox.BlankNode(uri[2:]) if uri.startswith("_:") else ox.NamedNode(uri)


def _graph(name: str) -> ox.NamedNode | ox.BlankNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == "" else _term(name)


class Exporter:
    """Reads the graph page by page and yields its quads."""

    def __init__(self, store: GraphStore, mapping: Mapping):
        self.store = store
        self.resource = mapping.resource_label
        self.asserts = mapping.asserts
        self.skip_props = {"uri", mapping.provenance, cypher.GRAPHS, cypher.TERMS, "kgLoaded", "kgLoadedAt", "kgSource"}
        self.names: dict[str, dict[str, str]] = defaultdict(dict)
        for kind, name, iri in sorted(read_names(store)):
            known = self.names[kind].setdefault(name, iri)
            if known != iri:
                log.warning("%s %s stands for two IRIs (%s, %s); exported as the first (use --naming shorten "
                            "or name one in the mapping)", kind, name, known, iri)
        self.unnamed: set[tuple[str, str]] = set()

    def _iri(self, kind: str, name: str) -> ox.NamedNode | None:
        iri = self.names[kind].get(name)
        if iri is None:
            if (kind, name) not in self.unnamed:
                self.unnamed.add((kind, name))
                log.warning("no IRI recorded for %s %s (loaded before kgloader recorded names?); left out", kind,
                            name)
            return None
        return ox.NamedNode(iri)

    def quads(self) -> Iterator[ox.Quad]:
        after = ""
        while True:
            page = self.store.read(cypher.export_nodes(self.resource), {"after": after, "limit": PAGE})
            if not page:
                return
            after = page[-1]["uri"]
            nodes = [row for row in page if not BOOKKEEPING_LABELS & set(row["labels"])]
            said = self.assertions([row["uri"] for row in nodes])
            for row in nodes:
                assertion = said.get(row["uri"], Assertions())
                quads = set(self.node_quads(row["uri"], row["labels"], row["props"], assertion))
                quads.update(self.relationship_quads(row["uri"], assertion))
                yield from sorted(quads, key=str)  # two sources saying one thing say it once

    def assertions(self, uris: list[str]) -> dict[str, Assertions]:
        """What the sources assert of each node (its records' ASSERTS): graphs, per-graph terms, relationships."""
        out: dict[str, Assertions] = defaultdict(Assertions)
        if not uris:
            return out
        for row in self.store.read(cypher.export_assertions(self.resource, self.asserts), {"uris": uris}):
            said = out[row["uri"]]
            # left out: the source's own graph alone (see ArticleRows.assertions; and neo4j-admin files cannot
            # hold an empty list, see README "Bulk first load")
            own = own_graph(row["record"], row["record_labels"])
            said.graphs.update(row["graphs"] if row["graphs"] is not None else [own])
            said.terms.update(row["terms"] or [])
            said.rels.update("\t".join(read_rel_entry(entry, own)) for entry in row["rels"] or [])
        return out

    def node_quads(self, uri: str, labels: list[str], props: dict[str, Any], said: Assertions) -> Iterator[ox.Quad]:
        subject = _term(uri)
        graphs = [_graph(g) for g in sorted(said.graphs)]
        for label in sorted(set(labels) - {self.resource}):
            cls = self._iri("label", label)
            if cls is not None:
                yield from (ox.Quad(subject, TYPE, cls, g) for g in graphs)
        single: dict[str, tuple[str, str | None]] = {}
        per_graph: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for entry in [*(props.get(cypher.TERMS) or []), *sorted(said.terms)]:
            name, graph, kind, *lexical = entry.split("\t", 3)
            if graph == "*":
                single[name] = (kind, lexical[0] if lexical else None)
            else:
                per_graph[name].append((graph, kind, lexical[0] if lexical else ""))
        precisions = {name[:-len("Precision")] for name, value in props.items()
                      if name.endswith("Precision") and value in PRECISION_TYPES and name[:-len("Precision")] in props}
        skip = self.skip_props | {f"{name}Precision" for name in precisions}
        for name, value in props.items():
            if name in skip:
                continue
            predicate = self._iri("property", name)
            if predicate is None:
                continue
            if name in per_graph:
                for graph, kind, lexical in per_graph[name]:
                    yield ox.Quad(subject, predicate, literal_of(kind, lexical), _graph(graph))
                continue
            literals = _literals(value, single.get(name), props.get(f"{name}Precision") if name in precisions else None)
            yield from (ox.Quad(subject, predicate, lit, g) for lit in literals for g in graphs)

    def relationship_quads(self, uri: str, said: Assertions) -> Iterator[ox.Quad]:
        start = _term(uri)
        for entry in said.rels:
            rel_type, end, graph = entry.split("\t", 2)
            predicate = self._iri("type", rel_type)
            if predicate is not None:
                yield ox.Quad(start, predicate, _term(end), _graph(graph))

    def result_quads(self, rows: list[dict[str, Any]]) -> Iterator[ox.Quad]:
        """The nodes and relationships a query returned (in any column, also inside lists), as RDF: each
        node's statements as `quads` gives them (what its sources' ASSERTS say of it), and of the relationships
        its sources assert out of it, those the result holds (type and end)."""
        nodes: dict[str, dict[str, Any]] = {}
        rels: dict[str, dict[str, Any]] = {}
        for row in rows:
            _collect(list(row.values()), nodes, rels)
        held = {(nodes[rel["_start"]].get("uri"), rel["_type"], nodes[rel["_end"]].get("uri"))
                for rel in rels.values() if rel["_start"] in nodes and rel["_end"] in nodes}
        found = {node["uri"]: node for node in nodes.values()
                 if node.get("uri") is not None and not BOOKKEEPING_LABELS & set(node["_labels"])}
        said = self.assertions(sorted(found))
        for uri in sorted(found):
            node = found[uri]
            assertion = said.get(uri, Assertions())
            kept = Assertions(assertion.graphs, assertion.terms,
                              {entry for entry in assertion.rels
                               if (uri, *entry.split("\t", 2)[:2]) in held})
            quads = set(self.node_quads(uri, node["_labels"], {k: v for k, v in node.items() if not k.startswith("_")},
                                        kept))
            quads.update(self.relationship_quads(uri, kept))
            yield from sorted(quads, key=str)


def _collect(values: list[Any], nodes: dict[str, dict[str, Any]], rels: dict[str, dict[str, Any]]) -> None:
    """Nodes (maps with `_labels`) and relationships (maps with `_type`) among a result's values, by id."""
    for value in values:
        if isinstance(value, list):
            _collect(value, nodes, rels)
        elif isinstance(value, dict) and "_id" in value:
            (nodes if "_labels" in value else rels)[value["_id"]] = value


@dataclass
class Assertions:
    """The union of what the sources asserting one node say of it."""

    graphs: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)
    rels: set[str] = field(default_factory=set)


def _literals(value: Any, term: tuple[str, str | None] | None, precision: str | None) -> list[ox.Literal]:
    if isinstance(value, list):  # a list without per-graph terms (loaded before kgloader recorded them)
        return [default_literal(v) for v in value]
    if term is None:
        return [default_literal(value, precision)]
    kind, lexical = term
    if lexical is None:  # the stored value is the lexical form (for "@en": without its "@en")
        lexical = str(value)[:-len(kind)] if kind.startswith("@") else str(value)
    return [literal_of(kind, lexical)]


def export(store: GraphStore, mapping: Mapping, output: BinaryIO, fmt: ox.RdfFormat,
           result: list[dict[str, Any]] | None = None) -> int:
    """Write the whole graph as RDF, or only the nodes and relationships of a query's `result` rows; the
    number of quads written."""
    exporter = Exporter(store, mapping)
    counted = _Counted(exporter.quads() if result is None else exporter.result_quads(result))
    write_dataset(counted, output, fmt)
    return counted.count


class _Counted:
    def __init__(self, quads: Iterable[ox.Quad]):
        self.quads = quads
        self.count = 0

    def __iter__(self) -> Iterator[ox.Quad]:
        for quad in self.quads:
            self.count += 1
            yield quad
