"""Memberships, role references, meetings and messages from masked sentences.

Two views of each sentence are used. The *entity view* masks every mention; membership and
role-reference rules run on it. The *event view* then masks a whole membership span
(`President of Iran Ebrahim Raisi`) and every resolved role reference (`the secretary general
of Islamic Jihad`) as the person it names, so event rules see `{PER} met with {PER}`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from typing import TypeVar

import regex

from loader.extract.dates import find_dates
from loader.extract.masking import MaskedSentence
from loader.model import DateValue, Entity, Evidence, Meeting, Membership, Mention, Message, Sentence
from loader.rules.compiled import MARK_OPEN, POLITY_CODE, Compiled, CompiledRules

_STOP = frozenset({"the", "of", "a", "an"})
EVENT_PARTIES = 2  # an event view needs at least this many placeholders


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
    def memberships(self, views: list[tuple[Sentence, MaskedSentence]],
                    present: dict[int, frozenset[str]]) -> list[tuple[Membership, int, int]]:
        """(membership, article span of the whole match) for every membership rule match."""
        found = []
        for sentence, masked in views:
            if MARK_OPEN + "P" not in masked.text:
                continue
            for compiled in self.rules.applicable("memberships", present[sentence.start]):
                for match in compiled.finditer(masked.text, masked.folded):
                    membership = self._membership(compiled, match, masked, sentence)
                    if membership:
                        found.append((membership, *masked.abs_span(match.start(), match.end())))
        return found

    def _membership(self, compiled: Compiled, match: regex.Match[str], masked: MaskedSentence,
                    sentence: Sentence) -> Membership | None:
        persons = _coded(masked, match, "person", {"P"})
        orgs = _coded(masked, match, "org", {"O", POLITY_CODE})
        if not persons or not orgs:
            return None
        unit = match.group("unit") if "unit" in match.groupdict() else None
        label = role_label(match.group("title"), unit)
        if MARK_OPEN in label:
            return None
        return Membership(persons[-1], orgs[-1], label, [_evidence(sentence, compiled)])

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
               present: dict[int, frozenset[str]]) -> tuple[list[Meeting], list[Message]]:
        """Meetings and messages in views holding at least EVENT_PARTIES placeholders (build_views'
        `min_replacements`): an event with fewer parties can't be matched."""
        meetings: list[Meeting] = []
        messages: list[Message] = []
        for sentence, masked in views:
            rules = self.rules.applicable("events", present[sentence.start])
            if not rules:
                continue
            excluded: set[int] | None = None
            when: DateValue | None = None
            dated = False
            for compiled in rules:
                for match in compiled.finditer(masked.text, masked.folded):
                    if excluded is None:
                        excluded = self._complements(masked)
                    if not dated:
                        when, dated = _first_date(sentence, anchor, self.rules, present[sentence.start]), True
                    evidence = _evidence(sentence, compiled)
                    if compiled.rule.kind == "meeting":
                        place = self._place(masked, match, entities)
                        meetings += [Meeting(p, when, place, [evidence]) for p in
                                     _meeting_parties(compiled, match, masked, excluded)]
                    else:
                        messages += list(_messages(compiled, match, masked, excluded, when, evidence))
        return meetings, messages

    def _complements(self, masked: MaskedSentence) -> set[int]:
        out: set[int] = set()
        for compiled in self.rules.complements:
            for match in compiled.regex.finditer(masked.text, overlapped=True):
                out.update(masked.placeholders(match.start("x"), match.end("x")))
        return out

    def _place(self, masked: MaskedSentence, match: regex.Match[str], entities: Mapping[str, Entity]) -> str | None:
        """The event's place: its own `place` group, else a place rule's hit before the end of the
        clause that holds the match ("met X in Amman on Sunday", not "... developments in Palestine")."""
        candidates = _coded(masked, match, "place", {"L", POLITY_CODE}) if "place" in match.groupdict() else []
        if not candidates:
            end = _clause_end(masked.text, match.end())
            for compiled in self.rules.places:
                for hit in compiled.regex.finditer(masked.text, 0, end, overlapped=True):
                    candidates += _coded(masked, hit, "place", {"L", POLITY_CODE})
        if not candidates:
            return None
        priority = self.rules.place_priority
        rank = {c: i for i, c in enumerate(priority)}
        return min(candidates, key=lambda e: rank.get(entities[e].schema_class, len(priority)))


F = TypeVar("F", Message, Membership)
G = TypeVar("G", Meeting, Message)

_CLAUSE_BREAK = regex.compile(  # a comma that only closes an apposition (", in Tehran") goes on
    r",(?!\s+(?:in|at|on)\s)|[;:.!?]|\s(?:to|in\s+order\s+to|for|about|regarding|and\s+(?:discussed|said|stressed))\s")


def _clause_end(text: str, start: int) -> int:
    """Where the clause that continues after `start` ends (at most 60 characters on)."""
    found = _CLAUSE_BREAK.search(text, start, start + 60)
    return found.start() if found else min(len(text), start + 60)


def _coded(masked: MaskedSentence, match: regex.Match[str], group: str, codes: set[str],
           excluded: set[int] | frozenset[int] = frozenset()) -> list[str]:
    """Entity ids of the placeholders of the given codes in every capture of `group`."""
    out: list[str] = []
    for start, end in match.spans(group):
        for index in masked.placeholders(start, end):
            if index not in excluded and masked.replacements[index].code in codes:
                entity_id = masked.replacements[index].entity_id
                if entity_id not in out:
                    out.append(entity_id)
    return out


def _agents(masked: MaskedSentence, match: regex.Match[str], group: str, excluded: set[int]) -> list[str]:
    """Persons in a slot; organisations only when the slot names no person."""
    if group not in match.groupdict():
        return []
    persons = _coded(masked, match, group, {"P"}, excluded)
    return persons or _coded(masked, match, group, {"O"}, excluded)


def _meeting_parties(compiled: Compiled, match: regex.Match[str], masked: MaskedSentence,
                     excluded: set[int]) -> Iterator[tuple[str, ...]]:
    if compiled.rule.participants == "group" or "participants" in match.groupdict():
        parties = _agents(masked, match, "participants", excluded) or (
            _agents(masked, match, "subject", excluded) + _agents(masked, match, "objects", excluded))
        if len(set(parties)) >= 2:
            yield tuple(sorted(set(parties)))
        return
    for subject in _agents(masked, match, "subject", excluded):
        for other in _agents(masked, match, "objects", excluded):
            if other != subject:
                yield tuple(sorted((subject, other)))


def _messages(compiled: Compiled, match: regex.Match[str], masked: MaskedSentence, excluded: set[int],
              when: DateValue | None, evidence: Evidence) -> Iterator[Message]:
    for sender in _agents(masked, match, "sender", excluded):
        for recipient in _agents(masked, match, "recipient", excluded):
            if sender == recipient:
                continue
            if compiled.rule.answers:
                yield Message(recipient, sender, None, None, [evidence])
                yield Message(sender, recipient, when, (recipient, sender), [evidence])
            else:
                yield Message(sender, recipient, when, None, [evidence])


def _first_date(sentence: Sentence, anchor: date | None, rules: CompiledRules,
                present: frozenset[str]) -> DateValue | None:
    for _, _, value in find_dates(sentence.text, anchor, rules, present):
        if value is not None:
            return value
    return None


def _evidence(sentence: Sentence, compiled: Compiled) -> Evidence:
    return Evidence(sentence.start, sentence.end, sentence.text, compiled.rule.id)


def merge_meetings(meetings: list[Meeting]) -> list[Meeting]:
    """One meeting per participant set and compatible date within an article."""
    out: list[Meeting] = []
    for meeting in meetings:
        same = next((m for m in out if set(m.participants) == set(meeting.participants)
                     and (m.date is None or meeting.date is None or m.date.value == meeting.date.value)), None)
        if same is None:
            out.append(Meeting(meeting.participants, meeting.date, meeting.place, list(meeting.evidence)))
            continue
        same.date = same.date or meeting.date
        same.place = same.place or meeting.place
        same.evidence += [e for e in meeting.evidence if e not in same.evidence]
    return out


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


def merge_messages(messages: list[Message]) -> list[Message]:
    """One message per sender and recipient within an article."""

    def absorb(same: Message, other: Message) -> None:
        same.date = same.date or other.date
        same.answers = same.answers or other.answers

    return _merge_by(messages, lambda m: (m.sender, m.recipient), absorb)


def _parties(fact: Meeting | Message) -> tuple[str, ...]:
    return fact.participants if isinstance(fact, Meeting) else (fact.sender, fact.recipient)


def prefer_people(facts: list[G], members: set[tuple[str, str]]) -> list[G]:
    """Drop a fact naming an organisation where the article has the same fact naming one of its
    members instead ("Raisi writes to UN" in the headline, "to UN Secretary-General Guterres" below)."""
    keyed = {_parties(f) for f in facts}
    return [f for f in facts if not _covered(_parties(f), keyed, members)]


def _covered(parties: tuple[str, ...], keyed: set[tuple[str, ...]], members: set[tuple[str, str]]) -> bool:
    """Whether putting a member in place of one of these parties gives a fact the article has."""
    for i, party in enumerate(parties):
        for person, organization in members:
            if organization == party:
                swapped = (*parties[:i], person, *parties[i + 1:])
                if swapped in keyed or tuple(sorted(swapped)) in keyed:
                    return True
    return False


def merge_memberships(found: list[Membership]) -> list[Membership]:
    """One membership per person and organisation in an article: the most specific role wins."""

    def absorb(same: Membership, other: Membership) -> None:
        if len(other.role) > len(same.role):
            same.role = other.role

    return _merge_by(found, lambda m: (m.person, m.organization), absorb)
