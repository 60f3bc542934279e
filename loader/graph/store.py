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
from functools import partial
from typing import Any

from loader.graph import cypher
from loader.graph.mapping import ArticleRows, Mapping, NodeRow, node_terms, read_rel_entry, rel_entry
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
        self.support = mapping.provenance
        self.asserts = mapping.asserts
        self.article_label = mapping.label(SCHEMA + "NewsArticle")
        self.identifier_property = mapping.property(SCHEMA + "identifier")
        self._names: set[tuple[str, str, str]] | None = None  # the names the graph has recorded (KgNames)

    def ensure_schema(self) -> None:
        self.store.ensure_schema(self.store.dialect.schema_statements(self.resource, INDEXED), self.resource)

    def manifest(self, identifiers: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """identifier → {uri, stamp, source} of every article in the graph, or of those among `identifiers`
        (what a run needs: its memory then follows the files at hand, not the graph, which only grows)."""
        chosen = identifiers is not None
        queries = (cypher.manifest(self.resource, self.article_label, self.identifier_property, chosen),
                   cypher.source_manifest(self.resource, chosen))  # RDF files loaded as sources: an RdfSource each
        pages: list[dict[str, Any]] = [{}] if identifiers is None else [
            {"ids": chunk} for chunk in _chunks(sorted(set(identifiers)), self.batch_size)]
        return {row["identifier"]: row for query in queries for params in pages
                for row in self.store.read(query, params) if row["identifier"] is not None}

    def write(self, batch: list[ArticleRows], replacing: list[str], stamps: dict[str, dict[str, str]],
              sources: dict[str, dict[str, str | None]] | None = None) -> None:
        """Write whole articles in one unit, first withdrawing the earlier versions of `replacing`.
        `sources`: identifier → {uri, stamp, source} of the RDF files among the batch's rows (see mark_source)."""
        statements = self.plan(batch, replacing, stamps, sources)
        try:
            self.store.write(statements)
        except Exception:
            self._withdraw_after_failure(batch, sources or {})
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

    def _withdraw_after_failure(self, batch: list[ArticleRows], sources: dict[str, dict[str, str | None]]) -> None:
        """A store that cannot roll back (FalkorDB) may have applied part of a batch: take it out again, so that
        each article is either fully loaded or absent (and reloaded by the next run). What was applied may be
        any part of the unit (ASSERTS written, the support they count not yet added), so nothing is decremented:
        the records' ASSERTS go, then each relationship they or the unit name is recounted from the ASSERTS that
        remain, and only then are relationships and nodes left without support deleted."""
        if self.store.rolls_back:
            return
        records = sorted({rows.record for rows in batch if rows.record} | set(source_records(sources)))
        with contextlib.suppress(Exception):  # the original error is the one to report
            touched, support = self._asserted(records)
            relationships = {**support, **merged_support(batch)}  # the keys count: the support is recounted
            ids = {"records": records}
            statements: list[Statement] = [(cypher.withdraw_assertions(self.resource, self.asserts), ids)]
            recount = partial(cypher.recount_relationships, asserts=self.asserts)
            statements += self._by_type(recount, relationships, keyed=True)
            statements += self._by_type(cypher.delete_unsupported_relationships, relationships)
            statements += self._release(touched | {node.uri for rows in batch for node in rows.nodes}, records, [])
            self.store.write(statements)

    def delete(self, identifiers: list[str]) -> None:
        self.store.write(self._retraction(self._records(identifiers), keep=[]))

    def _records(self, identifiers: list[str]) -> list[str]:
        """The record nodes (see ArticleRows.record) of these sources: loaded articles and RDF files."""
        query = cypher.records(self.resource, self.article_label, self.identifier_property)
        return sorted({row["uri"] for row in self.store.read(query, {"ids": identifiers})})

    def _asserted(self, records: list[str]) -> tuple[set[str], dict[tuple[str, str, str], int]]:
        """What `records` assert, read from their ASSERTS: the nodes, and the support each relationship has
        from them."""
        touched: set[str] = set()
        support: dict[tuple[str, str, str], int] = defaultdict(int)
        for chunk in _chunks(records, self.batch_size):
            for row in self.store.read(cypher.assertions_of(self.resource, self.asserts), {"records": chunk}):
                touched.add(row["uri"])
                for entry in row["rels"] or []:
                    rel_type, end, _ = read_rel_entry(entry, "")
                    support[(rel_type, row["uri"], end)] += 1
        return touched, support

    def _retraction(self, records: list[str], keep: list[str]) -> list[Statement]:
        """Withdraw what `records` assert: read their ASSERTS, then decrement and delete by indexed lookup only."""
        if not records:
            return []
        touched, support = self._asserted(records)
        out = self._by_type(cypher.withdraw_relationships, support)
        out += self._by_type(cypher.delete_unsupported_relationships, support)
        ids = {"records": records}
        out.append((cypher.withdraw_assertions(self.resource, self.asserts), ids))
        return out + self._release(touched, records, keep)

    def _release(self, touched: set[str], records: list[str], keep: list[str]) -> list[Statement]:
        """Once the records' ASSERTS are gone: the nodes they touched that nothing asserts any more (but the
        `keep` ones), and the records' marks (load stamps, RDF files' manifest nodes)."""
        ids = {"records": records}
        out = [(cypher.delete_unsupported_nodes(self.resource, self.asserts), {"uris": chunk, "keep": keep})
               for chunk in _chunks(sorted(touched), self.batch_size)]
        out.append((cypher.unmark_records(self.resource), ids))
        out.append((cypher.delete_sources(self.resource), {**ids, "keep": keep}))
        return out

    def _by_type(self, statement: Any, support: dict[tuple[str, str, str], int],
                 keyed: bool = False) -> list[Statement]:
        """One statement per relationship type (types are names in Cypher), rows {start, end, n}; `keyed`: and
        the relationship's kgRels entry in its source's own graph (`key`, and `prefix` of the entries in another,
        for cypher.recount_relationships only)."""
        by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for (rel_type, start, end), n in sorted(support.items()):
            row: dict[str, Any] = {"start": start, "end": end, "n": n}
            if keyed:
                key = rel_entry(rel_type, end, "", "")
                row.update(key=key, prefix=f"{key}\t")
            by_type[rel_type].append(row)
        return [(statement(self.resource, rel_type, self.support), {"rows": chunk})
                for rel_type, rows in sorted(by_type.items()) for chunk in _chunks(rows, self.batch_size)]

    def plan(self, batch: list[ArticleRows], replacing: list[str], stamps: dict[str, dict[str, str]],
             sources: dict[str, dict[str, str | None]] | None = None) -> list[Statement]:
        uris = sorted({node.uri for rows in batch for node in rows.nodes})
        existing = {row["uri"]: set(row["labels"]) for row in
                    self._read_chunked(cypher.existing_nodes(self.resource), uris)}
        sources = sources or {}
        statements: list[Statement] = []
        if replacing:
            statements += self._retraction(self._records(replacing), keep=sorted(existing) + source_records(sources))
        if sources:  # the RDF files' records exist before their ASSERTS
            statements.append((cypher.mark_source(self.resource), {"rows": source_marks(sources)}))
        statements += self._node_statements(batch, existing)
        query = cypher.assert_nodes(self.resource, self.asserts)
        statements += [(query, {"rows": chunk}) for chunk in by_record(assertion_rows(batch), self.batch_size)]
        statements += self._relationship_statements(batch, existing)
        statements += self._names_statement(batch)
        marks = article_marks(batch, stamps, sources, self.article_label)
        query = cypher.mark_loaded(self.resource, self.article_label)
        statements += [(query, {"rows": chunk}) for chunk in _chunks(marks, self.batch_size)]
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
        for node in merged_nodes(batch):  # one row per node: a place named by 60 articles is written once
            param = node_param(node)
            signature = (*node.signature(), bool(param["terms"]))
            known = existing.get(node.uri)
            if known is None:
                creates[signature].append(param)
                continue
            if not set(node.labels) <= known:
                missing_labels[node.labels].add(node.uri)
            if node.props or node.lists or node.temporal or param["terms"]:  # else nothing to write
                updates[signature].append(param)
        dialect = self.store.dialect
        out: list[Statement] = []
        for (labels, _, temporal, terms), params in creates.items():
            query = cypher.create_nodes(self.resource, labels, temporal, dialect, terms)
            out += [(query, {"rows": chunk}) for chunk in _chunks(params, self.batch_size)]
        for labels, node_uris in missing_labels.items():
            query = cypher.add_labels(self.resource, labels)
            out += [(query, {"uris": chunk}) for chunk in _chunks(sorted(node_uris), self.batch_size)]
        for (_, lists, temporal, terms), params in updates.items():
            query = cypher.update_nodes(self.resource, lists, temporal, dialect, terms)
            out += [(query, {"rows": chunk}) for chunk in _chunks(params, self.batch_size)]
        return out

    def _relationship_statements(self, batch: list[ArticleRows], existing: dict[str, set[str]]) -> list[Statement]:
        """A relationship with an endpoint this unit creates cannot exist yet: CREATE; the others MERGE. One row
        per relationship (FalkorDB applies a MERGE's SET for repeated rows of one UNWIND as if each were the
        first), its support the sum of what each article gives it."""
        support = merged_support(batch)
        new = {key: n for key, n in support.items() if key[1] not in existing or key[2] not in existing}
        known = {key: n for key, n in support.items() if key not in new}
        return self._by_type(cypher.create_relationships, new) + self._by_type(cypher.merge_relationships, known)


# -- the row plan: the parameters of the write statements, shared with loader/bulk.py --------------------

def list_union(earlier: list[Any], values: list[Any]) -> list[Any]:
    """cypher._list_union in Python: the earlier values not given again, then the given ones."""
    return [x for x in earlier if x not in values] + list(values)


def merged_nodes(batch: list[ArticleRows]) -> list[NodeRow]:
    """Each node the batch writes, once, in first-seen order, with what its rows say folded as the node
    statements would apply them one after the other: labels gathered, literal values the last given, lists
    and single-value terms by list_union, a property given in another form (a single value after a list, a
    month after a date) in the last form given. So a write unit has one row per node, however many of its
    sources name it. (What each source says of the node, per graph, stays in its own ASSERTS: assertion_rows.)"""
    out: dict[str, NodeRow] = {}
    for rows in batch:
        for node in rows.nodes:
            seen = out.get(node.uri)
            if seen is None:
                out[node.uri] = node
                continue
            # a property this row gives in one form (a value, a list, a date) is no longer in another form
            lists = {k: v for k, v in seen.lists.items() if k not in node.props and k not in node.temporal}
            for name, values in node.lists.items():
                lists[name] = list_union(lists.get(name, []), values)
            props = {k: v for k, v in seen.props.items() if k not in node.lists and k not in node.temporal}
            temporal = {k: v for k, v in seen.temporal.items() if k not in node.props and k not in node.lists}
            out[node.uri] = NodeRow(
                node.uri, tuple(sorted({*seen.labels, *node.labels})), {**props, **node.props}, lists,
                {**temporal, **node.temporal}, terms=tuple(list_union(node_terms(seen), node_terms(node))))
    return list(out.values())


def node_param(node: NodeRow) -> dict[str, Any]:
    """A node row as the parameter of cypher.create_nodes / update_nodes (its own terms: single values')."""
    return {"uri": node.uri, "props": node.props, "lists": node.lists,
            "temporal": {k: v[1] for k, v in node.temporal.items()}, "terms": node_terms(node)}


def assertion_rows(batch: list[ArticleRows]) -> list[dict[str, Any]]:
    """The parameter rows of cypher.assert_nodes: one ASSERTS relationship from each source's record to each
    node it asserts, with what it says of the node (ArticleRows.assertions). Rows without a record (an article
    without a NewsArticle node) assert nothing."""
    return [row for rows in batch for row in rows.assertions() if row["record"]]


def by_record(assertions: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """assertion_rows as the rows of cypher.assert_nodes, {record, nodes: [{uri, said}]}, in chunks of about
    `size` assertions."""
    chunk: list[dict[str, Any]] = []
    count = 0
    for row in assertions:
        if count == size:
            yield chunk
            chunk, count = [], 0
        if not chunk or chunk[-1]["record"] != row["record"]:
            chunk.append({"record": row["record"], "nodes": []})
        chunk[-1]["nodes"].append({"uri": row["uri"], "said": row["said"]})
        count += 1
    if chunk:
        yield chunk


def merged_support(batch: list[ArticleRows]) -> dict[tuple[str, str, str], int]:
    """(type, start, end) → the support (`kgSupport`) the batch's sources give a relationship: one row each."""
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    for rows in batch:
        for key, n in rows.rel_support().items():
            out[key] += n
    return dict(out)


def article_marks(batch: list[ArticleRows], stamps: dict[str, dict[str, str]],
                  sources: dict[str, dict[str, str | None]], article_label: str) -> list[dict[str, Any]]:
    """The load stamps of the articles in `batch` (cypher.mark_loaded): uri, stamp, source file, time."""
    at = datetime.now(UTC).isoformat(timespec="seconds")
    return [{"uri": uri, "stamp": stamps[rows.identifier]["stamp"], "source": stamps[rows.identifier]["source"],
             "at": at} for rows in batch if rows.identifier not in sources
            and (uri := next((node.uri for node in rows.nodes if article_label in node.labels), None))]


def source_records(sources: dict[str, dict[str, str | None]]) -> list[str]:
    """The record node IRIs of the RDF files among a unit's sources (their RdfSource nodes)."""
    return sorted(str(mark["uri"]) for mark in sources.values() if mark.get("uri"))


def source_marks(sources: dict[str, dict[str, str | None]]) -> list[dict[str, Any]]:
    """The manifest entries and provenance records of RDF files (cypher.mark_source): identifier, uri, stamp,
    source file."""
    return [{"identifier": identifier, **mark} for identifier, mark in sorted(sources.items())]


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
