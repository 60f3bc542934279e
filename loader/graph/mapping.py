"""Map stage: one article's quads → node and relationship rows, named by schema/mapping.yaml.

Rows are plain data (no driver, no Cypher). Literal types survive: xsd:date and
xsd:dateTime become temporal values, gYearMonth stays a string with its precision,
numbers stay numbers, language tags are kept n10s-style ("text@en").

So that the graph can be written back as the RDF it was loaded from (`kgloader export`), rows
also carry a little bookkeeping: the named graphs that describe a node (`kgGraphs`) or assert a
relationship, the exact RDF term of each literal the property value alone cannot give back
(`kgTerms`, see `term_entry`), and the IRI behind every label, type and property name (`names`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from loader.errors import RuleError, RuleProblem
from loader.graph.mapping_spec import MappingFile, read_mapping_file
from loader.rdf import KG, SCHEMA, XSD_STRING, Lit, PlainQuad
from loader.resources import schema_file
from loader.rules.compiled import CompiledRules, KindSpec
from loader.rules.ruleset import RuleSet
from loader.rules.yamlfile import line_of

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                   "positiveInteger", "unsignedInt", "unsignedLong", "negativeInteger",
                                   "nonPositiveInteger", "unsignedShort", "unsignedByte")}
FLOAT_TYPES = {XSD + t for t in ("decimal", "double", "float")}
NEWS_ARTICLE = SCHEMA + "NewsArticle"
IDENTIFIER_IRI = SCHEMA + "identifier"
PARTIAL_DATES = {XSD + "gYearMonth": "month", XSD + "gYear": "year"}


@dataclass(frozen=True)
class NodeRow:
    uri: str
    labels: tuple[str, ...]
    props: dict[str, Any]
    lists: dict[str, list[Any]]
    temporal: dict[str, tuple[str, str]]
    graphs: tuple[str, ...] = ()  # the named graphs ("" the default graph) with its types and literals
    terms: tuple[str, ...] = ()  # RDF terms the values alone do not give back (see term_entry)

    def __reduce__(self) -> tuple[Any, ...]:  # what a worker sends: the fields alone (and compiled, frozen works)
        return NodeRow, (self.uri, self.labels, self.props, self.lists, self.temporal, self.graphs, self.terms)

    def signature(self) -> tuple[Any, ...]:
        """Rows with one signature share one Cypher statement."""
        return (self.labels, tuple(sorted(self.lists)), tuple(sorted((k, v[0]) for k, v in self.temporal.items())))


@dataclass(frozen=True)
class RelRow:
    start: str
    type: str
    end: str
    graph: str = ""  # the named graph asserting it ("" the default graph)

    def __reduce__(self) -> tuple[Any, ...]:
        return RelRow, (self.start, self.type, self.end, self.graph)


@dataclass
class ArticleRows:
    """Everything one article (or one chunk of an RDF file) contributes to the property graph.

    `record` is the node that records what the source asserts (its provenance): the article's own
    NewsArticle node, or an RDF file's RdfSource node. See `assertions`. `own_graph` is the graph the source's
    statements are in unless it says otherwise: an article's named graph (its IRI), an RDF file's default
    graph ("")."""

    identifier: str
    content_hash: str | None
    nodes: list[NodeRow] = field(default_factory=list)
    rels: list[RelRow] = field(default_factory=list)
    triples: int = 0
    # (kind, name, IRI) of every label ("label"), relationship type ("type") and property ("property") used
    names: set[tuple[str, str, str]] = field(default_factory=set)
    record: str = ""
    own_graph: str = ""

    def __reduce__(self) -> tuple[Any, ...]:
        return ArticleRows, (self.identifier, self.content_hash, self.nodes, self.rels, self.triples, self.names,
                             self.record, self.own_graph)

    def as_file(self, identifier: str, record: str) -> ArticleRows:
        """These rows as (a chunk of) an RDF file's: its identifier, its RdfSource record, the default graph its
        own (a NewsArticle in the file does not make the file an article)."""
        self.identifier, self.record, self.own_graph = identifier, record, ""
        return self

    def assertions(self) -> list[dict[str, Any]]:
        """One row per node this source asserts, for its record's ASSERTS relationship to that node: `record`,
        `uri` and `said`, the ASSERTS's properties: the named graphs in which the source describes the node
        (GRAPHS, left out when they are the source's own graph alone), the per-graph terms of its list values
        (TERMS) and the relationships it asserts out of the node (RELS, see rel_entry); empty lists are left
        out. All of it is bounded by the source: nothing on a shared node grows with the number of sources."""
        own = self.own_graph
        rels: dict[str, set[str]] = {}
        for rel in self.rels:
            entries = rels.get(rel.start)
            if entries is None:
                entries = rels[rel.start] = set()
            entries.add(rel_entry(rel.type, rel.end, rel.graph, own))
        out: list[dict[str, Any]] = []
        for node in self.nodes:
            said: dict[str, Any] = {}
            if len(node.graphs) != 1 or node.graphs[0] != own:
                said[GRAPHS] = list(node.graphs)
            terms = [t for t in node.terms if not _single_term(t)]
            if terms:
                said[TERMS] = terms
            entries = rels.get(node.uri)
            if entries:
                said[RELS] = sorted(entries)
            out.append({"record": self.record, "uri": node.uri, "said": said})
        return out

    def rel_support(self) -> dict[tuple[str, str, str], int]:
        """(type, start, end) → how many entries of `assertions` name it: the support it gains from this source."""
        out: dict[tuple[str, str, str], int] = {}
        for rel_type, start, end, _ in {(r.type, r.start, r.end, r.graph) for r in self.rels}:
            out[(rel_type, start, end)] = out.get((rel_type, start, end), 0) + 1
        return out


# The bookkeeping properties (see the module's docstring): on an ASSERTS, the graphs in which its source
# describes the node and the relationships it asserts out of it; on nodes and ASSERTS, exact terms.
GRAPHS = "kgGraphs"
TERMS = "kgTerms"
RELS = "kgRels"


def rel_entry(rel_type: str, end: str, graph: str, own_graph: str) -> str:
    """A RELS entry: "TYPE<TAB>end<TAB>graph", or "TYPE<TAB>end" for a relationship in its source's own graph
    (an article's relationships are all in its graph, and its IRI is long: most entries are this one)."""
    return f"{rel_type}\t{end}" if graph == own_graph else f"{rel_type}\t{end}\t{graph}"


def read_rel_entry(entry: str, own_graph: str) -> tuple[str, str, str]:
    """A RELS entry's type, end and graph."""
    parts = entry.split("\t", 2)
    return parts[0], parts[1], parts[2] if len(parts) > 2 else own_graph


def own_graph(record: str, record_labels: Iterable[str]) -> str:
    """The own graph (see ArticleRows) of the source a record node stands for: an RDF file's (an RdfSource
    node) is the default graph, an article's its NewsArticle node's IRI."""
    return "" if SOURCE_LABEL in record_labels else record


SOURCE_LABEL = "RdfSource"  # an RDF file's record node


def _single_term(entry: str) -> bool:
    """A `kgTerms` entry of a single value ("name<TAB>*<TAB>..."): kept on the node, one per property."""
    return entry.split("\t", 2)[1] == "*"


def node_terms(node: NodeRow) -> list[str]:
    """The terms a node keeps itself (its single values'); per-graph terms travel with the assertion."""
    return [t for t in node.terms if _single_term(t)]


class Mapping:
    """Names for labels, relationship types and properties; every one checked as an identifier."""

    def __init__(self, spec: MappingFile, naming: str | None = None, origin: Path | None = None):
        self.spec = spec
        self.naming = naming or spec.naming
        self.origin = origin
        self.problems: list[RuleProblem] = []
        expand = self._expand
        self.labels = {expand(k, "labels"): self._checked(v, ("labels", k)) for k, v in spec.labels.items()}
        self.relationships = {expand(k, "relationships"): self._checked(v, ("relationships", k))
                              for k, v in spec.relationships.items()}
        self.properties = {expand(k, "properties"): self._checked(v, ("properties", k))
                           for k, v in spec.properties.items()}
        self.multivalued = {expand(k, "multivalued") for k in spec.multivalued}
        self.types_as_labels = spec.handle_rdf_types in ("LABELS", "LABELS_AND_NODES")
        self.types_as_nodes = spec.handle_rdf_types in ("NODES", "LABELS_AND_NODES")
        self.resource_label = self._checked(spec.resource_label, ("resource_label",))
        self.provenance = self._checked(spec.provenance_property, ("provenance_property",))
        self.asserts = self._checked(spec.provenance_relationship, ("provenance_relationship",))
        if self.problems:
            raise RuleError(self.problems)

    def __reduce__(self) -> tuple[Any, ...]:
        """What a spawned worker gets: the spec and the labels it has adopted since (see adopt_kinds)."""
        return _rebuilt, (self.spec, self.naming, self.origin, self.labels)

    def _problem(self, loc: tuple[Any, ...], message: str) -> None:
        path = self.origin or Path("mapping")
        line = line_of(path, loc) if self.origin else None
        self.problems.append(RuleProblem(str(path), line, str(loc[-1]) if loc else None, message))

    def _checked(self, name: str, loc: tuple[Any, ...]) -> str:
        if not IDENTIFIER.match(name):
            self._problem(loc, f"{name!r} is not a valid identifier (letters, digits and _ only)")
        return name

    def _expand(self, curie: str, section: str) -> str:
        prefix, _, local = curie.partition(":")
        if prefix in self.spec.prefixes and not local.startswith("//"):
            return self.spec.prefixes[prefix] + local
        if not curie.startswith(("http://", "https://", "urn:")):
            self._problem((section, curie), f"unknown prefix in {curie!r}")
        return curie

    def adopt_kinds(self, kinds: dict[str, KindSpec], ruleset: RuleSet) -> None:
        """The graph labels of the rules' event kinds (`ruleset`: where they are declared): where the mapping
        names a kind's class, the two must agree (else exit 2, naming the kind's file and line); where it
        doesn't, the kind's label is used."""
        problems = []
        for kind in kinds.values():
            given = self.labels.get(kind.class_iri)
            if given is not None and given != kind.kind.label:
                origin = ruleset.origins[("event_kinds", kind.id)]
                problems.append(origin.problem(
                    f"label {kind.kind.label} disagrees with {self.origin or 'the mapping'}, which labels "
                    f"{kind.kind.class_} {given}", ("label",)))
            self.labels[kind.class_iri] = kind.kind.label
        if problems:
            raise RuleError(problems)

    # -- names ------------------------------------------------------------------
    def _shorten(self, iri: str) -> str:
        for prefix, namespace in sorted(self.spec.prefixes.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(namespace):
                return _sanitise(f"{prefix}__{iri[len(namespace):]}")
        # a namespace the mapping does not name gets a prefix of its own, as n10s gives ns0, ns1...; here
        # from the namespace's hash, so that it is the same in every run and two vocabularies never meet
        local = _local_name(iri)
        namespace = iri[:len(iri) - len(local)] if iri.endswith(local) else iri
        return _sanitise(f"ns{hashlib.sha256(namespace.encode()).hexdigest()[:6]}__{local}")

    def label(self, iri: str) -> str:
        if self.naming == "shorten":
            return self._shorten(iri)
        if self.naming == "ignore":  # n10s IGNORE: the local name as it is
            return _sanitise(_local_name(iri))
        return self.labels.get(iri) or _sanitise(_local_name(iri)[:1].upper() + _local_name(iri)[1:])

    def relationship(self, iri: str) -> str:
        if self.naming == "shorten":
            return self._shorten(iri)
        if self.naming == "ignore":
            return _sanitise(_local_name(iri))
        return self.relationships.get(iri) or _sanitise(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_",
                                                               _local_name(iri)).upper())

    def property(self, iri: str) -> str:
        if self.naming == "shorten":
            return self._shorten(iri)
        if self.naming == "ignore":
            return _sanitise(_local_name(iri))
        return self.properties.get(iri) or _sanitise(_local_name(iri)[:1].lower() + _local_name(iri)[1:])

    # -- rows -------------------------------------------------------------------
    def rows(self, quads: Iterable[ox.Quad], content_hash: str | None = None, blank_scope: str = "") -> ArticleRows:
        """Rows of pyoxigraph quads (a chunk of an RDF file's quads, of any graphs). `blank_scope` makes blank
        nodes local to their file: two files' `_:b0` are two nodes."""
        plain: list[PlainQuad] = []
        count = 0
        for quad in quads:
            count += 1
            obj = quad.object
            if isinstance(obj, ox.Triple):  # an RDF 1.2 triple term: no property-graph shape for it
                continue
            graph = "" if isinstance(quad.graph_name, ox.DefaultGraph) else _node_id(quad.graph_name, blank_scope)
            term = Lit(obj.value, obj.datatype.value, obj.language or "") if isinstance(obj, ox.Literal) \
                else _node_id(obj, blank_scope)
            plain.append((_node_id(quad.subject, blank_scope), quad.predicate.value, term, graph))
        rows = self.rows_of(plain, content_hash)
        rows.triples = count
        return rows

    def rows_of(self, quads: list[PlainQuad], content_hash: str | None = None) -> ArticleRows:
        """Rows of plain quads (an article's graph: rdf.article_terms; or rows' conversion of pyoxigraph's)."""
        subjects: dict[str, dict[str, list[tuple[str | Lit, str]]]] = {}
        for subject, predicate, obj, graph in quads:
            by_predicate = subjects.get(subject)
            if by_predicate is None:
                by_predicate = subjects[subject] = {}
            objects = by_predicate.get(predicate)
            if objects is None:
                by_predicate[predicate] = [(obj, graph)]
            else:
                objects.append((obj, graph))
        rows = ArticleRows(identifier="", content_hash=content_hash, triples=len(quads))
        endpoints: set[str] = set()
        for subject, predicates in subjects.items():
            rows.nodes.append(self._node(subject, predicates, rows, endpoints))
            types = predicates.get(RDF_TYPE, [])
            if any(o == NEWS_ARTICLE for o, _ in types):
                ident = next((o.value for o, _ in predicates.get(IDENTIFIER_IRI, []) if isinstance(o, Lit)), subject)
                rows.identifier = ident
                rows.record = rows.own_graph = subject
                hashes = [o.value for o, _ in predicates.get(KG + "contentHash", []) if isinstance(o, Lit)]
                rows.content_hash = rows.content_hash or (hashes[0] if hashes else None)
        for uri in sorted(endpoints - subjects.keys()):
            rows.nodes.append(NodeRow(uri, (), {}, {}, {}))
        return rows

    def _node(self, subject: str, predicates: dict[str, list[tuple[str | Lit, str]]], rows: ArticleRows,
              endpoints: set[str]) -> NodeRow:
        labels: set[str] = set()
        props: dict[str, Any] = {}
        lists: dict[str, list[Any]] = {}
        temporal: dict[str, tuple[str, str]] = {}
        graphs: set[str] = set()
        terms: list[str] = []
        for predicate, objects in predicates.items():
            if predicate == RDF_TYPE:
                for obj, graph in objects:
                    if isinstance(obj, str) and not obj.startswith("_:") and self.types_as_labels:
                        label = self.label(obj)
                        labels.add(label)
                        rows.names.add(("label", label, obj))
                        graphs.add(graph)
                if not self.types_as_nodes:
                    continue
                objects = [(obj, graph) for obj, graph in objects if isinstance(obj, str)]
            literals: dict[Lit, list[str]] = {}
            for obj, graph in objects:
                if isinstance(obj, Lit):
                    literals.setdefault(obj, []).append(graph)
                    graphs.add(graph)
                    continue
                rel_type = self.relationship(predicate)
                rows.names.add(("type", rel_type, predicate))
                rows.rels.append(RelRow(subject, rel_type, obj, graph))
                endpoints.add(obj)
            if literals:
                name = self.property(predicate)
                rows.names.add(("property", name, predicate))
                self._literals(name, predicate, literals, props, lists, temporal, terms)
        labels.discard(self.resource_label)
        return NodeRow(subject, tuple(sorted(labels)), props, lists, temporal, tuple(sorted(graphs)), tuple(terms))

    def _literals(self, name: str, predicate: str, literals: dict[Lit, list[str]], props: dict[str, Any],
                  lists: dict[str, list[Any]], temporal: dict[str, tuple[str, str]], terms: list[str]) -> None:
        values = [convert_literal(lit, self.spec.keep_lang_tag) for lit in literals]
        if self._as_list(predicate, len(values)):
            plain = [v.value if isinstance(v, Temporal) else v for v in values]
            if len({type(v) for v in plain}) > 1:  # graph stores keep lists of one type: mixed values as text
                plain = [str(v).lower() if isinstance(v, bool) else str(v) for v in plain]
            lists[name] = sorted(set(plain), key=str)
            # each value of a list, in each graph that asserts it, as its exact term
            terms.extend(sorted({term_entry(name, graph, lit) for lit, graphs in literals.items() for graph in graphs}))
            return
        value = values[-1]  # one value kept (OVERWRITE): the last one given
        literal = list(literals)[-1]
        if isinstance(value, Temporal):
            if value.function:
                temporal[name] = (value.function, value.value)
            else:
                props[name] = value.value
            props[f"{name}Precision"] = value.precision
        else:
            props[name] = value
        if not plain_term(literal, value):
            terms.append(term_entry(name, "*", literal, derived=_stored_text(value) == _lexical_text(literal)))


    def _as_list(self, predicate: str, count: int) -> bool:
        """Whether a property is a list: AUTO (kgloader's) when the mapping says it is multivalued or a source
        gives several values; n10s's ARRAY: always, or only the mapping's `multivalued` when it lists any;
        n10s's OVERWRITE: never (the last value stays)."""
        mode = self.spec.handle_multival
        if mode == "ARRAY":
            return predicate in self.multivalued if self.multivalued else True
        if mode == "OVERWRITE":
            return False
        return predicate in self.multivalued or count > 1


LOCAL_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def term_entry(name: str, graph: str, literal: Lit, derived: bool = False) -> str:
    """One `kgTerms` entry: "name<TAB>graph<TAB>kind[<TAB>lexical]". `graph` is a graph name ("" the default
    graph) for a value of a list, or "*" for a single value (in every graph that describes the node); `kind`
    is the datatype IRI ("" for xsd:string) or "@" and the language tag; without the lexical form (`derived`)
    it is the stored value itself (for "@en": the value without its "@en")."""
    kind = f"@{literal.language}" if literal.language else ("" if literal.datatype == XSD_STRING else literal.datatype)
    head = f"{name}\t{graph}\t{kind}"
    return head if derived else f"{head}\t{literal.value}"


def _lexical_text(literal: Lit) -> str:
    return f"{literal.value}@{literal.language}" if literal.language else literal.value


def _stored_text(value: Any) -> str | None:
    """The stored value as both stores read it back as text, where that is the value itself."""
    if isinstance(value, Temporal):
        return None if value.function else value.value  # dates and date-times come back in the store's spelling
    return value if isinstance(value, str) else None


def plain_term(literal: Lit, value: Any) -> bool:
    """True when `default_literal` gives `literal` back from the stored value as both stores read it back
    (FalkorDB: 15 significant digits for doubles; dates and local date-times as ISO text)."""
    if literal.language:
        return False
    datatype = literal.datatype
    text = literal.value
    if isinstance(value, Temporal):
        if value.function == "date":
            return datatype == XSD + "date"
        if value.function == "localdatetime":
            return datatype == XSD + "dateTime" and LOCAL_DATETIME.fullmatch(text) is not None
        # a zoned date-time: Neo4j reads back its own spelling of the zone; gYearMonth, gYear: the string
        return value.function != "datetime"
    if isinstance(value, bool):
        return datatype == XSD + "boolean" and text == ("true" if value else "false")
    if isinstance(value, int):
        return datatype == XSD + "integer" and text == str(value)
    if isinstance(value, float):
        return datatype == XSD + "double" and text == repr(value) and float(f"{value:.15g}") == value
    return datatype == XSD_STRING


PRECISION_TYPES = {"day": XSD + "date", "datetime": XSD + "dateTime", "month": XSD + "gYearMonth",
                   "year": XSD + "gYear"}


def default_literal(value: Any, precision: str | None = None) -> ox.Literal:
    """The literal a property value stands for when `kgTerms` says nothing more (see plain_term)."""
    if precision in PRECISION_TYPES:
        return ox.Literal(str(value), datatype=ox.NamedNode(PRECISION_TYPES[precision]))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    return ox.Literal(str(value))


def literal_of(kind: str, lexical: str) -> ox.Literal:
    """The literal a `kgTerms` entry's kind and lexical form stand for."""
    if kind.startswith("@"):
        return ox.Literal(lexical, language=kind[1:])
    return ox.Literal(lexical, datatype=ox.NamedNode(kind or XSD_STRING))


@dataclass(frozen=True)
class Temporal:
    """A date-like literal: the Cypher function that makes it (None: keep the string) and precision."""

    function: str | None
    value: str
    precision: str


def convert_literal(literal: Lit, keep_lang_tag: bool = True) -> Any:
    """The property value of a literal; a language-tagged text is kept n10s-style ("text@en"), or without its
    tag (n10s's keepLangTag false)."""
    datatype = literal.datatype
    value = literal.value
    if literal.language:
        return f"{value}@{literal.language}" if keep_lang_tag else value
    try:
        if datatype in INTEGER_TYPES:
            return int(value)
        if datatype in FLOAT_TYPES:
            return float(value)
    except ValueError:
        return value
    if datatype == XSD + "boolean":
        return value.strip() in ("true", "1")
    if datatype == XSD + "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Temporal("date", value, "day")
    if datatype == XSD + "dateTime" and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?", value):
        return Temporal("localdatetime", value, "datetime")
    if datatype == XSD + "dateTime":
        return Temporal("datetime", value, "datetime")
    if datatype in PARTIAL_DATES:
        return Temporal(None, value, PARTIAL_DATES[datatype])
    return value


def _node_id(term: Any, blank_scope: str = "") -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{blank_scope}{term.value}"


def _local_name(iri: str) -> str:
    return re.split(r"[#/:]", iri.rstrip("/#"))[-1] or "resource"


def _sanitise(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", name)
    return name if IDENTIFIER.match(name) else f"_{name}"


def _rebuilt(spec: MappingFile, naming: str, origin: Path | None, labels: dict[str, str]) -> Mapping:
    mapping = Mapping(spec, naming, origin)
    mapping.labels = labels
    return mapping


def load_mapping(path: Path | None = None, naming: str | None = None, rules: CompiledRules | None = None) -> Mapping:
    """Read and validate a mapping file, and with `rules` check it against their event kinds; problems
    name file, line and entry (exit 2)."""
    path = path or schema_file("mapping.yaml")
    spec = read_mapping_file(path)
    mapping = Mapping(spec, naming, path)
    if rules is not None:
        mapping.adopt_kinds(rules.kinds, rules.ruleset)
    return mapping
