"""Property test: random RDF datasets within the contract load and come back from the graph.

"Come back" is modulo the documented mapping (schema/mapping.yaml and README): rdf:type → labels,
IRI objects → relationships, literals → typed properties (dates as Date, date-times as
LocalDateTime, gYearMonth as text, language tags as "text@lang", several values as a list).
"""

from __future__ import annotations

import math
from datetime import date, datetime

import pyoxigraph as ox
from conftest import Graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loader.graph import cypher
from loader.graph.mapping import Mapping, load_mapping
from loader.graph.store import GraphWriter

EX = "http://example.org/"
SCHEMA = "http://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBJECTS = [f"{EX}e/{i}" for i in range(6)]
CLASSES = [SCHEMA + "Person", SCHEMA + "Organization", SCHEMA + "Place", EX + "Thing", EX + "vocab#Odd-Class"]
LINKS = [SCHEMA + "attendee", SCHEMA + "mentions", EX + "knows", EX + "vocab#worksFor"]
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


def literal(kind: str, draw) -> ox.Literal:
    if kind == "string":
        return ox.Literal(draw(TEXT))
    if kind == "lang":
        return ox.Literal(draw(TEXT), language=draw(st.sampled_from(["en", "fa", "ar-EG"])))
    if kind == "integer":
        return ox.Literal(str(draw(st.integers(-(2**62), 2**62))), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "double":
        # FalkorDB replies with 15 significant digits: within 1e-15 of the largest double a value reads
        # back as infinity (README, Limits); everywhere else it comes back within the tolerance of same()
        value = draw(st.floats(min_value=-1e308, max_value=1e308, allow_nan=False, allow_infinity=False))
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if kind == "boolean":
        return ox.Literal(draw(st.sampled_from(["true", "false"])), datatype=ox.NamedNode(XSD + "boolean"))
    if kind == "date":
        return ox.Literal(draw(st.dates(date(1900, 1, 1), date(2100, 1, 1))).isoformat(),
                          datatype=ox.NamedNode(XSD + "date"))
    if kind == "datetime":
        moment = draw(st.datetimes(datetime(1950, 1, 1), datetime(2100, 1, 1))).replace(microsecond=0)
        return ox.Literal(moment.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    month = draw(st.dates(date(1900, 1, 1), date(2100, 1, 1)))
    return ox.Literal(f"{month.year:04d}-{month.month:02d}", datatype=ox.NamedNode(XSD + "gYearMonth"))


PROPERTIES = {SCHEMA + "name": "string", SCHEMA + "alternateName": "string", EX + "note": "lang",
              EX + "count": "integer", EX + "score": "double", EX + "flag": "boolean", EX + "when": "date",
              EX + "at": "datetime", EX + "month": "gyearmonth", EX + "vocab/free-text": "string"}


@st.composite
def article_graphs(draw) -> list[ox.Quad]:
    graph = ox.NamedNode(f"{EX}article/a")
    article = ox.NamedNode(f"{EX}article/a")
    quads = [ox.Quad(article, ox.NamedNode(RDF_TYPE), ox.NamedNode(SCHEMA + "NewsArticle"), graph),
             ox.Quad(article, ox.NamedNode(SCHEMA + "identifier"), ox.Literal("a.txt"), graph)]
    for subject in draw(st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=5, unique=True)):
        node = ox.NamedNode(subject)
        for cls in draw(st.lists(st.sampled_from(CLASSES), max_size=2, unique=True)):
            quads.append(ox.Quad(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(cls), graph))
        for predicate in draw(st.lists(st.sampled_from(sorted(PROPERTIES)), max_size=4, unique=True)):
            for _ in range(draw(st.integers(1, 3 if predicate == SCHEMA + "alternateName" else 1))):
                quads.append(ox.Quad(node, ox.NamedNode(predicate), literal(PROPERTIES[predicate], draw), graph))
        for link in draw(st.lists(st.sampled_from(LINKS), max_size=2, unique=True)):
            quads.append(ox.Quad(node, ox.NamedNode(link), ox.NamedNode(draw(st.sampled_from(SUBJECTS))), graph))
    return list({(q.subject, q.predicate, q.object): q for q in quads}.values())


def documented(literal: ox.Literal) -> tuple[object, str | None]:
    """The value the README promises for a literal as read back, and its precision (dates only).
    Written from the documentation, independently of loader.graph.mapping."""
    kind = literal.datatype.value.removeprefix(XSD) if literal.datatype else "string"
    if literal.language:
        return f"{literal.value}@{literal.language}", None
    if kind == "integer":
        return int(literal.value), None
    if kind == "double":
        return float(literal.value), None
    if kind == "boolean":
        return literal.value == "true", None
    precision = {"date": "day", "dateTime": "datetime", "gYearMonth": "month"}.get(kind)
    return literal.value, precision


def expected(quads: list[ox.Quad], mapping: Mapping) -> tuple[dict, set]:
    """What the graph should hold for these quads, by the documented mapping."""
    nodes: dict[str, dict] = {}
    rels: set[tuple[str, str, str]] = set()
    literals: dict[tuple[str, str], list] = {}
    for quad in quads:
        subject = quad.subject.value
        node = nodes.setdefault(subject, {"labels": set(), "props": {}})
        if quad.predicate.value == RDF_TYPE:
            node["labels"].add(mapping.label(quad.object.value))
        elif isinstance(quad.object, ox.NamedNode):
            rels.add((subject, mapping.relationship(quad.predicate.value), quad.object.value))
            nodes.setdefault(quad.object.value, {"labels": set(), "props": {}})
        else:
            literals.setdefault((subject, quad.predicate.value), []).append(documented(quad.object))
    for (subject, predicate), values in literals.items():
        name = mapping.property(predicate)
        plain = [value for value, _ in values]
        if predicate in mapping.multivalued or len(values) > 1:
            if len({type(v) for v in plain}) > 1:  # documented: mixed values become text
                plain = [str(v).lower() if isinstance(v, bool) else str(v) for v in plain]
            nodes[subject]["props"][name] = sorted(set(plain), key=str)
        else:
            nodes[subject]["props"][name] = plain[0]
            if values[0][1]:
                nodes[subject]["props"][f"{name}Precision"] = values[0][1]
    return nodes, rels


def same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, int | float) and isinstance(b, int | float) and math.isclose(a, b, rel_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(sorted(a, key=str), sorted(b, key=str),
                                                                    strict=True))
    return a == b


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quads=article_graphs())
def test_rdf_round_trips_through_the_graph(graph: Graph, quads: list[ox.Quad]) -> None:
    graph.store.write([(cypher.DELETE_ALL, {})])
    mapping = load_mapping()
    writer = GraphWriter(graph.store, mapping, batch_size=7)
    rows = mapping.rows(quads)
    writer.write([rows], [], {rows.identifier: {"stamp": "test", "source": "generated"}})

    want_nodes, want_rels = expected(quads, mapping)
    got = {row["uri"]: row for row in graph.store.read(
        "MATCH (n) WHERE NOT n:KgNames RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS props")}
    assert set(got) == set(want_nodes)
    for uri, want in want_nodes.items():
        labels = set(got[uri]["labels"]) - {"Resource"}
        assert labels == want["labels"], uri
        props = {k: v for k, v in got[uri]["props"].items()
                 if k not in ("uri", "kgLoaded", "kgSource", "kgLoadedAt", "kgTerms")}
        assert set(props) == set(want["props"]), (uri, props, want["props"])
        for name, value in want["props"].items():
            assert same(props[name], value), (uri, name, props[name], value)
    got_rels = {(r["a"], r["t"], r["b"]) for r in graph.store.read(
        "MATCH (a)-[r]->(b) WHERE type(r) <> 'ASSERTS' RETURN a.uri AS a, type(r) AS t, b.uri AS b")}
    assert got_rels == want_rels
