"""Plain data passed between the pipeline's stages: no rdflib, no Cypher, no rules."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field


class Spans:
    """Sorted, non-overlapping spans (an article's sentences), and which of them holds a hit."""

    def __init__(self, spans: Sequence[tuple[int, int]]):
        self.spans = spans
        self.starts = [start for start, _ in spans]  # bisecting ints, not tuples: a hot path

    def holding(self, start: int, end: int) -> int:
        """Index of the span that holds [start, end), or -1 when none does (a hit across a sentence
        end, or between sentences)."""
        i = bisect_right(self.starts, start) - 1
        return i if i >= 0 and end <= self.spans[i][1] else -1


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A non-empty body line: offsets into Article.text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Located:
    """A piece of the article that the document rules recognised (publisher, dateline place)."""

    text: str
    start: int
    end: int
    rule: str


@dataclass(frozen=True, slots=True)
class Article:
    """One source document as read: the whole text, and what surrounds its body."""

    identifier: str
    source: str
    content_hash: str
    text: str
    headline: Located
    paragraphs: tuple[Paragraph, ...]
    published: str | None = None
    published_rule: str | None = None
    publisher: Located | None = None
    dateline_place: Located | None = None


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    is_headline: bool = False


@dataclass(frozen=True, slots=True)
class Entity:
    """A canonical entity: stable id, its kind (Person/Organization/Place) and schema.org class."""

    id: str
    kind: str
    schema_class: str
    name: str
    same_as: tuple[str, ...] = ()
    part_of: str | None = None
    capital_of: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    entity_id: str
    start: int
    end: int
    text: str
    rule: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence a fact came from and the rule that produced it."""

    sentence_start: int
    sentence_end: int
    sentence: str
    rule: str


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date with its precision: `day` (xsd:date), `month` (xsd:gYearMonth) or `datetime`."""

    value: str
    precision: str
    text: str
    rule: str


@dataclass(slots=True)
class Event:
    """An event of a kind declared in the rules (meeting, message, call, visit, statement, ...).

    `parties` are entity ids: for a symmetric kind every party, sorted; for a directed kind one per
    agent slot, in the declared order (sender, recipient). `values` hold the place slots (entity ids)
    and text slots (text) by slot name. A reply's `answers` are the parties of the event it answers."""

    kind: str
    parties: tuple[str, ...]
    date: DateValue | None = None
    values: dict[str, str] = field(default_factory=dict)
    answers: tuple[str, ...] | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class Membership:
    person: str
    organization: str
    role: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class Facts:
    """Everything drawn from one article."""

    article: Article
    entities: dict[str, Entity]
    mentions: list[Mention]
    events: list[Event]
    memberships: list[Membership]
    publisher: str | None = None
    sentences: tuple[tuple[int, int], ...] = ()

    def of_kind(self, kind: str) -> list[Event]:
        return [e for e in self.events if e.kind == kind]
