"""The graph store interface, and the write planner both stores share.

A store knows how to reach its server, run a read, and run a list of statements as one
all-or-nothing unit. What to write (which nodes are new, what to retract, how to batch)
is decided here, once, for both.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from loader.graph import cypher
from loader.graph.mapping import ArticleRows, Mapping, NodeRow
from loader.rdf import ID, SCHEMA

Statement = tuple[str, dict[str, Any]]
INDEXED = [("NewsArticle", "identifier"), ("Person", "name"), ("Organization", "name"), ("Place", "name"),
           ("Meeting", "startDate"), ("Message", "dateSent"), ("Event", "kind")]


class GraphStore(ABC):
    """One graph: Neo4j over Bolt, or the embedded FalkorDB."""

    dialect: cypher.Dialect
    description: str
    # a write unit that fails leaves nothing behind (a transaction rolled back); a store without this
    # ability may have applied part of it, which the writer then withdraws
    rolls_back: bool = False

    @abstractmethod
    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts of plain Python values (temporal values as ISO strings)."""

    def read_table(self, query: str, params: dict[str, Any] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        """The column names (known even when no row comes back) and the rows."""
        rows = self.read(query, params)
        return (list(rows[0]) if rows else []), rows

    @abstractmethod
    def write(self, statements: list[Statement]) -> None:
        """Run all statements as one unit: every one takes effect, or none does."""

    @abstractmethod
    def ensure_schema(self, statements: list[str], resource: str) -> None:
        """Create the uniqueness constraint on `resource`.uri and the indexes, keeping those that exist."""

    def checkpoint(self) -> None:  # noqa: B027 - only stores without durable commits need it
        """Make what was written so far durable."""

    def close(self) -> None:  # noqa: B027 - optional for stores with nothing to release
        """Release connections (and, for an embedded server this process started, stop it)."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


class GraphWriter:
    """Plans and runs the statements that put articles' rows into a store."""

    def __init__(self, store: GraphStore, mapping: Mapping, batch_size: int = 10_000):
        self.store = store
        self.mapping = mapping
        self.batch_size = batch_size
        self.resource = mapping.resource_label
        self.prov = mapping.provenance
        self.article_label = mapping.label(SCHEMA + "NewsArticle")
        self.identifier_property = mapping.property(SCHEMA + "identifier")
        self._names: set[tuple[str, str, str]] | None = None  # the names the graph has recorded (KgNames)

    def ensure_schema(self) -> None:
        self.store.ensure_schema(self.store.dialect.schema_statements(self.resource, INDEXED), self.resource)

    def manifest(self) -> dict[str, dict[str, Any]]:
        """identifier → {uri, stamp, source} of every article in the graph."""
        query = cypher.manifest(self.resource, self.article_label, self.identifier_property, self.prov)
        found = {row["identifier"]: row for row in self.store.read(query) if row["identifier"] is not None}
        # RDF files loaded as sources (loader/sources.py): one RdfSource node each
        found.update({row["identifier"]: row for row in self.store.read(cypher.source_manifest(self.resource))
                      if row["identifier"] is not None})
        return found

    def write(self, batch: list[ArticleRows], replacing: list[str], stamps: dict[str, dict[str, str]],
              sources: dict[str, dict[str, str | None]] | None = None) -> None:
        """Write whole articles in one unit, first withdrawing the earlier versions of `replacing`.
        `sources`: identifier → {uri, stamp, source} of the RDF files among the batch's rows (see mark_source)."""
        statements = self.plan(batch, replacing, stamps, sources)
        try:
            self.store.write(statements)
        except Exception:
            self._withdraw_after_failure([rows.identifier for rows in batch])
            raise
        if self._names is not None:
            self._names.update(name for rows in batch for name in rows.names)

    def recorded_names(self) -> set[tuple[str, str, str]]:
        """(kind, name, IRI) of every label, relationship type and property the graph has recorded."""
        if self._names is None:
            self._names = read_names(self.store)
        return self._names

    def _names_statement(self, batch: list[ArticleRows]) -> list[Statement]:
        new = {name for rows in batch for name in rows.names} - self.recorded_names()
        if not new:
            return []
        return [(cypher.record_names(self.resource), names_params(new))]

    def _withdraw_after_failure(self, identifiers: list[str]) -> None:
        """A store that cannot roll back (FalkorDB) may have applied part of a batch: take it out again,
        so that each article is either fully loaded or absent (and reloaded by the next run)."""
        if self.store.rolls_back:
            return
        with contextlib.suppress(Exception):  # the original error is the one to report
            self.delete(identifiers)

    def delete(self, identifiers: list[str]) -> None:
        self.store.write(self._retraction(identifiers, keep=[]))

    def _retraction(self, identifiers: list[str], keep: list[str]) -> list[Statement]:
        ids = {"ids": identifiers}
        return [(cypher.withdraw_relationships(self.prov), ids),
                (cypher.delete_unsupported_relationships(self.prov), {}),
                (cypher.withdraw_nodes(self.resource, self.prov), ids),
                (cypher.delete_unsupported_nodes(self.resource, self.prov), {"keep": keep})]

    def plan(self, batch: list[ArticleRows], replacing: list[str], stamps: dict[str, dict[str, str]],
             sources: dict[str, dict[str, str | None]] | None = None) -> list[Statement]:
        uris = sorted({node.uri for rows in batch for node in rows.nodes})
        existing = {row["uri"]: set(row["labels"]) for row in
                    self._read_chunked(cypher.existing_nodes(self.resource), uris)}
        statements: list[Statement] = []
        if replacing:
            statements += self._retraction(replacing, keep=sorted(existing))
        statements += self._node_statements(batch, existing)
        statements += self._relationship_statements(batch)
        statements += self._names_statement(batch)
        sources = sources or {}
        marks = article_marks(batch, stamps, sources, self.article_label)
        query = cypher.mark_loaded(self.resource, self.article_label)
        statements += [(query, {"rows": chunk}) for chunk in _chunks(marks, self.batch_size)]
        if sources:
            statements.append((cypher.mark_source(self.resource, self.prov), {"rows": source_marks(sources)}))
        return statements

    def _read_chunked(self, query: str, uris: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for chunk in _chunks(uris, self.batch_size):
            out += self.store.read(query, {"uris": chunk})
        return out

    def _node_statements(self, batch: list[ArticleRows], existing: dict[str, set[str]]) -> list[Statement]:
        creates: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        updates: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
        missing_labels: dict[tuple[str, ...], set[str]] = defaultdict(set)
        created: dict[str, set[str]] = {}
        for rows in batch:
            for node in rows.nodes:
                param = node_param(node, rows.identifier)
                known = existing.get(node.uri, created.get(node.uri))
                if known is None:
                    creates[node.signature()].append(param)
                    created[node.uri] = set(node.labels)
                    continue
                updates[node.signature()].append(param)
                if not set(node.labels) <= known:
                    missing_labels[node.labels].add(node.uri)
                    known.update(node.labels)
        dialect = self.store.dialect
        out: list[Statement] = []
        for (labels, _, temporal), params in creates.items():
            query = cypher.create_nodes(self.resource, labels, temporal, self.prov, dialect)
            out += [(query, {"rows": chunk}) for chunk in _chunks(params, self.batch_size)]
        for labels, node_uris in missing_labels.items():
            query = cypher.add_labels(self.resource, labels)
            out += [(query, {"uris": chunk}) for chunk in _chunks(sorted(node_uris), self.batch_size)]
        for (_, lists, temporal), params in updates.items():
            query = cypher.update_nodes(self.resource, lists, temporal, self.prov, dialect)
            out += [(query, {"rows": chunk}) for chunk in _chunks(params, self.batch_size)]
        return out

    def _relationship_statements(self, batch: list[ArticleRows]) -> list[Statement]:
        by_type = relationship_params(batch)
        out: list[Statement] = []
        for rel_type in sorted(by_type):
            query = cypher.merge_relationships(self.resource, rel_type, self.prov)
            out += [(query, {"rows": chunk}) for chunk in _chunks(by_type[rel_type], self.batch_size)]
        return out


# -- the row plan: the parameters of the write statements, shared with loader/bulk.py --------------------

def relationship_params(batch: list[ArticleRows]) -> dict[str, list[dict[str, Any]]]:
    """Relationship type → one parameter row per relationship (start, end, its sources and graphs as lists).
    One row each: FalkorDB applies a MERGE's SET for repeated rows of one UNWIND as if each were the first,
    so the last source would win."""
    merged: dict[tuple[str, str, str], tuple[set[str], set[str]]] = {}
    for rows in batch:
        for rel in rows.rels:
            articles, graphs = merged.setdefault((rel.type, rel.start, rel.end), (set(), set()))
            articles.add(rows.identifier)
            graphs.add(rel.graph)
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (rel_type, start, end), (articles, graphs) in merged.items():
        by_type[rel_type].append({"start": start, "end": end, "articles": sorted(articles), "graphs": sorted(graphs)})
    return by_type


def article_marks(batch: list[ArticleRows], stamps: dict[str, dict[str, str]],
                  sources: dict[str, dict[str, str | None]], article_label: str) -> list[dict[str, Any]]:
    """The load stamps of the articles in `batch` (cypher.mark_loaded): uri, stamp, source file, time."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    return [{"uri": uri, "stamp": stamps[rows.identifier]["stamp"], "source": stamps[rows.identifier]["source"],
             "at": at} for rows in batch if rows.identifier not in sources
            and (uri := next((node.uri for node in rows.nodes if article_label in node.labels), None))]


def source_marks(sources: dict[str, dict[str, str | None]]) -> list[dict[str, Any]]:
    """The manifest entries of RDF files (cypher.mark_source): identifier, uri, stamp, source file."""
    return [{"identifier": identifier, "article": identifier, **mark} for identifier, mark in sorted(sources.items())]


def node_param(node: NodeRow, article: str) -> dict[str, Any]:
    """A node row as the parameter of cypher.create_nodes / update_nodes."""
    return {"uri": node.uri, "props": node.props, "lists": node.lists,
            "temporal": {k: v[1] for k, v in node.temporal.items()}, "article": article,
            "graphs": list(node.graphs), "terms": list(node.terms)}


NAMES_URI = f"{ID}graph/names"
NAME_KINDS = {"label": "kgLabels", "type": "kgTypes", "property": "kgProperties"}


def names_params(names: set[tuple[str, str, str]]) -> dict[str, Any]:
    """(kind, name, IRI) names as the parameters of cypher.record_names: uri and "name<TAB>IRI" lists."""
    entries = {kind: sorted(f"{name}\t{iri}" for k, name, iri in names if k == kind) for kind in NAME_KINDS}
    return {"uri": NAMES_URI, **{NAME_KINDS[kind]: values for kind, values in entries.items()}}


def read_names(store: GraphStore) -> set[tuple[str, str, str]]:
    """The names recorded in the graph (cypher.record_names), as (kind, name, IRI)."""
    out: set[tuple[str, str, str]] = set()
    for row in store.read(cypher.NAMES):
        for kind, column in (("label", "labels"), ("type", "types"), ("property", "properties")):
            for entry in row[column] or []:
                name, _, iri = entry.partition("\t")
                out.add((kind, name, iri))
    return out
