"""Bulk first load: `kgloader extract --neo4j-admin DIR` writes the graph `load` builds as neo4j-admin CSV files.

The files are checked against Neo4j 5's documented header syntax, their content is imported through the
transactional path (Cypher, on both engines) and compared with a `kgloader load` of the same sources, and
on Neo4j the stock import tool (neo4j-admin, from the same Maven jars as the test server) imports them into
a fresh database that is then compared the same way. After either import, `kgloader load` finds every
source unchanged and goes on incrementally.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SEEDS, Graph, Neo4jEndpoint, kgloader, start_neo4j
from neo4j_server import CLASSPATH, build

from loader.graph import cypher
from loader.graph.store import GraphStore
from loader.load import Loader, LoadOptions, open_store

FOREIGN = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing ; ex:name "A \\"quoted\\", with a comma"@en , "Ah; deux"@fr ;
  ex:code "007"^^xsd:integer ; ex:height "1.65"^^xsd:decimal ; ex:ok true ;
  ex:when "2023-06-21T19:15:00+03:30"^^xsd:dateTime ; ex:day "2023-06-21"^^xsd:date ;
  ex:at "2023-06-21T19:15:00"^^xsd:dateTime ; ex:note "two\\nlines" ; ex:custom "x"^^ex:dt ;
  ex:knows [ a ex:Thing ; ex:name "a blank node" ] .
"""
# Neo4j 5, neo4j-admin database import: "name:type", "name:ID(space)", ":LABEL", ":START_ID(space)", ...
TYPES = r"(?:int|long|float|double|boolean|byte|short|char|string|point|date|localtime|time|localdatetime|datetime" \
        r"|duration)(?:\[\])?"
HEADER_FIELD = re.compile(rf"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)?:(?P<kind>{TYPES}|ID|LABEL|START_ID|END_ID|TYPE)"
                          r"(?:\((?P<space>[A-Za-z_]+)\))?$")
DELIMITER = "\x1f"
PATTERNS = {"long": r"-?\d+", "double": r"-?(\d+(\.\d*)?([eE][-+]?\d+)?|Infinity|NaN)", "boolean": r"true|false",
            "date": r"\d{4}-\d{2}-\d{2}", "localdatetime": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?",
            "datetime": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})"}


def fields(path: Path) -> list[list[tuple[str, bool]]]:
    """A CSV file as neo4j-admin reads it (comma, '"' quotes doubled inside, multi-line fields): each field's
    text and whether it was quoted (an unquoted empty field is no value, a quoted one an empty string)."""
    text = path.read_text(encoding="utf-8")
    rows: list[list[tuple[str, bool]]] = []
    row: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        if text[i] == '"':
            end = i + 1
            while True:
                end = text.index('"', end)
                if text[end + 1:end + 2] == '"':
                    end += 2
                    continue
                break
            row.append((text[i + 1:end].replace('""', '"'), True))
            i = end + 1
        else:
            end = min((j for j in (text.find(",", i), text.find("\n", i)) if j >= 0), default=len(text))
            row.append((text[i:end], False))
            i = end
        if i < len(text) and text[i] == "\n":
            rows.append(row)
            row = []
        i += 1
    return rows


def value(text: str, quoted: bool, kind: str) -> Any:
    """A field as neo4j-admin stores it: None for no property; arrays split on the delimiter."""
    if kind.endswith("[]"):
        return None if text == "" else [value(item, True, kind[:-2]) for item in text.split(DELIMITER)]
    if text == "" and not quoted:
        return None
    if kind in ("long", "double", "boolean") or kind in ("date", "localdatetime", "datetime"):
        assert re.fullmatch(PATTERNS[kind], text), (kind, text)
    return {"long": int, "double": float, "boolean": lambda t: t == "true"}.get(kind, str)(text)


def bulk_files(tmp_path: Path, *sources: Path) -> Path:
    out = tmp_path / "admin"
    run = kgloader("extract", *map(str, sources), "--neo4j-admin", str(out))
    assert run.returncode == 0, run.stderr
    assert "nodes" in run.stderr and "neo4j-admin database import full neo4j" in run.stderr
    return out


@pytest.fixture()
def sources(tmp_path: Path) -> list[Path]:
    foreign = tmp_path / "foreign.ttl"
    foreign.write_text(FOREIGN, encoding="utf-8")
    return [SEEDS, foreign]


def test_files_follow_neo4j_admins_header_syntax(tmp_path: Path, sources: list[Path]) -> None:
    out = bulk_files(tmp_path, *sources)
    script = (out / "import.sh").read_text()
    files = sorted(p.name for p in out.glob("*.csv"))
    assert sorted(re.findall(r"--(?:nodes|relationships)=(\S+\.csv)", script)) == files
    assert "database import full" in script and "--array-delimiter=U+001F" in script
    ids: set[str] = set()
    ends: set[str] = set()
    for name in files:
        header, *rows = fields(out / name)
        parsed = [HEADER_FIELD.match(text) for text, _ in header]
        assert all(parsed), (name, [text for (text, _), m in zip(header, parsed, strict=True) if not m])
        kinds = [m["kind"] for m in parsed if m]
        if name.startswith("nodes-"):
            assert kinds[:2] == ["ID", "LABEL"] and kinds.count("ID") == 1 and parsed[0]["name"] == "uri"
        else:
            assert kinds[:3] == ["START_ID", "END_ID", "TYPE"]
        assert rows, name
        for row in rows:
            assert len(row) == len(header), (name, row)
            for (text, quoted), m in zip(row, parsed, strict=True):
                if m and m["kind"] not in ("ID", "LABEL", "START_ID", "END_ID", "TYPE"):
                    value(text, quoted, m["kind"])
            if name.startswith("nodes-"):
                assert row[0][0] not in ids, f"duplicate :ID {row[0][0]}"
                ids.add(row[0][0])
                assert "Resource" in row[1][0].split(DELIMITER)
            else:
                ends.update((row[0][0], row[1][0]))
    assert ends <= ids  # every relationship's ends are nodes of the files
    assert any(p.startswith("_:") for p in ids)  # the blank node, scoped to its file


def import_transactionally(store: GraphStore, directory: Path) -> None:
    """The files' content written through the transactional path: Cypher CREATE statements, one per row."""
    statements: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(directory.glob("*.csv")):
        header, *rows = fields(path)
        columns = [HEADER_FIELD.match(text) for text, _ in header]
        kinds = {m["name"]: m["kind"] for m in columns if m and m["name"]}
        for row in rows:
            props: dict[str, Any] = {}
            temporal: list[str] = []
            for (text, quoted), m in zip(row, columns, strict=True):
                assert m is not None
                if m["name"] and (v := value(text, quoted, m["kind"])) is not None:
                    props[m["name"]] = v
                    if m["kind"] in ("date", "localdatetime", "datetime"):
                        temporal.append(m["name"])
            sets = ", ".join(f"x.{cypher.q(name)} = {store.dialect.temporal_expression(kinds[name], f'$props.{name}')}"
                             for name in temporal)
            if path.name.startswith("nodes-"):
                labels = "".join(f":{cypher.q(label)}" for label in row[1][0].split(DELIMITER))
                query = f"CREATE (x{labels}) SET x += $props" + (f", {sets}" if sets else "")
                statements.append((query, {"props": props}))
            else:
                query = (f"MATCH (a:Resource {{uri: $start}}), (b:Resource {{uri: $end}}) "
                         f"CREATE (a)-[x:{cypher.q(row[2][0])}]->(b) SET x += $props")
                statements.append((query, {"start": row[0][0], "end": row[1][0], "props": props}))
    store.write(statements)


def snapshot(store: GraphStore) -> tuple[dict[str, Any], set[Any]]:
    """Every node (labels, properties) and relationship (type, ends, properties; the ASSERTS from each source's
    record with what it says of the node, the others with their kgSupport). Lists compare as sets (they have
    set semantics), the load time is left out, and so are lists that neo4j-admin's CSV cannot hold: the empty
    list and the list of one empty string (`""` in an array column is no value, see the README)."""
    def plain(props: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in props.items():
            if k == "kgLoadedAt" or (isinstance(v, list) and v in ([], [""])):
                continue
            out[k] = tuple(sorted(v, key=str)) if isinstance(v, list) else v
        return out

    rows = store.read("MATCH (n) RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS props")
    # a blank node's id is drawn anew by each parse of its file (pyoxigraph): named here by what it holds
    blank = {row["uri"]: "_:" + repr(sorted((k, v) for k, v in plain(row["props"]).items() if k != "uri"))
             for row in rows if row["uri"].startswith("_:")}
    nodes = {blank.get(row["uri"], row["uri"]): (frozenset(row["labels"]), plain(row["props"]) | {"uri": None})
             for row in rows}

    def named(props: dict[str, Any]) -> dict[str, Any]:
        """An ASSERTS's kgRels ("TYPE<TAB>end[<TAB>graph]") with a blank end named as the node is."""
        out = plain(props)
        if cypher.RELS in out:
            out[cypher.RELS] = tuple(sorted("\t".join([t, blank.get(e, e), *g]) for t, e, *g in
                                            (entry.split("\t", 2) for entry in out[cypher.RELS])))
        return out

    rels = {(blank.get(row["s"], row["s"]), row["t"], blank.get(row["e"], row["e"]),
             tuple(sorted(named(row["props"]).items()))) for row in
            store.read("MATCH (a)-[r]->(b) RETURN a.uri AS s, type(r) AS t, b.uri AS e, properties(r) AS props")}
    return nodes, rels


def loaded(store: GraphStore, sources: list[Path]) -> Any:
    return Loader(store, LoadOptions()).load([str(p) for p in sources])


def assert_goes_on_incrementally(store: GraphStore, sources: list[Path], want: Any, tmp_path: Path) -> None:
    report = loaded(store, sources)
    assert (report.new, report.changed, report.unchanged) == ([], [], 6)
    assert snapshot(store) == want
    extra = tmp_path / "extra.ttl"
    extra.write_text("<http://example.org/b> <http://example.org/name> \"B\" .\n", encoding="utf-8")
    report = loaded(store, [*sources, extra])
    assert (report.new, report.unchanged) == (["extra.ttl"], 6)


def test_reimported_through_cypher_is_the_graph_load_builds(graph: Graph, tmp_path: Path,
                                                          sources: list[Path]) -> None:
    out = bulk_files(tmp_path, *sources)
    loaded(graph.store, sources)
    want = snapshot(graph.store)
    assert {"RdfSource", "KgNames", "NewsArticle", "Thing"} <= {label for labels, _ in want[0].values()
                                                                for label in labels}
    # main's provenance: ASSERTS from each record, a count on the other relationships, no `articles` lists
    assert {t for _, t, _, _ in want[1]} >= {"ASSERTS", "MENTIONS"}
    assert all(dict(props).get("kgSupport", 0) >= 1 for _, t, _, props in want[1] if t != "ASSERTS")
    assert {s for s, t, _, _ in want[1] if t == "ASSERTS"} >= {"https://w3id.org/kgloader/id/source/foreign.ttl"}
    assert not any("articles" in props for _, props in want[0].values())
    graph.store.write([(cypher.DELETE_ALL, {})])
    import_transactionally(graph.store, out)
    assert snapshot(graph.store) == want
    assert_goes_on_incrementally(graph.store, sources, want, tmp_path)


def test_neo4j_admin_imports_the_graph_load_builds(neo4j_endpoint: Neo4jEndpoint, tmp_path: Path,
                                                   sources: list[Path]) -> None:
    """The stock import tool (org.neo4j.cli.AdminTool, neo4j-import-tool 5.26 from Maven Central) runs
    import.sh into a fresh Neo4j home; a server started on it holds what `load` builds on the session's."""
    out = bulk_files(tmp_path, *sources)
    with neo4j_endpoint.open() as store:
        store.write([(cypher.DELETE_ALL, {})])
        loaded(store, sources)
        want = snapshot(store)
    build()  # the launcher's classpath: the same jars hold neo4j-admin's import command
    home = tmp_path / "imported"
    (home / "conf").mkdir(parents=True)
    (home / "conf" / "neo4j.conf").write_text("")
    admin = tmp_path / "neo4j-admin"
    admin.write_text(f'#!/bin/sh\nexec java -Xmx512m -cp "{CLASSPATH.read_text().strip()}" '
                     'org.neo4j.cli.AdminTool "$@"\n')
    admin.chmod(0o755)
    env = {**os.environ, "NEO4J_ADMIN": str(admin), "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    run = subprocess.run(["sh", str(out / "import.sh")], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "IMPORT DONE" in run.stdout
    server = start_neo4j(home)
    try:
        with open_store(server.bolt, server.user, server.password) as store:
            assert snapshot(store) == want
            assert_goes_on_incrementally(store, sources, want, tmp_path)
            constraints = store.read("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")[0]["names"]
            assert "kg_resource_uri" in constraints
    finally:
        server.stop()


def test_imported_graph_exports_what_load_exports(graph: Graph, tmp_path: Path, sources: list[Path]) -> None:
    """Export reads the imported ASSERTS as it reads a load's: the same RDF (a missing kgGraphs read as the
    source's own graph: an article's, or an RDF file's default graph, which the files cannot hold as `[""]`)."""
    from rdflib.compare import isomorphic
    from test_export import exported, flat

    out = bulk_files(tmp_path, *sources)
    loaded(graph.store, sources)
    want = exported(graph)
    graph.store.write([(cypher.DELETE_ALL, {})])
    import_transactionally(graph.store, out)
    got = exported(graph)
    assert len(got.splitlines()) == len(want.splitlines())
    assert isomorphic(flat(got, "nquads"), flat(want, "nquads"))
