"""Bulk first load: articles and RDF files → CSV files for `neo4j-admin database import full` (Neo4j 5).

The rows are the ones `kgloader load` writes: the same map stage (ArticleRows) and the same row plan
(loader/graph/store.py: node_param, assertion_rows, merged_support, article_marks, source_marks,
names_params), folded here the way the write statements (loader/graph/cypher.py create_nodes, update_nodes,
assert_nodes, create_relationships / merge_relationships, mark_loaded, mark_source, record_names) fold them in
the graph: labels added, single values replaced, lists and terms unioned; one ASSERTS relationship from each
source's record (an article's NewsArticle node, an RDF file's RdfSource node) to each node it asserts, with
its kgGraphs, kgTerms and kgRels; each relationship's kgSupport the number of assertions naming it. So the
imported graph is the one `load` builds, bookkeeping included (load stamps, RdfSource records, KgNames), and
the next `kgloader load` creates the constraints and indexes, finds every source unchanged and goes on
incrementally.

Files (Neo4j 5 header syntax, header on each file's first line): `nodes-NNN.csv` with `uri:ID(Resource)`,
`:LABEL` and typed property columns (`name:string`, `beginIndex:long`, `startDate:date`,
`alternateName:string[]`, ...), one file per label set and column types; `relationships-NNN.csv` with
`:START_ID(Resource)`, `:END_ID(Resource)`, `:TYPE` and the relationship's properties (`kgSupport:long`;
for ASSERTS `kgGraphs:string[]`, `kgRels:string[]`, `kgTerms:string[]`), one per type; and `import.sh`, the
neo4j-admin command line. Unlike `load`, this holds the whole graph in memory (nodes and relationships, not
triples) until it writes the files.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loader import sources
from loader.documents import expand_paths
from loader.errors import UsageError
from loader.graph import cypher
from loader.graph.mapping import ArticleRows, Mapping
from loader.graph.store import (
    article_marks,
    assertion_rows,
    list_union,
    merged_support,
    names_params,
    node_param,
    source_marks,
)
from loader.load import RDF_CHUNK_FACTOR, LoadOptions, MapArticle, article_stamp, rdf_stamp
from loader.pipeline import extract_paths
from loader.rdf import SCHEMA
from loader.resources import default_rules_dir
from loader.rules import cache as rules_cache

log = logging.getLogger("kgloader")
ARRAY_DELIMITER = "\x1f"  # U+001F (unit separator): no text kgloader writes holds it
ID_SPACE = "Resource"
TEMPORAL_TYPES = {function: function for function in ("date", "localdatetime", "datetime")}  # Neo4j's, by name


@dataclass(frozen=True)
class Typed:
    """A value of a neo4j-admin type that Python has no type for (date, localdatetime, datetime), as ISO text."""

    type: str
    text: str


@dataclass
class BulkNode:
    labels: set[str]
    props: dict[str, Any] = field(default_factory=dict)


@dataclass
class BulkReport:
    sources: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    triples: int = 0
    nodes: int = 0
    relationships: int = 0  # the asserted ones, as `load` counts them
    assertions: int = 0  # the records' ASSERTS
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


class GraphImage:
    """The graph `load` builds, in memory, folded from the shared row plan."""

    def __init__(self, mapping: Mapping):
        self.resource = mapping.resource_label
        self.support = mapping.provenance
        self.asserts = mapping.asserts
        self.article_label = mapping.label(SCHEMA + "NewsArticle")
        self.nodes: dict[str, BulkNode] = {}
        # (start, type, end) → kgSupport (cypher.create_relationships / merge_relationships)
        self.rels: dict[tuple[str, str, str], int] = defaultdict(int)
        # the records' ASSERTS (cypher.assert_nodes): always created, one per source (RDF chunk) and node
        self.assertions: list[dict[str, Any]] = []
        self.names: set[tuple[str, str, str]] = set()

    def add(self, rows: ArticleRows) -> None:
        """One source's rows (cypher.create_nodes / update_nodes, assert_nodes, create/merge_relationships)."""
        for row in rows.nodes:
            param = node_param(row)
            node = self.nodes.setdefault(row.uri, BulkNode({self.resource}, {"uri": row.uri}))
            node.labels.update(row.labels)
            node.props.update(param["props"])
            _union(node.props, cypher.TERMS, param["terms"])
            for name, values in param["lists"].items():
                _union(node.props, name, values)
            for name, (function, _) in row.temporal.items():
                text = param["temporal"][name]
                node.props[name] = Typed(TEMPORAL_TYPES[function], text) if function in TEMPORAL_TYPES else text
        self.assertions += assertion_rows([rows])
        for key, n in merged_support([rows]).items():
            self.rels[key] += n
        self.names.update(rows.names)

    def mark_articles(self, batch: list[ArticleRows], stamps: dict[str, dict[str, str]]) -> None:
        """cypher.mark_loaded: each article's stamp, source file and load time."""
        for mark in article_marks(batch, stamps, {}, self.article_label):
            self.nodes[mark["uri"]].props.update(kgLoaded=mark["stamp"], kgSource=mark["source"],
                                                 kgLoadedAt=mark["at"])

    def mark_source(self, identifier: str, mark: dict[str, str | None]) -> None:
        """cypher.mark_source: an RDF file's manifest entry and provenance record (its ASSERTS start there)."""
        for entry in source_marks({identifier: mark}):
            node = self.nodes.setdefault(entry["uri"], BulkNode({self.resource, cypher.SOURCE_LABEL},
                                                                {"uri": entry["uri"]}))
            node.labels.add(cypher.SOURCE_LABEL)
            node.props.update(identifier=entry["identifier"], kgSource=entry["source"], kgLoaded=entry["stamp"])

    def finish(self) -> None:
        """cypher.record_names: the KgNames node, written with the last source."""
        params = names_params(self.names)
        node = self.nodes.setdefault(params["uri"], BulkNode({self.resource, cypher.NAMES_LABEL},
                                                             {"uri": params["uri"]}))
        for name, values in params.items():
            if name != "uri":
                _union(node.props, name, values)

    def relationships(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """Every relationship as (start, type, end, properties): the asserted ones with their support, then
        the records' ASSERTS with what each says of its node."""
        for (rel_type, start, end), n in sorted(self.rels.items()):
            yield start, rel_type, end, {self.support: n}
        for row in self.assertions:
            yield row["record"], self.asserts, row["uri"], row["said"]


def _union(props: dict[str, Any], name: str, values: list[Any]) -> None:
    """cypher._list_union on a property of the image."""
    props[name] = list_union(props.get(name) or [], values)


# -- the files ------------------------------------------------------------------------------------------

def column_type(value: Any) -> str:
    """The neo4j-admin type of a property value (Neo4j 5: long, double, boolean, string, date, ..., and arrays)."""
    if isinstance(value, list):
        return f"{column_type(value[0]) if value else 'string'}[]"
    if isinstance(value, Typed):
        return value.type
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def _scalar(value: Any) -> str:
    if isinstance(value, Typed):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"inf": "Infinity", "-inf": "-Infinity", "nan": "NaN"}.get(repr(value), repr(value))
    return str(value)


def field_text(value: Any, where: str) -> str:
    """One CSV field: nothing for no value, strings and arrays quoted ("" inside), numbers bare."""
    if value is None or value == []:
        return ""  # neo4j-admin stores no property; kgloader reads a missing list as an empty one
    if isinstance(value, list):
        items = [_scalar(v) for v in value]
        if any(ARRAY_DELIMITER in item for item in items):
            raise UsageError(f"{where}: a list value holds U+001F, the array delimiter; cannot write it")
        return _quoted(ARRAY_DELIMITER.join(items))
    if isinstance(value, str):
        return _quoted(value)
    return _scalar(value)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def node_files(nodes: dict[str, BulkNode]) -> list[tuple[list[str], list[BulkNode]]]:
    """Nodes grouped into files: one per label set, split where two nodes give a property two types."""
    by_labels: dict[tuple[str, ...], list[BulkNode]] = defaultdict(list)
    for uri in sorted(nodes):
        by_labels[tuple(sorted(nodes[uri].labels))].append(nodes[uri])
    out: list[tuple[list[str], list[BulkNode]]] = []
    for labels in sorted(by_labels):
        groups: list[tuple[dict[str, str], list[BulkNode]]] = []
        for node in by_labels[labels]:
            types = {name: column_type(value) for name, value in node.props.items() if name != "uri"}
            group = next((g for g in groups if all(g[0].get(k, t) == t for k, t in types.items())), None)
            if group is None:
                group = ({}, [])
                groups.append(group)
            group[0].update(types)
            group[1].append(node)
        for columns, members in groups:
            out.append(([f"uri:ID({ID_SPACE})", ":LABEL", *(f"{name}:{columns[name]}" for name in sorted(columns))],
                        members))
    return out


def write_files(image: GraphImage, directory: Path) -> list[str]:
    """The CSV files and import.sh into `directory` (which must not exist); the file names written."""
    names: list[str] = []
    for number, (header, members) in enumerate(node_files(image.nodes), start=1):
        name = f"nodes-{number:03d}.csv"
        columns = [column.split(":", 1)[0] for column in header[2:]]
        with (directory / name).open("w", encoding="utf-8", newline="") as handle:
            handle.write(",".join(header) + "\n")
            for node in members:
                fields = [_quoted(node.props["uri"]), _quoted(ARRAY_DELIMITER.join(sorted(node.labels)))]
                fields += [field_text(node.props.get(column), f"{node.props['uri']} {column}") for column in columns]
                handle.write(",".join(fields) + "\n")
        names.append(name)
    by_type: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for start, rel_type, end, props in image.relationships():
        by_type[rel_type].append((start, end, props))
    for number, rel_type in enumerate(sorted(by_type), start=1):
        name = f"relationships-{number:03d}.csv"
        types: dict[str, str] = {}
        for _, _, props in by_type[rel_type]:
            for prop, value in props.items():
                if value is not None and value != []:
                    types.setdefault(prop, column_type(value))
                else:
                    types.setdefault(prop, "string[]")
        columns = sorted(types)
        header = [f":START_ID({ID_SPACE})", f":END_ID({ID_SPACE})", ":TYPE", *(f"{p}:{types[p]}" for p in columns)]
        with (directory / name).open("w", encoding="utf-8", newline="") as handle:
            handle.write(",".join(header) + "\n")
            for start, end, props in by_type[rel_type]:
                fields = [_quoted(start), _quoted(end), _quoted(rel_type)]
                fields += [field_text(props.get(p), f"{start} {rel_type} {end}") for p in columns]
                handle.write(",".join(fields) + "\n")
        names.append(name)
    (directory / "import.sh").write_text(import_script(names), encoding="utf-8")
    (directory / "import.sh").chmod(0o755)
    return names


def import_command(files: list[str], database: str = "neo4j") -> list[str]:
    """The neo4j-admin arguments that import `files` (the database comes first: --nodes and --relationships
    take any number of files, and would take a database name after them for one)."""
    return ["database", "import", "full", database, f"--array-delimiter=U+{ord(ARRAY_DELIMITER):04X}",
            "--multiline-fields=true", *(f"--{'nodes' if f.startswith('nodes-') else 'relationships'}={f}"
                                         for f in files)]


def import_script(files: list[str]) -> str:
    args = " ".join(import_command([], '"$database"'))
    files_args = "".join(f" \\\n    {arg}" for arg in import_command(files)[len(import_command([])):])
    return ("#!/bin/sh\n"
            "# Written by `kgloader extract --neo4j-admin`: a first load of a new Neo4j 5 database with neo4j-admin.\n"
            "# Run with the database stopped:  sh import.sh [DATABASE [more neo4j-admin options...]]\n"
            "# NEO4J_ADMIN names the neo4j-admin to run (default: the one on PATH). Then start Neo4j and run\n"
            "# `kgloader load` on the same sources: it creates the constraints and indexes and goes on incrementally.\n"
            "set -e\n"
            'cd "$(dirname "$0")"\n'
            'database="${1:-neo4j}"\n'
            'if [ $# -gt 0 ]; then shift; fi\n'
            f'exec "${{NEO4J_ADMIN:-neo4j-admin}}" {args}{files_args} \\\n    "$@"\n')


# -- the command ----------------------------------------------------------------------------------------

def source_rows(paths: list[str], options: LoadOptions, mapping: Mapping, image: GraphImage,
                report: BulkReport) -> Iterator[ArticleRows]:
    """Every source's rows, as `load` maps them (articles through the rules, RDF files in chunks), each
    source stamped as `load` stamps it."""
    rules_hash = rules_cache.content_hash((options.rules_dir or default_rules_dir()).resolve())
    files = expand_paths(paths)
    seen: dict[str, Path] = {}
    for path in files:
        if path.name in seen:
            report.skipped.append({"path": str(path), "reason": f"same file name as {seen[path.name]}"})
            continue
        seen[path.name] = path
    articles = [p for p in seen.values() if not sources.is_rdf_file(p)]
    stamps = {p.name: {"stamp": article_stamp(p, rules_hash), "source": str(p)} for p in articles}
    for outcome in extract_paths(articles, options.rules_dir, options.jobs, MapArticle(mapping)):
        if not outcome.ok:
            report.skipped.append({"path": str(outcome.path), "reason": outcome.problem or "unreadable"})
            log.warning("skipped %s", outcome.problem)
            continue
        report.sources += 1
        yield outcome.result
        image.mark_articles([outcome.result], stamps)
    for path in (p for p in seen.values() if sources.is_rdf_file(p)):
        yield from _rdf_rows(path, options, mapping, image, report)


def _rdf_rows(path: Path, options: LoadOptions, mapping: Mapping, image: GraphImage,
              report: BulkReport) -> Iterator[ArticleRows]:
    if not sources.readable(path, report.skipped):
        return
    identifier = path.name
    scope = sources.blank_scope(identifier)
    for chunk in sources.chunks(path, options.batch_size * RDF_CHUNK_FACTOR):
        # the file's RdfSource node records what it asserts
        yield mapping.rows(chunk, blank_scope=scope).as_file(identifier, sources.source_uri(identifier))
    report.sources += 1
    image.mark_source(identifier, {"uri": sources.source_uri(identifier), "stamp": rdf_stamp(path),
                                   "source": str(path)})


def write_bulk(paths: list[str], directory: Path, options: LoadOptions, mapping: Mapping) -> BulkReport:
    """Map every source and write the neo4j-admin files into `directory` (new, or empty): all or nothing."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise UsageError(f"{directory}: exists and is not an empty folder; name a new one")
    started = time.perf_counter()
    report = BulkReport()
    image = GraphImage(mapping)
    for rows in source_rows(paths, options, mapping, image, report):
        image.add(rows)
        report.triples += rows.triples
    image.finish()
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        report.files = write_files(image, scratch)
        umask = os.umask(0)
        os.umask(umask)
        scratch.chmod(0o777 & ~umask)
        if directory.exists():
            directory.rmdir()
        scratch.rename(directory)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    report.nodes, report.relationships, report.assertions = len(image.nodes), len(image.rels), len(image.assertions)
    report.seconds = round(time.perf_counter() - started, 3)
    return report
