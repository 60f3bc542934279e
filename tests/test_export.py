"""Export: RDF loaded, then exported, is the same RDF (isomorphic, named graphs included), against the real
graph (embedded FalkorDB, or Neo4j with NEO4J_URI)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib
from conftest import SEEDS, Graph, kgloader
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

from loader.export import Exporter
from loader.graph import cypher
from loader.graph.mapping import load_mapping
from loader.load import Loader, LoadOptions

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@pytest.fixture(autouse=True)
def exact_literals(monkeypatch: pytest.MonkeyPatch) -> None:
    """rdflib normalises lexical forms when it parses ("01"^^xsd:integer → "1"); the check must not."""
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    monkeypatch.setattr(rdflib.term, "_NORMALIZE_LITERALS", False, raising=False)


def flat(data: bytes, fmt: str) -> rdflib.Graph:
    """A dataset as one graph for rdflib's isomorphism test: a named graph's statement (s, p, o, g) becomes
    (s, <urn:in-graph:g:p>, o), which keeps blank nodes blank and graphs apart."""
    # parsed by pyoxigraph and handed over as N-Quads: rdflib's Turtle and TriG parsers rewrite numbers
    # written bare (`007` becomes "7"), which would hide or invent a difference
    formats = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "turtle": ox.RdfFormat.TURTLE,
               "json-ld": ox.RdfFormat.JSON_LD}
    nquads = io.BytesIO()
    ox.serialize(ox.parse(data, format=formats[fmt]), nquads, format=ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads.getvalue(), format="nquads")
    out = rdflib.Graph()
    for s, p, o, name in dataset.quads():
        if name is None or name == rdflib.graph.DATASET_DEFAULT_GRAPH_ID:
            out.add((s, p, o))
        else:
            out.add((s, rdflib.URIRef(f"urn:in-graph:{quote(str(name), safe='')}:{p}"), o))
    return out


def exported(graph: Graph, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> bytes:
    out = io.BytesIO()
    ox.serialize(Exporter(graph.store, load_mapping()).quads(), out, format=fmt)
    return out.getvalue()


def load(graph: Graph, *paths: Path) -> object:
    return Loader(graph.store, LoadOptions()).load([str(p) for p in paths])




def test_extract_output_loaded_then_exported_is_isomorphic(graph: Graph, seeds_nq: Path, tmp_path: Path) -> None:
    load(graph, seeds_nq)
    want = flat(seeds_nq.read_bytes(), "nquads")
    for fmt, suffix, parse_as in (("trig", ".trig", "trig"), ("nq", ".nq", "nquads"), ("jsonld", ".jsonld", "json-ld")):
        out = tmp_path / f"back{suffix}"
        run = kgloader("export", *graph.cli, "--format", fmt, "-o", str(out), env=graph.env)
        assert run.returncode == 0, run.stderr
        assert f"exported {len(want)} quads" in run.stderr
        assert isomorphic(flat(out.read_bytes(), parse_as), want), fmt
    stdout = kgloader("export", *graph.cli, env=graph.env)
    assert isomorphic(flat(stdout.stdout.encode(), "nquads"), want)


def test_articles_loaded_then_exported_are_their_rdf(graph: Graph, seeds_nq: Path, tmp_path: Path) -> None:
    """The graph built from the articles themselves gives back the articles' named graphs."""
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    load(graph, folder)
    extracted = ox.Dataset(ox.parse(path=str(seeds_nq)))
    articles_only = io.BytesIO()
    ox.serialize([q for q in extracted if not isinstance(q.graph_name, ox.DefaultGraph)], articles_only,
                 format=ox.RdfFormat.N_QUADS)
    assert isomorphic(flat(exported(graph), "nquads"), flat(articles_only.getvalue(), "nquads"))


FOREIGN = """@prefix ex: <http://example.org/vocab#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<http://example.org/people/ada> a foaf:Person, ex:Mathematician ;
    foaf:name "Ada Lovelace" ;
    ex:label "Ada"@en, "Ada"@fr, "アダ"@ja ;
    ex:born "1815-12-10"^^xsd:date ;
    ex:bornAt "1815-12-10T09:30:00+01:00"^^xsd:dateTime ;
    ex:died "1852-11-27T21:00:00"^^xsd:dateTime ;
    ex:height 1.65 ;
    ex:mass "5.8e1"^^xsd:double ;
    ex:children 3 ;
    ex:code "007"^^xsd:integer ;
    ex:active true ;
    ex:active2 "1"^^xsd:boolean ;
    ex:homepage "http://example.org/ada"^^xsd:anyURI ;
    ex:floruit "1843"^^xsd:gYear ;
    ex:since "1833-06"^^xsd:gYearMonth ;
    ex:note "looks like a tag@en" ;
    ex:custom "x-42"^^<http://example.org/types#code> ;
    ex:wrote [ a ex:Note ; ex:title "Note G"@en ; ex:about <http://example.org/engine> ] ;
    foaf:knows _:charles .
_:charles foaf:name "Charles Babbage" ; ex:label "Charles"@en ; foaf:knows <http://example.org/people/ada> .
<http://example.org/engine> a ex:Machine ; ex:name "Analytical Engine" .
"""


def test_a_foreign_dataset_loads_reloads_as_a_no_op_and_comes_back(graph: Graph, tmp_path: Path) -> None:
    data = tmp_path / "foreign.ttl"
    data.write_text(FOREIGN.replace("ex:name", "ex:title"), encoding="utf-8")
    first = load(graph, data)
    assert first.new == ["foreign.ttl"] and not first.skipped  # type: ignore[attr-defined]
    before = graph.totals()
    again = load(graph, data)
    assert again.unchanged == 1 and graph.totals() == before  # type: ignore[attr-defined]
    # readable names for a vocabulary the mapping does not know; the values typed as documented
    ada = graph.store.read("MATCH (p:Person:Mathematician {uri: 'http://example.org/people/ada'}) "
                           "RETURN p.children AS children, p.label AS label, p.born = date('1815-12-10') AS typed")
    assert ada == [{"children": 3, "label": ["Ada@en", "Ada@fr", "アダ@ja"], "typed": True}]
    want = flat(data.read_bytes(), "turtle")
    assert isomorphic(flat(exported(graph), "nquads"), want)
    assert isomorphic(flat(exported(graph, ox.RdfFormat.TRIG), "trig"), want)


def test_two_vocabularies_one_local_name(graph: Graph, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """foaf:name and ex:name are both `name` in readable naming (export warns); n10s SHORTEN naming keeps them
    apart, with a prefix of their own for namespaces the mapping does not name, and exports exactly."""
    data = tmp_path / "foreign.ttl"
    data.write_text(FOREIGN, encoding="utf-8")
    load(graph, data)
    exported(graph)
    assert "property name stands for two IRIs" in caplog.text
    graph.store.write([(cypher.DELETE_ALL, {})])
    Loader(graph.store, LoadOptions(naming="shorten")).load([str(data)])
    names = {k for row in graph.store.read("MATCH (n) RETURN keys(n) AS k") for k in row["k"]}
    assert {"sch__name", "ns2a2b95__name"} <= names or len({n for n in names if n.endswith("__name")}) == 2
    out = io.BytesIO()
    ox.serialize(Exporter(graph.store, load_mapping(naming="shorten")).quads(), out, format=ox.RdfFormat.N_QUADS)
    assert isomorphic(flat(out.getvalue(), "nquads"), flat(data.read_bytes(), "turtle"))


# -- generated datasets --------------------------------------------------------------------------------------
GRAPHS = ["", f"{EX}g/1", f"{EX}g/2", f"{EX}g/3"]
CLASSES = [f"{EX}C{i}" for i in range(3)] + ["http://schema.org/Person", "http://xmlns.com/foaf/0.1/Agent"]
LINKS = [f"{EX}knows", f"{EX}vocab#part-of", "http://schema.org/attendee"]
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)


@st.composite
def literals(draw) -> ox.Literal:
    kind = draw(st.sampled_from(["string", "lang", "integer", "padded", "double", "decimal", "boolean", "date",
                                 "datetime", "zoned", "gyear", "custom"]))
    if kind == "string":
        return ox.Literal(draw(TEXT))
    if kind == "lang":
        return ox.Literal(draw(TEXT), language=draw(st.sampled_from(["en", "fa", "ar-eg"])))
    if kind in ("integer", "padded"):
        value = draw(st.integers(-(2**62), 2**62))
        text = f"{value:05d}" if kind == "padded" else str(value)
        return ox.Literal(text, datatype=ox.NamedNode(XSD + "integer"))
    if kind == "double":
        value = draw(st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False))
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if kind == "decimal":
        return ox.Literal(f"{draw(st.integers(0, 10**6))}.{draw(st.integers(0, 99)):02d}",
                          datatype=ox.NamedNode(XSD + "decimal"))
    if kind == "boolean":
        return ox.Literal(draw(st.sampled_from(["true", "false", "1", "0"])), datatype=ox.NamedNode(XSD + "boolean"))
    if kind == "date":
        return ox.Literal(f"{draw(st.integers(1000, 2999))}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}",
                          datatype=ox.NamedNode(XSD + "date"))
    if kind in ("datetime", "zoned"):
        zone = draw(st.sampled_from(["Z", "+03:30", "-05:00"])) if kind == "zoned" else ""
        seconds = draw(st.sampled_from([":00", ":59", ":07.5", ""]))
        return ox.Literal(f"2023-06-2{draw(st.integers(0, 9))}T1{draw(st.integers(0, 9))}:15{seconds}{zone}",
                          datatype=ox.NamedNode(XSD + "dateTime"))
    if kind == "gyear":
        return ox.Literal(str(draw(st.integers(1000, 2999))), datatype=ox.NamedNode(XSD + "gYear"))
    return ox.Literal(draw(TEXT), datatype=ox.NamedNode(f"{EX}types#t{draw(st.integers(0, 2))}"))


def graph_term(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.NamedNode(name) if name else ox.DefaultGraph()


@st.composite
def datasets(draw) -> list[ox.Quad]:
    """Any dataset within what the README promises to give back exactly: a subject's types and single-valued
    literals are the same in every graph that describes it (values of a property with several values, and
    relationships, are per graph)."""
    subjects: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(f"{EX}s/{i}") for i in range(4)]
    subjects += [ox.BlankNode(f"b{i}") for i in range(2)]
    quads: list[ox.Quad] = []
    for subject in draw(st.lists(st.sampled_from(subjects), min_size=1, max_size=5, unique=True)):
        graphs = draw(st.lists(st.sampled_from(GRAPHS), min_size=1, max_size=3, unique=True))
        described: list[tuple[ox.NamedNode, ox.Literal | ox.NamedNode, str]] = []
        for cls in draw(st.lists(st.sampled_from(CLASSES), max_size=2, unique=True)):
            described += [(ox.NamedNode(RDF_TYPE), ox.NamedNode(cls), g) for g in graphs]
        for index in draw(st.lists(st.integers(0, 4), max_size=3, unique=True)):
            predicate = ox.NamedNode(f"{EX}p{index}" if index else "http://schema.org/name")
            values = draw(st.lists(literals(), min_size=1, max_size=3, unique_by=str))
            if len(values) == 1:
                described += [(predicate, values[0], g) for g in graphs]
            else:
                described += [(predicate, value, g) for value in values
                              for g in draw(st.lists(st.sampled_from(graphs), min_size=1, unique=True))]
        for link in draw(st.lists(st.sampled_from(LINKS), max_size=2, unique=True)):
            target = draw(st.sampled_from(subjects))
            for g in draw(st.lists(st.sampled_from(GRAPHS), min_size=1, max_size=2, unique=True)):
                quads.append(ox.Quad(subject, ox.NamedNode(link), target, graph_term(g)))
        quads += [ox.Quad(subject, p, o, graph_term(g)) for p, o, g in described]
    return quads


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quads=datasets())
def test_generated_datasets_come_back_isomorphic(graph: Graph, tmp_path: Path, quads: list[ox.Quad]) -> None:
    graph.store.write([(cypher.DELETE_ALL, {})])
    data = tmp_path / "generated.nq"
    with data.open("wb") as handle:
        ox.serialize(quads, handle, format=ox.RdfFormat.N_QUADS)
    report = Loader(graph.store, LoadOptions(force=True)).load([str(data)])
    assert not report.skipped and not report.failed, report
    assert isomorphic(flat(exported(graph), "nquads"), flat(data.read_bytes(), "nquads"))


def test_a_query_result_exports_as_rdf(graph: Graph, seeds_nq: Path, tmp_path: Path) -> None:
    """`export --query NAME`: what the query's view finds, as the RDF those nodes and relationships came from."""
    load(graph, seeds_nq)
    everything = set(ox.parse(exported(graph), format=ox.RdfFormat.N_QUADS))
    out = tmp_path / "met.nq"
    run = kgloader("export", *graph.cli, "--query", "who-met-whom", "--param", "person=haniyeh", "-o", str(out),
                   env=graph.env)
    assert run.returncode == 0, run.stderr
    found = set(ox.parse(out.read_bytes(), format=ox.RdfFormat.N_QUADS))
    assert found and found <= everything  # original IRIs, literals and graphs
    predicates = {q.predicate.value for q in found}
    assert {RDF_TYPE, "http://schema.org/attendee", "http://schema.org/name"} <= predicates
    assert "https://w3id.org/kgloader/ns#evidence" not in predicates  # only what the view drew
    meetings = {q.subject for q in found if q.predicate.value == "http://schema.org/attendee"}
    haniyeh = ox.NamedNode("https://w3id.org/kgloader/id/person/ismail-haniyeh")
    assert meetings and all(any(q.subject == m and q.object == haniyeh for q in found) for m in meetings)
    bad = kgloader("export", *graph.cli, "--param", "person=x", env=graph.env)
    assert bad.returncode == 2 and "--param goes with --query" in bad.stderr


N10S = {
    # n10s keepLangTag false: the text without its tag (export still gives the tag back, from kgTerms)
    "keep_lang_tag: false": ("MATCH (n {uri: 'http://example.org/people/ada'}) RETURN n.label AS v",
                             [{"v": ["Ada", "アダ"]}]),
    # n10s handleMultival ARRAY, with no multivalPropList: every property a list
    "handle_multival: ARRAY\nmultivalued: []": (
        "MATCH (n {uri: 'http://example.org/people/ada'}) RETURN n.children AS v", [{"v": [3]}]),
    # n10s handleMultival OVERWRITE: one value, the last given
    "handle_multival: OVERWRITE": ("MATCH (n {uri: 'http://example.org/people/ada'}) RETURN n.label AS v",
                                   [{"v": "アダ@ja"}]),
    # n10s handleRDFTypes NODES: rdf:type as a relationship to the class's node, no label
    "handle_rdf_types: NODES": ("MATCH (n {uri: 'http://example.org/engine'})-[:TYPE]->(c) "
                                "RETURN labels(n) AS labels, c.uri AS v", [{"labels": ["Resource"],
                                                                           "v": "http://example.org/vocab#Machine"}]),
    "handle_rdf_types: LABELS_AND_NODES": ("MATCH (n:Machine {uri: 'http://example.org/engine'})-[:TYPE]->(c) "
                                           "RETURN c.uri AS v", [{"v": "http://example.org/vocab#Machine"}]),
    # n10s handleVocabUris IGNORE: local names as they are
    "naming: ignore": ("MATCH (n:Person)-[:knows]->(m) WHERE n.name = 'Ada Lovelace' RETURN m.name AS v",
                       [{"v": "Charles Babbage"}]),
}


def test_n10s_options(graph: Graph, tmp_path: Path) -> None:
    """Each n10s graph-config option the mapping takes does what n10s documents; where nothing is lost (all
    but OVERWRITE) the export still gives back exactly what was loaded."""
    from loader.resources import schema_file

    data = tmp_path / "foreign.ttl"
    data.write_text(FOREIGN.replace("ex:name", "ex:title"), encoding="utf-8")
    want = flat(data.read_bytes(), "turtle")
    for option, (query, expected) in N10S.items():
        graph.store.write([(cypher.DELETE_ALL, {})])
        mapping_file = tmp_path / "mapping.yaml"
        text = schema_file("mapping.yaml").read_text(encoding="utf-8")
        if option.startswith("naming:"):
            text = text.replace("naming: readable", option)
        else:
            text = text.replace("multivalued: [sch:alternateName, rdfs:label]\n", "") + f"\n{option}\n"
        mapping_file.write_text(text, encoding="utf-8")
        mapping = load_mapping(mapping_file)
        report = Loader(graph.store, LoadOptions(mapping_file=mapping_file), mapping).load([str(data)])
        assert report.new == ["foreign.ttl"], option
        rows = graph.store.read(query)
        assert [{k: sorted(v) if isinstance(v, list) and k == "labels" else v for k, v in r.items()} for r in rows] \
            == expected, option
        if "OVERWRITE" not in option:
            out = io.BytesIO()
            ox.serialize(Exporter(graph.store, mapping).quads(), out, format=ox.RdfFormat.N_QUADS)
            assert isomorphic(flat(out.getvalue(), "nquads"), want), option
