"""Typed schema of the rule files: every section, every field, unknown keys rejected.

A rule directory is a set of YAML files; each holds any of the sections of `RuleFile`.
Lists with ids are merged across files and ids must be unique within a section.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Pattern = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Kind = Literal["Person", "Organization", "Place"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntityRule(Strict):
    """A gazetteer entry: one real-world entity and the names it goes by."""

    id: RuleId
    type: Kind
    schema_class: str | None = Field(None, description="schema.org class, e.g. Country; default: the type")
    name: Text
    # default_factory, not []: pydantic deep-copies a default list for every entry (2 s for 30,000 places)
    aliases: list[Text] = Field(default_factory=list)
    exact: list[Text] = Field(default_factory=list, description="aliases matched with exact case only")
    coref: list[Text] = Field(default_factory=list, description="names that refer to it only after a full mention")
    case_sensitive: bool = Field(False, description="match every name with exact case (Tyre, not tyre)")
    adjectives: list[Text] = Field(
        default_factory=list,
        description="country adjectives and demonyms (Kenyan, Kenyans), exact case: they stand for the place "
                    "in patterns ('Kenyan President X') but alone are no mention of it")
    context: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$")] | None = Field(
        None, description="a lexicon word list (place_cues): the names count only right after one of its words "
                          "('in Mombasa') or in a dateline, and not before another capitalised word")
    same_as: list[Text] = Field(default_factory=list)
    part_of: RuleId | None = None
    capital_of: RuleId | None = Field(
        None, description="the country whose capital this city is: a dateline in it tells the article's country "
                          "(a bare 'President X' in an article datelined Cairo is Egypt's)")


class Example(Strict):
    """A sentence a rule must handle, and what it must give: its slots (`subject`/`objects` or the kind's
    slot names for events, `person`/`org`/`title` for positions, `name` for names), or `none`."""

    text: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    gives: dict[Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")], Text | list[Text]] | Literal["none"]


class SentenceRule(Strict):
    """A pattern run on masked sentences, with the word hints that spare the regex engine work."""

    id: RuleId
    pattern: Pattern
    examples: list[Example] = Field([], description="sentences the rule must handle; `rules check` runs them")
    triggers: list[Text] = Field([], description="words (or @lexicon lists) one of which the sentence must hold")
    triggers_also: list[Text] = Field(
        [], description="more words one of which the sentence must also hold: a rule needing a verb and a noun "
                        "('delivered' and 'message') runs only where both are")
    starts_with: list[Text] = Field(
        [], description="words (or @lexicon lists) every match begins with: the pattern is tried only where "
                        "one begins, not at every character (a speed hint; a word missing here loses matches)")


class NamePatternRule(SentenceRule):
    """A pattern that finds names no gazetteer knows (run on text with known entities masked)."""

    required_groups: ClassVar[tuple[frozenset[str], ...]] = (frozenset({"name"}),)
    type: Kind
    schema_class: str | None = None
    alias_group: str | None = Field(None, description="group holding an alias, e.g. an acronym")
    check_acronym: bool = Field(False, description="alias must be the initials of the name")


class MembershipRule(SentenceRule):
    """Person holds a role in an organisation; groups: person, org, title, optional unit, and optional `at`:
    the part of the match that names the person (what the event rules see in its place; default: the match)."""

    required_groups: ClassVar[tuple[frozenset[str], ...]] = (frozenset({"person", "org", "title"}),)
    respectively: bool = Field(
        False, description="the org and person groups repeat, as in 'the foreign ministers of A and B, X and Y': "
                           "the n-th person holds the title in the n-th organisation (nothing when the counts differ)")
    org_from: Literal["dateline", "reference"] | None = Field(
        None, description="the rule has no org group. dateline: the organisation is the country whose capital "
                          "is the article's dateline (no dateline capital, no membership); reference: the one "
                          "organisation of the article's role references to the title that name no holder ('the "
                          "country's foreign minister'), where one person alone bears the title bare. Either "
                          "membership is dropped where another rule gives the person a position")


class RoleReferenceRule(SentenceRule):
    """A role named without its holder (`the head of the political bureau of Hamas`); groups: org, title."""

    required_groups: ClassVar[tuple[frozenset[str], ...]] = (frozenset({"title"}),)


class ComplementRule(Strict):
    """An entity that only qualifies a title (`representative of the Leader ...`); group: x."""

    required_groups: ClassVar[tuple[frozenset[str], ...]] = (frozenset({"x"}),)
    id: RuleId
    pattern: Pattern


Curie = Annotated[str, StringConstraints(pattern=r"^(?:[a-z][a-z0-9]*:[A-Za-z_][\w.-]*|https?://\S+)$",
                                         max_length=300)]
SlotName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$", max_length=40)]
Label = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=60)]


class Slot(Strict):
    """One thing an event states: a party (agent), its place, its date or a text, and the RDF
    predicate that carries it."""

    predicate: Curie
    type: Literal["agent", "place", "date", "text"]
    required: bool = Field(False, description="an event without it is not emitted")


class EventKind(Strict):
    """A kind of event the rules can produce (meeting, message, call, ...): its RDF class, its slots,
    how its parties are read and how two reports of one event merge."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: RuleId
    class_: Curie = Field(alias="class", description="RDF class of the events, e.g. kg:PhoneCall")
    subclass_of: list[Curie] = Field(["schema:Event"], description="its superclasses, declared in the vocabulary")
    label: Label = Field(description="graph label of the events (and rdfs:label of the class)")
    plural: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z ]*$")] | None = Field(
        None, description="for summaries: `calls`; default: the id with an s")
    comment: str | None = None
    caption: Text = Field(description="the event's name, with slots in braces: 'Meeting of {attendee}'")
    parties: Literal["symmetric", "directed"] = Field(
        description="symmetric: one agent slot holds every party (meeting, call); directed: each agent slot "
                    "holds one party (message: sender, recipient)")
    min_parties: int = Field(2, ge=1, le=20, description="symmetric kinds: how many parties an event needs")
    slots: dict[SlotName, Slot]
    identity: list[SlotName] = Field(
        [], description="slots besides the parties that tell two events of one article apart (a visit's place)")
    shared: bool = Field(False, description="a report with a day date is the same event in every article "
                                            "(one IRI from kind, parties, identity and date)")
    reply: Curie | None = Field(None, description="predicate linking a reply to the event it answers")
    place_from: list[RuleId] = Field(
        [], description="kinds (visit) whose place an event of this kind without one takes: the place of "
                        "the article's events of those kinds that one of its parties is in, when there is one")
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")] = "#A5ABB6"


class EventRule(SentenceRule):
    """An event of a declared kind. Groups: the kind's slots by name; for a symmetric kind also `subject`
    and `objects` (one event per pair) or `participants` (one event of all)."""

    kind: RuleId = Field(description="the id of a declared event kind")
    participants: Literal["pairwise", "group"] = "pairwise"
    answers: bool = Field(False, description="a reply: also the answered event, recipient to sender")


class PlaceRule(Strict):
    """Where an event happened: a place entity in group `place`."""

    required_groups: ClassVar[tuple[frozenset[str], ...]] = (frozenset({"place"}),)
    id: RuleId
    pattern: Pattern


class LinePattern(Strict):
    id: RuleId
    pattern: Pattern
    max_paragraph: int = Field(3, ge=0, description="only in the first N body lines")
    known_place: bool = Field(False, description="datelines: the place group must name a place the gazetteer "
                                                 "knows (and nothing else), or the line is no dateline")


class DocumentRules(Strict):
    """What surrounds a news article's body: date lines, datelines, source lines, boilerplate."""

    published: list[LinePattern] = []
    datelines: list[LinePattern] = []
    source_lines: list[LinePattern] = []
    skip_lines: list[LinePattern] = []
    end_markers: list[LinePattern] = []
    skip_repeated_headline: bool = True
    max_bytes: int = Field(10_000_000, ge=1, description="larger files are skipped: no news article is this long")
    max_sentence_chars: int = Field(2000, ge=100, description="longer runs of text are cut at clause boundaries")
    date_order: Literal["DMY", "MDY", "YMD"] = Field(
        "DMY", description="how a numeric date line such as 08/04/2022 is read: day first (DMY) or month first")


class DatePattern(Strict):
    id: RuleId
    pattern: Pattern
    triggers: list[Text] = Field(
        [], description="words (or @months, @weekdays, @lexicon lists) one of which the sentence must hold "
                        "for the pattern to be tried (a speed hint; a word missing here loses dates)")


class RelativeDate(Strict):
    """What a relative word means against the article's date: `yesterday` is {unit: day, offset: -1}."""

    unit: Literal["day", "month"]
    offset: Annotated[int, Field(ge=-31, le=0)] = 0


class DateRules(Strict):
    months: dict[Text, Annotated[int, Field(ge=1, le=12)]] = {}
    weekdays: dict[Text, Annotated[int, Field(ge=0, le=6)]] = {}
    relative: dict[Text, RelativeDate] = Field(
        {}, description="words a `relative` group may hold, resolved against the article's date (never today's)")
    patterns: list[DatePattern] = []


class Lexicon(Strict):
    """Words the patterns and the code share: titles, honorifics, abbreviations, pronouns."""

    honorifics: list[Text] = []
    first_name_honorifics: list[Text] = Field(
        [], description="honorifics used with a first name alone, after the full name: Sheikh Abdullah")
    titles: list[Text] = []
    title_modifiers: list[Text] = []
    units: list[Text] = []
    abbreviations: list[Text] = []
    name_suffixes: list[Text] = Field(
        [], description="words after a surname that are not the surname: Jr., Sr. (Ferdinand Marcos Jr. is Marcos)")
    pronouns: list[Text] = []
    name_cues: list[Text] = Field([], description="words that introduce a name like a title: counterpart")
    generic_titles: list[Text] = Field([], description="titles that name an organisation's only member")
    title_synonyms: dict[Text, Text] = Field({}, description="titles that mean another: premier → prime minister")
    word_lists: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$")], list[Text]] = Field(
        {}, description="named lists of trigger words, used as @name in triggers")
    polity_references: list[Text] = Field(
        [], description="words that stand for the country named last before them: the country, the kingdom")
    polity_classes: list[Text] = []
    place_priority: list[Text] = []
    classes: dict[Kind, list[Text]] = {}


class RuleFile(Strict):
    """One YAML file under the rules directory."""

    version: Text | None = None
    description: str | None = None
    non_entities: list[Text] = Field([], description="phrases that name no entity and hide the names inside them")
    document: DocumentRules | None = None
    lexicon: Lexicon | None = None
    dates: DateRules | None = None
    macros: dict[Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]*$")], Pattern] = {}
    entities: list[EntityRule] = []
    name_patterns: list[NamePatternRule] = []
    complements: list[ComplementRule] = []
    memberships: list[MembershipRule] = []
    role_references: list[RoleReferenceRule] = []
    event_kinds: list[EventKind] = []
    events: list[EventRule] = []
    places: list[PlaceRule] = []


def _sections(kind: type) -> tuple[str, ...]:
    """RuleFile's sections whose value is a `kind` (a list of rules with ids, or one mapping)."""
    out = []
    for name, info in RuleFile.model_fields.items():
        annotation = info.annotation
        if get_origin(annotation) is list:
            args = get_args(annotation)
            if kind is list and args and isinstance(args[0], type) and issubclass(args[0], Strict):
                out.append(name)
        elif kind is not list and any(isinstance(a, type) and issubclass(a, Strict) for a in get_args(annotation)):
            out.append(name)
    return tuple(out)


# One declaration of the sections: RuleFile's fields. Lists of rules with ids, merged across files:
LIST_SECTIONS = _sections(list)
# Sections a directory defines once (document, lexicon, dates):
SINGLE_SECTIONS = _sections(dict)
