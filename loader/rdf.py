"""RDF stage: Facts → quads in the article's named graph, and streaming serialisation.

IRIs are stable: an entity's comes from its rule id, an article's from its identifier,
and a fact's from a hash of what it states, so every run and every article agree.
An article's quads are written straight as N-Quads lines (terms are formatted strings:
building a pyoxigraph object per term took a third of extraction time); pyoxigraph parses
them back where objects are needed and streams the other formats (TriG, JSON-LD, Turtle),
one article at a time: no corpus-wide graph in memory.
"""

from __future__ import annotations

import hashlib
import itertools
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import pyoxigraph as ox

from loader.errors import UsageError
from loader.model import DateValue, Entity, Evidence, Facts, Mention
from loader.resources import schema_file

SCHEMA = "http://schema.org/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KG = "https://w3id.org/kgloader/ns#"
ID = "https://w3id.org/kgloader/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {"schema": SCHEMA, "org": ORG, "prov": PROV, "skos": SKOS, "kg": KG,
            "xsd": XSD, "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "owl": "http://www.w3.org/2002/07/owl#"}
FORMATS = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD,
           ".ttl": ox.RdfFormat.TURTLE}
DATE_TYPES = {"day": "date", "month": "gYearMonth", "datetime": "dateTime"}
KIND_PATHS = {"Person": "person", "Organization": "organization", "Place": "place"}
NON_NAME_RULES = ("coref.pronoun", "coref:role")

# Terms are N-Quads text: an IRI is "<iri>", a literal '"text"' or '"text"^^<datatype>'.
Term = str
RDF_TYPE: Term = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
OWL_SAME_AS: Term = "<http://www.w3.org/2002/07/owl#sameAs>"
# N-Quads must escape backslash, quote and line breaks; other controls are escaped for readability
_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)} | {0x7F: "\\u007F", ord("\\"): "\\\\", ord('"'): '\\"',
                                                       ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}


def iri(value: str) -> Term:
    """An IRI we built from quoted parts: valid by construction."""
    return f"<{value}>"


def checked_iri(value: str) -> Term:
    """An IRI taken from input (a source URL, a sameAs link): pyoxigraph validates it."""
    return f"<{ox.NamedNode(value).value}>"


@lru_cache(maxsize=1024)
def _term(namespace: str, local: str) -> Term:
    return iri(namespace + local)


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
    text = f'"{value.translate(_ESCAPES)}"'
    return f"{text}^^{xsd(datatype)}" if datatype else text


def _date(value: DateValue) -> Term:
    return _literal(value.value, DATE_TYPES[value.precision])


class _Graph:
    """Collects the N-Quads lines of one article graph. Facts are unique by construction (the rules
    stage merges them); only shared nodes (evidence, roles) are described once via `first`."""

    def __init__(self, name: Term):
        self.name = name
        self.lines: list[str] = []
        self._described: set[Term] = set()
        append, tail = self.lines.append, f" {name} .\n"

        def add(subject: Term, predicate: Term, obj: Term) -> None:
            append(f"{subject} {predicate} {obj}{tail}")  # the hot path: no attribute lookups

        self.add = add

    def first(self, node: Term) -> bool:
        """True the first time a shared node comes up in this graph."""
        if node in self._described:
            return False
        self._described.add(node)
        return True


def article_nquads(facts: Facts) -> tuple[bytes, int]:
    """Every quad drawn from one article, as N-Quads in the graph named by the article's IRI,
    and the count: what a worker sends back."""
    art = facts.article
    name = article_iri(art.identifier)
    g = _Graph(name)
    g.add(name, RDF_TYPE, s("NewsArticle"))
    g.add(name, s("identifier"), _literal(art.identifier))
    g.add(name, s("headline"), _literal(art.headline.text))
    g.add(name, kg("contentHash"), _literal(f"sha256:{art.content_hash}"))
    if art.source.startswith(("http://", "https://")):
        g.add(name, s("url"), checked_iri(art.source))
    if art.published:
        g.add(name, s("datePublished"), _literal(art.published, "dateTime" if "T" in art.published else "date"))
    nodes = {eid: entity_iri(e) for eid, e in facts.entities.items()}
    if facts.publisher:
        g.add(name, s("publisher"), nodes[facts.publisher])
    _entities(g, facts, nodes)
    _mentions(g, facts, nodes, name)
    _meetings(g, facts, nodes, name)
    _messages(g, facts, nodes, name)
    _memberships(g, facts, nodes, name)
    return "".join(g.lines).encode(), len(g.lines)


def article_quads(facts: Facts) -> list[ox.Quad]:
    """The same quads as pyoxigraph objects, for the map stage."""
    return list(ox.parse(article_nquads(facts)[0], format=ox.RdfFormat.N_QUADS))


def _entities(g: _Graph, facts: Facts, nodes: dict[str, Term]) -> None:
    names: dict[str, set[str]] = {}
    for m in facts.mentions:
        if not m.rule.startswith(NON_NAME_RULES):
            names.setdefault(m.entity_id, set()).add(" ".join(m.text.split()))
    for eid, entity in facts.entities.items():
        node = nodes[eid]
        g.add(node, RDF_TYPE, s(entity.kind))
        if entity.schema_class != entity.kind:
            g.add(node, RDF_TYPE, s(entity.schema_class))
        g.add(node, s("name"), _literal(entity.name))
        for alias in sorted(names.get(eid, ()) - {entity.name}):
            g.add(node, s("alternateName"), _literal(alias))
        for same in entity.same_as:
            g.add(node, OWL_SAME_AS, checked_iri(same))
        if entity.part_of and entity.part_of in nodes:
            g.add(node, org("subOrganizationOf"), nodes[entity.part_of])


def _evidence(g: _Graph, article: Term, identifier: str, ev: Evidence) -> Term:
    node = iri(f"{ID}evidence/{_digest(identifier, ev.sentence_start, ev.sentence_end, ev.rule)}")
    if not g.first(node):
        return node
    g.add(node, RDF_TYPE, kg("Evidence"))
    g.add(node, kg("inArticle"), article)
    g.add(node, kg("sentence"), _literal(ev.sentence))
    g.add(node, kg("beginIndex"), _literal(ev.sentence_start))
    g.add(node, kg("endIndex"), _literal(ev.sentence_end))
    g.add(node, kg("rule"), _literal(ev.rule))
    return node


def _mentions(g: _Graph, facts: Facts, nodes: dict[str, Term], article: Term) -> None:
    """One kg:Mention per entity: the first sentence naming it, the rule, and how often it is named."""
    first: dict[str, Mention] = {}
    count: dict[str, int] = {}
    for m in facts.mentions:
        first.setdefault(m.entity_id, m)
        count[m.entity_id] = count.get(m.entity_id, 0) + 1
    ident = facts.article.identifier
    text = facts.article.text
    add = g.add
    for eid, m in first.items():
        add(article, s("mentions"), nodes[eid])
        start, end = _sentence_of(facts.sentences, m)
        node = iri(f"{ID}mention/{_digest(ident, eid)}")
        add(node, RDF_TYPE, kg("Mention"))
        add(node, kg("refersTo"), nodes[eid])
        add(node, kg("inArticle"), article)
        add(node, kg("anchorText"), _literal(m.text))
        add(node, kg("anchorBegin"), _literal(m.start))
        add(node, kg("anchorEnd"), _literal(m.end))
        add(node, kg("sentence"), _literal(text[start:end]))
        add(node, kg("beginIndex"), _literal(start))
        add(node, kg("endIndex"), _literal(end))
        add(node, kg("rule"), _literal(m.rule))
        add(node, kg("occurrences"), _literal(count[eid]))


def _sentence_of(sentences: tuple[tuple[int, int], ...], mention: Mention) -> tuple[int, int]:
    """The sentence holding a mention; a dateline or source line stands for itself."""
    i = bisect_right(sentences, (mention.start, 1 << 62)) - 1
    if i >= 0 and sentences[i][0] <= mention.start and mention.end <= sentences[i][1]:
        return sentences[i]
    return mention.start, mention.end


def _meetings(g: _Graph, facts: Facts, nodes: dict[str, Term], article: Term) -> None:
    ident = facts.article.identifier
    for meeting in facts.meetings:
        # a dated meeting is the same event in every article that reports it
        scope = meeting.date.value if meeting.date and meeting.date.precision == "day" else ident
        node = iri(f"{ID}meeting/{_digest(scope, *sorted(meeting.participants))}")
        g.add(node, RDF_TYPE, kg("Meeting"))
        names = " and ".join(facts.entities[p].name for p in meeting.participants)
        g.add(node, s("name"), _literal(f"Meeting of {names}"))
        for party in meeting.participants:
            g.add(node, s("attendee"), nodes[party])
        if meeting.date:
            g.add(node, s("startDate"), _date(meeting.date))
        if meeting.place:
            g.add(node, s("location"), nodes[meeting.place])
        for ev in meeting.evidence:
            g.add(node, kg("evidence"), _evidence(g, article, ident, ev))


def message_iri(identifier: str, sender: str, recipient: str) -> Term:
    return iri(f"{ID}message/{_digest(identifier, sender, recipient)}")


def _messages(g: _Graph, facts: Facts, nodes: dict[str, Term], article: Term) -> None:
    ident = facts.article.identifier
    for message in facts.messages:
        node = message_iri(ident, message.sender, message.recipient)
        g.add(node, RDF_TYPE, s("Message"))
        sender, recipient = facts.entities[message.sender].name, facts.entities[message.recipient].name
        g.add(node, s("name"), _literal(f"Message from {sender} to {recipient}"))
        g.add(node, s("sender"), nodes[message.sender])
        g.add(node, s("recipient"), nodes[message.recipient])
        if message.date:
            g.add(node, s("dateSent"), _date(message.date))
        if message.answers:
            g.add(node, kg("inReplyTo"), message_iri(ident, *message.answers))
        for ev in message.evidence:
            g.add(node, kg("evidence"), _evidence(g, article, ident, ev))


def role_iri(label: str) -> Term:
    return iri(f"{ID}role/{quote(label.replace(' ', '-'), safe='-')}")


def _memberships(g: _Graph, facts: Facts, nodes: dict[str, Term], article: Term) -> None:
    ident = facts.article.identifier
    for membership in facts.memberships:
        node = iri(f"{ID}membership/{_digest(membership.person, membership.organization, membership.role)}")
        role = role_iri(membership.role)
        person, organization = facts.entities[membership.person], facts.entities[membership.organization]
        g.add(node, RDF_TYPE, org("Membership"))
        g.add(node, s("name"), _literal(f"{person.name}, {membership.role}, {organization.name}"))
        g.add(node, org("member"), nodes[membership.person])
        g.add(node, org("organization"), nodes[membership.organization])
        g.add(node, org("role"), role)
        if g.first(role):
            g.add(role, RDF_TYPE, _term(SKOS, "Concept"))
            g.add(role, RDF_TYPE, org("Role"))
            g.add(role, _term(SKOS, "prefLabel"), _literal(membership.role))
        for ev in membership.evidence:
            g.add(node, kg("evidence"), _evidence(g, article, ident, ev))


def vocabulary_quads() -> list[ox.Quad]:
    """The kg: vocabulary, for the default graph of every dataset."""
    path = schema_file("vocabulary.ttl")
    return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
            for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


def format_for(path: Path) -> ox.RdfFormat:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UsageError(f"{path}: unknown output format; use one of {', '.join(sorted(FORMATS))}")
    return fmt


def write_articles(chunks: Iterable[bytes], output: BinaryIO, fmt: ox.RdfFormat) -> None:
    """The vocabulary, then each article's N-Quads chunk: copied as they are for N-Quads, parsed back
    (fast) and streamed through one serialiser, with one set of prefixes, for the other formats."""
    if fmt == ox.RdfFormat.N_QUADS:
        output.write(ox.serialize(vocabulary_quads(), format=fmt))
        for chunk in chunks:
            output.write(chunk)
        return
    parsed = (quad for chunk in chunks for quad in ox.parse(chunk, format=ox.RdfFormat.N_QUADS))
    write_dataset(itertools.chain(vocabulary_quads(), parsed), output, fmt)


def write_dataset(quads: Iterable[ox.Quad], output: BinaryIO, fmt: ox.RdfFormat) -> None:
    """Stream quads out; Turtle gets triples (the contract's default graph only)."""
    stream: Iterator[ox.Quad] | Iterator[ox.Triple] = iter(quads)
    if fmt == ox.RdfFormat.TURTLE:
        stream = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    ox.serialize(stream, output, format=fmt, prefixes=PREFIXES if fmt != ox.RdfFormat.N_QUADS else None)
