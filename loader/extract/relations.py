"""Memberships, role references and events of the declared kinds from masked sentences.

Two views of each sentence are used. The *entity view* masks every mention; membership and
role-reference rules run on it. The *event view* then masks a whole membership span
(`President of Iran Ebrahim Raisi`) and every resolved role reference (`the secretary general
of Islamic Jihad`) as the person it names, so event rules see `{PER} met with {PER}`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import TypeVar

import regex

from loader.extract.dates import find_dates
from loader.extract.masking import MaskedSentence
from loader.model import DateValue, Entity, Event, Evidence, Membership, Mention, Sentence
from loader.rules.compiled import CONCURRENT, MARK_OPEN, POLITY_CODE, Compiled, CompiledRules, KindSpec

_STOP = frozenset({"the", "of", "a", "an"})


def role_label(title: str, unit: str | None) -> str:
    """`Head of the Political Bureau` → `head of the political bureau`; a unit joins with `of the`."""
    label = _strip_article(" ".join(title.split()).lower())
    if unit:
        label = f"{label} of the {_strip_article(' '.join(unit.split()).lower())}"
    return label


def _strip_article(text: str) -> str:
    return text[4:] if text.startswith("the ") else text


_WORDS = regex.compile(r"[\s-]+")


def role_key(label: str) -> tuple[str, ...]:
    """`the Head of the Political Bureau` and `head of political bureau` have one key."""
    return tuple(w for w in _WORDS.split(label.lower().replace("’", "'")) if w and w not in _STOP)


class RoleHolders:
    """Who holds which role in one article, to resolve roles named without their holder."""

    def __init__(self, memberships: list[Membership], generic_titles: frozenset[str],
                 synonyms: dict[str, str] | None = None):
        self.synonyms = synonyms or {}
        self.exact: dict[tuple[str, tuple[str, ...]], str] = {}
        self.by_role: dict[tuple[str, ...], set[str]] = {}
        self.by_org: dict[str, set[str]] = {}
        for m in memberships:
            key = self.key(m.role)
            self.exact.setdefault((m.organization, key), m.person)
            self.by_role.setdefault(key, set()).add(m.person)
            self.by_org.setdefault(m.organization, set()).add(m.person)
        self.generic = {role_key(t) for t in generic_titles}
        self.empty = not memberships

    def key(self, label: str) -> tuple[str, ...]:
        """The role's key, synonyms unified (`premier` is `prime minister`)."""
        return role_key(self.synonyms.get(label.lower(), label))

    def resolve(self, organization: str | None, label: str) -> str | None:
        """Exact (organisation, role); else a bare title held by one person; else a generic
        title (`the Hamas leader`) naming the organisation's only member in the article."""
        key = self.key(label)
        if organization is None:
            return _only(self.by_role.get(key, set()))
        found = self.exact.get((organization, key))
        if found is None and key in self.generic:
            found = _only(self.by_org.get(organization, set()))
        return found


def _only(people: set[str]) -> str | None:
    return next(iter(people)) if len(people) == 1 else None


class RelationFinder:
    def __init__(self, rules: CompiledRules):
        self.rules = rules

    # -- memberships ------------------------------------------------------------
    def memberships(self, views: list[tuple[Sentence, MaskedSentence]], present: dict[int, frozenset[str]],
                    country: str | None = None) -> list[tuple[Membership, int, int]]:
        """(membership, article span of the whole match) for every membership rule match. `country`: the
        article's country by its dateline, the organisation of the rules that take it from there; their
        memberships give way to any other rule's for the same person."""
        found: list[tuple[Membership, int, int]] = []
        from_dateline: list[tuple[Membership, int, int]] = []
        for sentence, masked in views:
            if MARK_OPEN + "P" not in masked.text:
                continue
            for compiled in self.rules.applicable("memberships", present[sentence.start]):
                dateline = compiled.rule.org_from == "dateline"
                if (dateline and country is None) or compiled.rule.org_from == "reference":
                    continue
                for match in compiled.finditer(masked.text, masked.folded):
                    if compiled.rule.respectively:
                        found += self._respective(compiled, match, masked, sentence)
                        continue
                    membership = self._membership(compiled, match, masked, sentence, country if dateline else None)
                    if membership:
                        # the membership's span: the `at` group where a rule names it, else the match
                        span = match.span("at") if "at" in match.groupdict() else match.span()
                        (from_dateline if dateline else found).append((membership, *masked.abs_span(*span)))
        placed = {m.person for m, _, _ in found}
        return found + [item for item in from_dateline if item[0].person not in placed]

    def _membership(self, compiled: Compiled, match: regex.Match[str], masked: MaskedSentence,
                    sentence: Sentence, country: str | None = None) -> Membership | None:
        persons = _coded(masked, match, "person", {"P"})
        # a place holds an office only where a rule says so ({PLACE}: "Abu Dhabi Crown Prince X")
        orgs = [country] if country else _coded(masked, match, "org", {"O", POLITY_CODE, "L"})
        if not persons or not orgs:
            return None
        unit = match.group("unit") if "unit" in match.groupdict() else None
        label = role_label(match.group("title"), unit)
        if MARK_OPEN in label:
            return None
        return Membership(persons[-1], orgs[-1], label, [_evidence(sentence, compiled)])

    def _respective(self, compiled: Compiled, match: regex.Match[str], masked: MaskedSentence,
                    sentence: Sentence) -> list[tuple[Membership, int, int]]:
        """`the foreign ministers of A and B, X and Y`: X holds the title in A, Y in B (each membership's
        span: its person's)."""
        orgs = [_coded(masked, match, "org", {"O", POLITY_CODE}, span=span) for span in match.spans("org")]
        persons = [(_coded(masked, match, "person", {"P"}, span=span), span) for span in match.spans("person")]
        label = role_label(match.group("title"), None)
        if len(orgs) != len(persons) or MARK_OPEN in label:
            return []
        out = []
        for org, (person, span) in zip(orgs, persons, strict=True):
            if len(org) == 1 and len(person) == 1:
                out.append((Membership(person[0], org[0], label, [_evidence(sentence, compiled)]),
                            *masked.abs_span(*span)))
        return out

    def from_references(self, views: list[tuple[Sentence, MaskedSentence]], holders: RoleHolders,
                        placed: set[str], present: dict[int, frozenset[str]]) -> list[tuple[Membership, int, int]]:
        """Positions of the rules with `org_from: reference`: "President X" with no country, where the article
        also names "the country's president" (or "Iran's president") and no one holds that. A title gives a
        position only when one person alone bears it bare and its references name one organisation."""
        bare: dict[tuple[str, ...], dict[str, tuple[Membership, int, int]]] = {}
        for sentence, masked in views:
            for compiled in self.rules.applicable("memberships", present[sentence.start]):
                if compiled.rule.org_from != "reference":
                    continue
                for match in compiled.finditer(masked.text, masked.folded):
                    persons = _coded(masked, match, "person", {"P"})
                    label = role_label(match.group("title"), None)
                    if len(persons) == 1 and persons[0] not in placed and MARK_OPEN not in label:
                        item = (Membership(persons[0], "", label, [_evidence(sentence, compiled)]),
                                *masked.abs_span(*match.span()))
                        bare.setdefault(holders.key(label), {}).setdefault(persons[0], item)
        if not bare:
            return []
        wanted: dict[tuple[str, ...], set[str]] = {}
        for sentence, masked in views:
            for compiled in self.rules.applicable("role_references", present[sentence.start]):
                if "org" not in compiled.regex.groupindex:
                    continue
                for match in compiled.finditer(masked.text, masked.folded):
                    orgs = _coded(masked, match, "org", {"O", POLITY_CODE})
                    unit = match.group("unit") if "unit" in match.groupdict() else None
                    label = role_label(match.group("title"), unit)
                    if orgs and holders.resolve(orgs[-1], label) is None:
                        wanted.setdefault(holders.key(label), set()).add(orgs[-1])
        out = []
        for key, people in bare.items():
            named = wanted.get(key, set())
            if len(people) == 1 and len(named) == 1:
                membership, start, end = next(iter(people.values()))
                out.append((replace(membership, organization=next(iter(named))), start, end))
        return out

    # -- role references --------------------------------------------------------
    def role_references(self, views: list[tuple[Sentence, MaskedSentence]], holders: RoleHolders,
                        taken: list[tuple[int, int]], present: dict[int, frozenset[str]]) -> list[Mention]:
        """`the secretary general of Islamic Jihad` → a mention of whoever the article says holds it."""
        out: list[Mention] = []
        if holders.empty:
            return out
        for sentence, masked in views:
            for compiled in self.rules.applicable("role_references", present[sentence.start]):
                for match in compiled.finditer(masked.text, masked.folded):
                    orgs = _coded(masked, match, "org", {"O", POLITY_CODE}) if "org" in match.groupdict() else []
                    unit = match.group("unit") if "unit" in match.groupdict() else None
                    person = holders.resolve(orgs[-1] if orgs else None, role_label(match.group("title"), unit))
                    start, end = masked.abs_span(match.start(), match.end())
                    if person and not any(s < end and start < e for s, e in taken):
                        text = sentence.text[start - sentence.start:end - sentence.start]
                        out.append(Mention(person, start, end, text, f"coref:{compiled.rule.id}"))
                        taken.append((start, end))
        return out

    # -- events -----------------------------------------------------------------
    def events(self, views: list[tuple[Sentence, MaskedSentence]], anchor: date | None, entities: Mapping[str, Entity],
               present: dict[int, frozenset[str]]) -> list[Event]:
        """Events of every declared kind in the views (which hold at least as many placeholders as the
        kinds whose rules may fire on them need: build_views' `wanted`)."""
        found: list[Event] = []
        for sentence, masked in views:
            rules = self.rules.applicable("events", present[sentence.start])
            if not rules:
                continue
            excluded: set[int] | None = None
            when: DateValue | None = None
            dated = False
            for compiled in rules:
                kind = self.rules.kinds[compiled.rule.kind]
                for match in compiled.finditer(masked.text, masked.folded):
                    if excluded is None:
                        excluded = self._complements(masked)
                    if kind.date and not dated:
                        when, dated = _first_date(sentence, anchor, self.rules, present[sentence.start]), True
                    values = self._values(kind, match, masked, sentence, entities)
                    if values is None:
                        continue
                    evidence = _evidence(sentence, compiled)
                    for parties in _party_sets(kind, compiled, match, masked, excluded):
                        if compiled.rule.answers:
                            found.append(Event(kind.id, parties[::-1], None, dict(values), None, [evidence]))
                            found.append(Event(kind.id, parties, when if kind.date else None, values,
                                               parties[::-1], [evidence]))
                        else:
                            found.append(Event(kind.id, parties, when if kind.date else None, values, None,
                                               [evidence]))
        return found

    def _values(self, kind: KindSpec, match: regex.Match[str], masked: MaskedSentence, sentence: Sentence,
                entities: Mapping[str, Entity]) -> dict[str, str] | None:
        """The kind's place and text slots from the match (None when a required one is missing)."""
        values: dict[str, str] = {}
        groups = match.groupdict()
        for name in kind.places:
            place = self._place(masked, match, entities, name)
            if place:
                values[name] = place
        for name in kind.texts:
            if groups.get(name):
                start, end = masked.abs_span(*match.span(name))
                text = " ".join(sentence.text[start - sentence.start:end - sentence.start].split())
                if text:
                    values[name] = text
        if any(name not in values for name in kind.required if name in kind.places or name in kind.texts):
            return None
        return values

    def _complements(self, masked: MaskedSentence) -> set[int]:
        out: set[int] = set()
        for compiled in self.rules.complements:
            for match in compiled.regex.finditer(masked.text, None, None, True, CONCURRENT):
                out.update(masked.placeholders(match.start("x"), match.end("x")))
        return out

    def _place(self, masked: MaskedSentence, match: regex.Match[str], entities: Mapping[str, Entity],
               group: str = "place") -> str | None:
        """The event's place: its own group (`place`), else a place rule's hit before the end of the
        clause that holds the match ("met X in Amman on Sunday", not "... developments in Palestine")."""
        candidates = _coded(masked, match, group, {"L", POLITY_CODE}) if group in match.groupdict() else []
        if not candidates:
            end = _clause_end(masked.text, match.end())
            for compiled in self.rules.places:
                for hit in compiled.regex.finditer(masked.text, 0, end, True, CONCURRENT):
                    candidates += _coded(masked, hit, "place", {"L", POLITY_CODE})
        if not candidates:
            return None
        priority = self.rules.place_priority
        rank = {c: i for i, c in enumerate(priority)}
        return min(candidates, key=lambda e: rank.get(entities[e].schema_class, len(priority)))


F = TypeVar("F", Event, Membership)

_CLAUSE_BREAK = regex.compile(  # a comma that only closes an apposition (", in Tehran") goes on
    r",(?!\s+(?:in|at|on)\s)|[;:.!?]|\s(?:to|in\s+order\s+to|for|about|regarding|and\s+(?:discussed|said|stressed))\s")


def _clause_end(text: str, start: int) -> int:
    """Where the clause that continues after `start` ends (at most 60 characters on)."""
    found = _CLAUSE_BREAK.search(text, start, start + 60, CONCURRENT)
    return found.start() if found else min(len(text), start + 60)


def _coded(masked: MaskedSentence, match: regex.Match[str], group: str, codes: set[str],
           excluded: set[int] | frozenset[int] = frozenset(), span: tuple[int, int] | None = None) -> list[str]:
    """Entity ids of the placeholders of the given codes in every capture of `group` (or in one `span`)."""
    out: list[str] = []
    for start, end in ([span] if span else match.spans(group)):
        for index in masked.placeholders(start, end):
            if index not in excluded and masked.replacements[index].code in codes:
                entity_id = masked.replacements[index].entity_id
                if entity_id not in out:
                    out.append(entity_id)
    return out


# "X and an accompanying Hamas delegation", "X and his Hamas delegation": X's party, not a party of its own
_ACCOMPANYING = regex.compile(r"\b(?i:accompanying|his|her|their)\s+$")
# "a Hamas delegation headed by X", "Sinwar's envoy, X": the organisation only qualifies the person after it
_LED_BY = regex.compile(
    r"^[\s,]*(?:(?i:delegation|team|group|side),?\s+)?(?:(?i:headed|led|chaired)\s+(?i:by)\b|[’']s?\s)")


def _agents(masked: MaskedSentence, match: regex.Match[str], group: str, excluded: set[int]) -> list[str]:
    """The persons and organisations of a slot. An organisation gives way to the person named with it
    ("a Hamas delegation headed by X", "Sinwar's envoy, X"), and every organisation to the slot's persons
    unless it is an item of its own in a list ("met X and a Hezbollah delegation")."""
    if group not in match.groupdict():
        return []
    persons = _coded(masked, match, group, {"P"}, excluded)
    orgs = _coded(masked, match, group, {"O"}, excluded)
    if not persons or not orgs:
        return persons or orgs
    spans = match.spans(group)
    own: list[str] = []
    for i, (start, end) in enumerate(spans):
        ids = [masked.replacements[k] for k in masked.placeholders(start, end) if k not in excluded]
        following = masked.text[end:spans[i + 1][0]] if i + 1 < len(spans) else ""
        preceding = masked.text[spans[i - 1][1]:start] if i else ""
        if len(ids) == 1 and ids[0].code == "O" and not _LED_BY.match(following) \
                and not _ACCOMPANYING.search(preceding):
            own.append(ids[0].entity_id)
    return persons + [o for o in own if o not in persons]


def _party_sets(kind: KindSpec, compiled: Compiled, match: regex.Match[str], masked: MaskedSentence,
                excluded: set[int]) -> Iterator[tuple[str, ...]]:
    """The parties of each event a match states. Symmetric kinds: one event of all `participants` (or of
    the kind's own agent slot), else one per `subject` and `objects` pair, else one per `subject` where a
    kind needs one party. Directed kinds: one per combination of the agent slots' entities."""
    groups = match.groupdict()
    if not kind.symmetric:
        choices = [_agents(masked, match, slot, excluded) for slot in kind.agents]
        for combination in itertools.product(*choices):
            if len(set(combination)) == len(combination):
                yield combination
        return
    together = "participants" in groups or compiled.rule.participants == "group"
    if together or kind.agents[0] in groups:
        parties = set(_agents(masked, match, "participants", excluded) or _agents(masked, match, kind.agents[0],
                                                                                   excluded))
        if not parties:
            parties = set(_agents(masked, match, "subject", excluded) + _agents(masked, match, "objects", excluded))
        if len(parties) >= kind.min_parties:
            yield tuple(sorted(parties))
        return
    subjects = _agents(masked, match, "subject", excluded)
    if "objects" not in groups:
        if kind.min_parties <= 1:
            yield from ((subject,) for subject in subjects)
        return
    for subject in subjects:
        for other in _agents(masked, match, "objects", excluded):
            if other != subject:
                yield tuple(sorted((subject, other)))


def _first_date(sentence: Sentence, anchor: date | None, rules: CompiledRules,
                present: frozenset[str]) -> DateValue | None:
    for _, _, value in find_dates(sentence.text, anchor, rules, present):
        if value is not None:
            return value
    return None


def _evidence(sentence: Sentence, compiled: Compiled) -> Evidence:
    return Evidence(sentence.start, sentence.end, sentence.text, compiled.rule.id)


def _compatible(a: DateValue | None, b: DateValue | None) -> bool:
    return a is None or b is None or a.value == b.value


def merge_events(events: list[Event], kinds: Mapping[str, KindSpec]) -> list[Event]:
    """One event per kind, parties and identity slots, and compatible dates, within an article: later
    reports fold into the first (date, place and other slots filled in, evidence unioned)."""
    buckets: dict[Hashable, list[Event]] = {}
    out: list[Event] = []
    seen: dict[int, set[Evidence]] = {}
    for event in events:
        kind = kinds[event.kind]
        parties: Hashable = frozenset(event.parties) if kind.symmetric else event.parties
        key = (event.kind, parties, tuple(event.values.get(name) for name in kind.identity))
        bucket = buckets.setdefault(key, [])
        same = next((e for e in bucket if _compatible(e.date, event.date)), None)
        if same is None:
            copy = replace(event, values=dict(event.values), evidence=list(event.evidence))
            bucket.append(copy)
            out.append(copy)
            seen[id(copy)] = set(copy.evidence)
            continue
        same.date = same.date or event.date
        same.answers = same.answers or event.answers
        for name, value in event.values.items():
            same.values.setdefault(name, value)
        known = seen[id(same)]
        for ev in event.evidence:
            if ev not in known:
                known.add(ev)
                same.evidence.append(ev)
    return out


def places_from_context(events: list[Event], kinds: Mapping[str, KindSpec]) -> None:
    """An event without a place takes the place of the article's events of its kind's `place_from`
    kinds (a meeting during a visit happened where the visit went), when its parties' such events
    name exactly one place."""
    for event in events:
        kind = kinds[event.kind]
        if not kind.kind.place_from or not kind.places or kind.places[0] in event.values:
            continue
        found = {value for other in events if other.kind in kind.kind.place_from
                 and not set(other.parties).isdisjoint(event.parties)
                 for name in kinds[other.kind].places if (value := other.values.get(name))}
        if len(found) == 1:
            event.values[kind.places[0]] = found.pop()


def _merge_by(items: list[F], key: Callable[[F], Hashable], absorb: Callable[[F, F], None]) -> list[F]:
    """One fact per key: later ones fold into the first (`absorb`), evidence is unioned."""
    out: dict[Hashable, F] = {}
    for item in items:
        item_key = key(item)
        same = out.get(item_key)
        if same is None:
            out[item_key] = replace(item, evidence=list(item.evidence))
            continue
        absorb(same, item)
        same.evidence += [e for e in item.evidence if e not in same.evidence]
    return list(out.values())


def prefer_people(events: list[Event], members: set[tuple[str, str]]) -> list[Event]:
    """Drop an event naming an organisation where the article has the same event naming one of its
    members instead ("Raisi writes to UN" in the headline, "to UN Secretary-General Guterres" below)."""
    keyed = {(e.kind, e.parties) for e in events}
    by_org: dict[str, list[str]] = {}
    for person, organization in members:
        by_org.setdefault(organization, []).append(person)
    return [e for e in events if not _covered(e.kind, e.parties, keyed, by_org)]


def _covered(kind: str, parties: tuple[str, ...], keyed: set[tuple[str, tuple[str, ...]]],
             by_org: dict[str, list[str]]) -> bool:
    """Whether putting a member in place of one of these parties gives an event the article has."""
    for i, party in enumerate(parties):
        for person in by_org.get(party, ()):
            swapped = (*parties[:i], person, *parties[i + 1:])
            if (kind, swapped) in keyed or (kind, tuple(sorted(swapped))) in keyed:
                return True
    return False


def merge_memberships(found: list[Membership]) -> list[Membership]:
    """One membership per person and organisation in an article: the most specific role wins."""

    def absorb(same: Membership, other: Membership) -> None:
        if len(other.role) > len(same.role):
            same.role = other.role

    return _merge_by(found, lambda m: (m.person, m.organization), absorb)
