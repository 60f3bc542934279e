"""RDF stage: Facts → quads in the article's named graph, and streaming serialisation.

IRIs are stable: an entity's comes from its rule id, an article's from its identifier,
and a fact's from a hash of what it states, so every run and every article agree.
An article's quads are built as N-Quads terms (formatted strings: building a pyoxigraph object
per term took a third of extraction time) and written straight as N-Quads lines; pyoxigraph
parses them back where objects are needed and streams the other formats (TriG, JSON-LD, Turtle),
one article at a time: no corpus-wide graph in memory. The map stage takes them as plain quads
(`PlainQuad`, read from the terms without a parser: pyoxigraph's round trip cost more than the
mapping itself).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, Final, final
from urllib.parse import quote

import pyoxigraph as ox

from loader.errors import UsageError
from loader.model import DateValue, Entity, Event, Evidence, Facts, Mention, Spans
from loader.namespaces import ID, KG, ORG, PREFIXES, PROV, RDFS, SCHEMA, SKOS, XSD
from loader.resources import schema_file
from loader.rules.compiled import KindSpec, expand_curie

__all__ = ["ID", "KG", "ORG", "PREFIXES", "PROV", "SCHEMA", "SKOS", "XSD", "Lit", "PlainQuad", "article_nquads",
           "article_terms", "write_articles"]
KindMap = Mapping[str, KindSpec]
FORMATS = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD,
           ".ttl": ox.RdfFormat.TURTLE}
DATE_TYPES = {"day": "date", "month": "gYearMonth", "datetime": "dateTime"}
KIND_PATHS = {"Person": "person", "Organization": "organization", "Place": "place"}
NON_NAME_RULES = ("coref.pronoun", "coref.polity", "coref:role")

# Terms are N-Quads text: an IRI is "<iri>", a literal '"text"' or '"text"^^<datatype>'.
Term = str
RDF_TYPE: Term = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
OWL_SAME_AS: Term = "<http://www.w3.org/2002/07/owl#sameAs>"
# N-Quads must escape backslash, quote and line breaks; other controls are escaped for readability
_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)} | {0x7F: "\\u007F", ord("\\"): "\\\\", ord('"'): '\\"',
                                                       ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@final
class Lit:
    """A literal as the map stage reads it: lexical form, datatype IRI (xsd:string for a simple literal,
    rdf:langString for a tagged one, as RDF 1.1 and pyoxigraph say) and language tag ("" none). A value:
    equal and hashed by its three parts. (A plain class: compiled, it is made faster than a NamedTuple or a
    frozen dataclass, 0.8 against 1.2 and 2 us per 100,000 made from Python, and the map stage makes one for
    every literal.)"""

    __slots__ = ("datatype", "language", "value")

    def __init__(self, value: str, datatype: str, language: str = "") -> None:
        self.value: Final = value
        self.datatype: Final = datatype
        self.language: Final = language

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lit) and (self.value, self.datatype, self.language) == (
            other.value, other.datatype, other.language)

    def __hash__(self) -> int:
        return hash((self.value, self.datatype, self.language))

    def __repr__(self) -> str:
        return f"Lit({self.value!r}, {self.datatype!r}, {self.language!r})"


# what the map stage reads: subject, predicate, object (a node: an IRI, or "_:" and a blank node's label;
# or a literal), graph (a node, or "" for the default graph)
PlainQuad = tuple[str, str, str | Lit, str]
_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescaped(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    return chr(int(code, 16)) if code else _ECHARS[match.group(3)]


def read_term(term: Term) -> str | Lit:
    """A term this module wrote (an IRI or a literal, N-Quads syntax) as the map stage reads it."""
    if term[0] == "<":
        return term[1:-1]
    end = term.rindex('"')
    text = term[1:end]
    if "\\" in text:
        text = _UNESCAPE.sub(_unescaped, text)
    suffix = term[end + 1:]
    if suffix.startswith("^^<"):
        return Lit(text, suffix[3:-1])
    if suffix.startswith("@"):
        return Lit(text, RDF_LANG_STRING, suffix[1:].lower())
    return Lit(text, XSD_STRING)


def iri(value: str) -> Term:
    """An IRI we built from quoted parts: valid by construction."""
    return f"<{value}>"


def checked_iri(value: str) -> Term:
    """An IRI taken from input (a source URL, a sameAs link): pyoxigraph validates it."""
    return f"<{ox.NamedNode(value).value}>"


_TERMS: dict[tuple[str, str], Term] = {}


def _term(namespace: str, local: str) -> Term:
    """A vocabulary term, built once (a plain dict: an lru_cache call costs ten times the lookup)."""
    term = _TERMS.get((namespace, local))
    if term is None:
        term = _TERMS[namespace, local] = iri(namespace + local)
    return term


def s(local: str) -> Term:
    return _term(SCHEMA, local)


def kg(local: str) -> Term:
    return _term(KG, local)


def org(local: str) -> Term:
    return _term(ORG, local)


def xsd(local: str) -> Term:
    return _term(XSD, local)


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:20]


def article_iri(identifier: str) -> Term:
    return iri(f"{ID}article/{quote(identifier, safe='')}")


def entity_iri(entity: Entity) -> Term:
    return iri(f"{ID}{KIND_PATHS[entity.kind]}/{quote(entity.id, safe='')}")


def _literal(value: str | int, datatype: str | None = None) -> Term:
    if isinstance(value, int):
        return f'"{value}"^^<{XSD}integer>'
    text = _quoted(value)
    return f"{text}^^{xsd(datatype)}" if datatype else text


def _quoted(value: str) -> str:
    """Most text needs no escape: translate (a quarter of the stage's time) only when some does."""
    if '"' in value or "\\" in value or not value.isprintable():
        value = value.translate(_ESCAPES)
    return f'"{value}"'


def _date(value: DateValue) -> Term:
    return _literal(value.value, DATE_TYPES[value.precision])


class _Graph:
    """Collects the N-Quads lines of one article graph. Facts are unique by construction (the rules
    stage merges them); only shared nodes (evidence, roles) are described once via `first`."""

    def __init__(self, name: Term):
        self.name = name
        self.triples: list[tuple[Term, Term, Term]] = []
        self._described: set[Term] = set()
        self._sentences: dict[str, Term] = {}

    def describe(self, subject: Term, pairs: Iterable[tuple[Term, Term]]) -> None:
        """(predicate, object) pairs of one subject: the hot path, one call per node, not per triple."""
        self.triples.extend([(subject, predicate, obj) for predicate, obj in pairs])

    def nquads(self) -> bytes:
        tail = f" {self.name} .\n"
        return "".join([f"{subject} {predicate} {obj}{tail}" for subject, predicate, obj in self.triples]).encode()

    def plain(self) -> list[PlainQuad]:
        graph = self.name[1:-1]
        return [(subject[1:-1], predicate[1:-1], read_term(obj), graph) for subject, predicate, obj in self.triples]

    def sentence(self, text: str) -> Term:
        """A sentence's literal, quoted once per article: its evidence and each mention in it repeat it."""
        found = self._sentences.get(text)
        if found is None:
            found = self._sentences[text] = _literal(text)
        return found

    def first(self, node: Term) -> bool:
        """True the first time a shared node comes up in this graph."""
        if node in self._described:
            return False
        self._described.add(node)
        return True


def article_nquads(facts: Facts, kinds: KindMap) -> tuple[bytes, int]:
    """Every quad drawn from one article, as N-Quads in the graph named by the article's IRI,
    and the count: what a worker sends back."""
    g = _article_graph(facts, kinds)
    return g.nquads(), len(g.triples)


def article_terms(facts: Facts, kinds: KindMap) -> list[PlainQuad]:
    """The same quads for the map stage (the same as `article_quads` gives it through pyoxigraph)."""
    return _article_graph(facts, kinds).plain()


def _article_graph(facts: Facts, kinds: KindMap) -> _Graph:
    art = facts.article
    name = article_iri(art.identifier)
    g = _Graph(name)
    about = [(RDF_TYPE, s("NewsArticle")), (s("identifier"), _literal(art.identifier)),
             (s("headline"), _literal(art.headline.text)),
             (kg("contentHash"), _literal(f"sha256:{art.content_hash}"))]
    if art.source.startswith(("http://", "https://")):
        about.append((s("url"), checked_iri(art.source)))
    if art.published:
        about.append((s("datePublished"), _literal(art.published, "dateTime" if "T" in art.published else "date")))
    nodes = {eid: entity_iri(e) for eid, e in facts.entities.items()}
    if facts.publisher:
        about.append((s("publisher"), nodes[facts.publisher]))
    g.describe(name, about)
    _entities(g, facts, nodes)
    _mentions(g, facts, nodes, name)
    _events(g, facts, nodes, name, kinds)
    _memberships(g, facts, nodes, name)
    return g


def article_quads(facts: Facts, kinds: KindMap) -> list[ox.Quad]:
    """The same quads as pyoxigraph objects, for the map stage."""
    return list(ox.parse(article_nquads(facts, kinds)[0], format=ox.RdfFormat.N_QUADS))


def _entities(g: _Graph, facts: Facts, nodes: dict[str, Term]) -> None:
    names: dict[str, set[str]] = {}
    for m in facts.mentions:
        if not m.rule.startswith(NON_NAME_RULES):
            names.setdefault(m.entity_id, set()).add(" ".join(m.text.split()))
    for eid, entity in facts.entities.items():
        about = [(RDF_TYPE, s(entity.kind))]
        if entity.schema_class != entity.kind:
            about.append((RDF_TYPE, s(entity.schema_class)))
        about.append((s("name"), _literal(entity.name)))
        about += [(s("alternateName"), _literal(alias)) for alias in sorted(names.get(eid, set()) - {entity.name})]
        about += [(OWL_SAME_AS, checked_iri(same)) for same in entity.same_as]
        if entity.part_of and entity.part_of in nodes:
            about.append((org("subOrganizationOf"), nodes[entity.part_of]))
        g.describe(nodes[eid], about)


def _evidence(g: _Graph, article: Term, identifier: str, ev: Evidence) -> Term:
    node = iri(f"{ID}evidence/{_digest(identifier, ev.sentence_start, ev.sentence_end, ev.rule)}")
    if g.first(node):
        g.describe(node, ((RDF_TYPE, kg("Evidence")), (kg("inArticle"), article),
                          (kg("sentence"), g.sentence(ev.sentence)), (kg("beginIndex"), _literal(ev.sentence_start)),
                          (kg("endIndex"), _literal(ev.sentence_end)), (kg("rule"), _literal(ev.rule))))
    return node


def _evidenced(g: _Graph, article: Term, identifier: str, evidence: list[Evidence]) -> list[tuple[Term, Term]]:
    return [(kg("evidence"), _evidence(g, article, identifier, ev)) for ev in evidence]


def _mentions(g: _Graph, facts: Facts, nodes: dict[str, Term], article: Term) -> None:
    """One kg:Mention per entity: the first sentence naming it, the rule, and how often it is named."""
    first: dict[str, Mention] = {}
    count: dict[str, int] = {}
    for m in facts.mentions:
        first.setdefault(m.entity_id, m)
        count[m.entity_id] = count.get(m.entity_id, 0) + 1
    ident = facts.article.identifier
    text = facts.article.text
    g.describe(article, [(s("mentions"), nodes[eid]) for eid in first])
    sentences = Spans(facts.sentences)
    for eid, m in first.items():
        start, end = _sentence_of(sentences, m)
        g.describe(iri(f"{ID}mention/{_digest(ident, eid)}"), (
            (RDF_TYPE, kg("Mention")), (kg("refersTo"), nodes[eid]), (kg("inArticle"), article),
            (kg("anchorText"), _literal(m.text)), (kg("anchorBegin"), _literal(m.start)),
            (kg("anchorEnd"), _literal(m.end)), (kg("sentence"), g.sentence(text[start:end])),
            (kg("beginIndex"), _literal(start)), (kg("endIndex"), _literal(end)), (kg("rule"), _literal(m.rule)),
            (kg("occurrences"), _literal(count[eid]))))


def _sentence_of(sentences: Spans, mention: Mention) -> tuple[int, int]:
    """The sentence holding a mention; a dateline or source line stands for itself."""
    i = sentences.holding(mention.start, mention.end)
    return sentences.spans[i] if i >= 0 else (mention.start, mention.end)


def _names(facts: Facts, ids: Iterable[str]) -> str:
    return " and ".join(facts.entities[i].name for i in ids)


def _caption(kind: KindSpec, event: Event, facts: Facts) -> str:
    """The kind's caption with its slots filled: `Meeting of {attendee}` → `Meeting of A and B`."""
    filled: dict[str, str] = {}
    if kind.symmetric:
        filled[kind.agents[0]] = _names(facts, event.parties)
    else:
        filled.update({slot: facts.entities[party].name for slot, party in zip(kind.agents, event.parties,
                                                                             strict=True)})
    for name, value in event.values.items():
        filled[name] = facts.entities[value].name if name in kind.places else value
    if kind.date:
        filled[kind.date] = event.date.value if event.date else ""
    text = _SLOT.sub(lambda m: filled.get(m.group(1), ""), kind.kind.caption)
    return " ".join(text.split())


_SLOT = re.compile(r"\{([a-z_]+)\}")


def event_iri(kind: KindSpec, identifier: str, event: Event) -> Term:
    """Stable: from the kind, its parties and identity slots, and the article; for a kind whose reports
    are `shared`, a day date stands for the article, so that every article reporting it names one event."""
    parties = sorted(event.parties) if kind.symmetric else list(event.parties)
    identity = [*parties, *(event.values.get(name, "") for name in kind.identity)]
    if kind.kind.shared and event.date is not None and event.date.precision == "day":
        return iri(f"{ID}{kind.id}/{_digest(event.date.value, *identity)}")
    return iri(f"{ID}{kind.id}/{_digest(identifier, event.date.value if event.date else '', *identity)}")


def _events(g: _Graph, facts: Facts, nodes: dict[str, Term], article: Term, kinds: KindMap) -> None:
    ident = facts.article.identifier
    nodes_of = [event_iri(kinds[event.kind], ident, event) for event in facts.events]
    named: dict[tuple[str, tuple[str, ...]], Term] = {}
    for event, node in zip(facts.events, nodes_of, strict=True):
        named.setdefault((event.kind, event.parties), node)
    for event, node in zip(facts.events, nodes_of, strict=True):
        kind = kinds[event.kind]
        about = [(RDF_TYPE, iri(kind.class_iri)), (RDF_TYPE, kg("Event")), (kg("kind"), _literal(kind.id)),
                 (s("name"), _literal(_caption(kind, event, facts)))]
        predicates = kind.predicates
        if kind.symmetric:
            about += [(iri(predicates[kind.agents[0]]), nodes[party]) for party in event.parties]
        else:
            about += [(iri(predicates[slot]), nodes[party]) for slot, party in zip(kind.agents, event.parties,
                                                                                  strict=True)]
        if event.date and kind.date:
            about.append((iri(predicates[kind.date]), _date(event.date)))
        for name, value in sorted(event.values.items()):
            about.append((iri(predicates[name]), nodes[value] if name in kind.places else _literal(value)))
        if event.answers and kind.reply_iri:
            answered = named.get((event.kind, event.answers)) or event_iri(
                kind, ident, Event(event.kind, event.answers))
            about.append((iri(kind.reply_iri), answered))
        about += _evidenced(g, article, ident, event.evidence)
        g.describe(node, about)


def role_iri(label: str) -> Term:
    return iri(f"{ID}role/{quote(label.replace(' ', '-'), safe='-')}")


def _memberships(g: _Graph, facts: Facts, nodes: dict[str, Term], article: Term) -> None:
    ident = facts.article.identifier
    for membership in facts.memberships:
        role = role_iri(membership.role)
        person, organization = facts.entities[membership.person], facts.entities[membership.organization]
        about = [(RDF_TYPE, org("Membership")),
                 (s("name"), _literal(f"{person.name}, {membership.role}, {organization.name}")),
                 (org("member"), nodes[membership.person]), (org("organization"), nodes[membership.organization]),
                 (org("role"), role)]
        about += _evidenced(g, article, ident, membership.evidence)
        node = iri(f"{ID}membership/{_digest(membership.person, membership.organization, membership.role)}")
        g.describe(node, about)
        if g.first(role):
            g.describe(role, ((RDF_TYPE, _term(SKOS, "Concept")), (RDF_TYPE, org("Role")),
                              (_term(SKOS, "prefLabel"), _literal(membership.role))))


def vocabulary_quads(kinds: KindMap) -> list[ox.Quad]:
    """The kg: vocabulary (schema/vocabulary.ttl) and the classes of the declared event kinds, for the
    default graph of every dataset."""
    path = schema_file("vocabulary.ttl")
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
             for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
    lines = []
    for kind in kinds.values():
        cls = iri(kind.class_iri)
        about = [(RDF_TYPE, _term(RDFS, "Class")), (_term(RDFS, "label"), _literal(kind.kind.label))]
        about += [(_term(RDFS, "subClassOf"), iri(expand_curie(c) or c)) for c in kind.kind.subclass_of]
        if kind.kind.comment:
            about.append((_term(RDFS, "comment"), _literal(" ".join(kind.kind.comment.split()))))
        lines += [f"{cls} {p} {o} .\n" for p, o in about]
    return quads + list(ox.parse("".join(lines).encode(), format=ox.RdfFormat.N_QUADS))


_DATE_SHAPE = "sh:or ( [ sh:datatype xsd:date ] [ sh:datatype xsd:gYearMonth ] [ sh:datatype xsd:dateTime ] )"
_AGENT_SHAPE = "sh:or ( [ sh:class schema:Person ] [ sh:class schema:Organization ] )"


def shapes_turtle(kinds: KindMap) -> str:
    """Every shape a dataset of these rules conforms to: schema/shapes.ttl and the event kinds' shapes."""
    return schema_file("shapes.ttl").read_text(encoding="utf-8") + "\n" + kind_shapes(kinds)


def kind_shapes(kinds: KindMap) -> str:
    """SHACL shapes (Turtle, the prefixes of schema/shapes.ttl) for the declared event kinds: what every
    event of a kind that `extract` writes conforms to."""
    out = []
    for kind in kinds.values():
        props = []
        for name, slot in kind.kind.slots.items():
            path = f"<{kind.predicates[name]}>"
            if slot.type == "agent":
                least = kind.min_parties if kind.symmetric else 1
                most = "" if kind.symmetric else " ; sh:maxCount 1"
                props.append(f"[ sh:path {path} ; sh:minCount {least}{most} ; {_AGENT_SHAPE} ]")
            elif slot.type == "place":
                props.append(f"[ sh:path {path} ; sh:minCount {int(slot.required)} ; sh:maxCount 1 ; "
                             "sh:class schema:Place ]")
            elif slot.type == "date":
                props.append(f"[ sh:path {path} ; sh:maxCount 1 ; {_DATE_SHAPE} ]")
            else:
                props.append(f"[ sh:path {path} ; sh:minCount {int(slot.required)} ; sh:maxCount 1 ; "
                             "sh:datatype xsd:string ]")
        if kind.reply_iri:
            props.append(f"[ sh:path <{kind.reply_iri}> ; sh:class <{kind.class_iri}> ]")
        props.append("[ sh:path kg:evidence ; sh:minCount 1 ; sh:class kg:Evidence ]")
        props.append("[ sh:path schema:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ]")
        body = " ;\n    ".join(f"sh:property {p}" for p in props)
        out.append(f"<{KG}{kind.kind.label}Shape> a sh:NodeShape ; sh:targetClass <{kind.class_iri}> ;\n    {body} .\n")
    return "\n".join(out)


def format_for(path: Path) -> ox.RdfFormat:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: unknown output format; use one of {', '.join(sorted(FORMATS))}")
    return fmt


def write_articles(chunks: Iterable[bytes], output: BinaryIO, fmt: ox.RdfFormat, kinds: KindMap) -> None:
    """The vocabulary, then each article's N-Quads chunk: copied as they are for N-Quads, parsed back
    (fast) and streamed through one serialiser, with one set of prefixes, for the other formats."""
    if fmt == ox.RdfFormat.N_QUADS:
        ox.serialize(vocabulary_quads(kinds), output, format=fmt)
        for chunk in chunks:
            output.write(chunk)
        return
    parsed = (quad for chunk in chunks for quad in ox.parse(chunk, format=ox.RdfFormat.N_QUADS))
    write_dataset(itertools.chain(vocabulary_quads(kinds), parsed), output, fmt)


def write_dataset(quads: Iterable[ox.Quad], output: BinaryIO, fmt: ox.RdfFormat) -> None:
    """Stream quads out; Turtle gets triples (the contract's default graph only)."""
    stream: Iterator[ox.Quad] | Iterator[ox.Triple] = iter(quads)
    if fmt == ox.RdfFormat.TURTLE:
        stream = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    ox.serialize(stream, output, format=fmt, prefixes=PREFIXES if fmt != ox.RdfFormat.N_QUADS else None)
