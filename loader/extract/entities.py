"""Entity mentions: gazetteer (Aho-Corasick), name patterns, within-article coreference.

Selection is leftmost-longest. An alias listed under `coref:` (and the surname of a person
found by a name pattern) is accepted only once the entity was named in full earlier in the
same article; when several entities share it, the most recently named one wins.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick
import regex

from loader.extract.masking import MaskedSentence, Replacement, build_views
from loader.model import Article, Entity, Located, Mention, Sentence, Spans
from loader.rules.compiled import (
    CONCURRENT,
    MARK_CLOSE,
    MARK_OPEN,
    NO_ENTITY,
    POLITY_CODE,
    AliasEntry,
    CompiledRules,
    bounded,
    fold,
    freeze_gazetteer,
    gazetteer_entries,
    word_entries,
)

PRONOUN_WINDOW = 800
_ARABIC_ARTICLE = regex.compile(r"^(?i:al|el|ad|ar|as|an)-")
_GAP_SAME = regex.compile(r"[\s(]*")
_LAST_WORD = regex.compile(r"([\w-]+)\s+$")
# the rest of an Arabic name chain after a known person: "King Abdullah II| bin Al Hussein", "Mohammed bin
# Salman| bin Abdulaziz Al Saud": patronyms (bin, bint, ibn + a name), then perhaps the family's Al name
_NAME_CHAIN = regex.compile(r"(?:\s+(?:bin|bint|ibn)\s+(?:(?:Al|al|El|el)[\s-])?\p{Lu}[\p{L}’'-]*\p{Ll})+"
                            r"(?:\s+(?:Al|Āl)[\s-]\p{Lu}[\p{L}’'-]*\p{Ll})?")
# the placeholders a discovered name may hold, by its type: a country in a body's name, a place in a place's
_NAMES_INSIDE = {"Organization": frozenset({POLITY_CODE}), "Place": frozenset({POLITY_CODE, "L"}),
                 "Person": frozenset()}
_PLACEHOLDER_CODE = regex.compile(f"{MARK_OPEN}([A-Z])\\d+{MARK_CLOSE}")


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    entries: tuple[AliasEntry, ...]


def slug(name: str) -> str:
    """An id from a name: folded, diacritics dropped (`Çavuşoğlu` → `cavusoglu`), words joined by hyphens."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", fold(name)) if not unicodedata.combining(c))
    return re.sub(r"[^\w]+", "-", plain, flags=re.UNICODE).strip("-") or "unnamed"


_INITIAL = re.compile(r"(?<=\w\s)\w\.?(?=\s\w)")  # a middle one: R Narayan keeps his
_ARTICLE_JOIN = re.compile(r"\b(al|el|ad|ar|as|an|ash|at|az)[\s-]+")
_DOUBLED = re.compile(r"(\w)\1+")


def without_initials(name: str) -> str:
    """`Geir O. Pedersen` → `Geir Pedersen`: a middle initial is how one paper writes the name."""
    return " ".join(_INITIAL.sub(" ", f" {name} ").split())


def name_key(name: str) -> str:
    """What two spellings of one person's name share: no middle initials, diacritics, case, hyphens
    or spaces after al-/el-, doubled letters (`Amir-Abdollahian`, `Amir Abdollahian` and `Amirabdollahian`;
    `al-Busaidi` and `Albusaidi`; `Hassan` and `Hasan`). Never a fuzzy match: different letters stay apart."""
    key = slug(without_initials(name)).replace("-", " ")
    key = _ARTICLE_JOIN.sub(r"\1", key)
    return _DOUBLED.sub(r"\1", key.replace(" ", ""))


class ArticleEntities:
    """The gazetteer's entities and those one article adds (discovered names, dateline places),
    without copying the gazetteer for every article."""

    def __init__(self, gazetteer: dict[str, Entity], person_keys: dict[str, str]):
        self.gazetteer = gazetteer
        self.added: dict[str, Entity] = {}
        self.person_keys = person_keys  # name_key → entity id, for the gazetteer's persons
        self.added_keys: dict[str, str] = {}

    def person_for(self, key: str) -> str | None:
        """The person (gazetteer or found in this article) whose name has this key."""
        return self.added_keys.get(key) or self.person_keys.get(key)

    def get(self, entity_id: str) -> Entity | None:
        found = self.added.get(entity_id)
        return found if found is not None else self.gazetteer.get(entity_id)

    def __getitem__(self, entity_id: str) -> Entity:
        found = self.added.get(entity_id)
        return found if found is not None else self.gazetteer[entity_id]

    def add(self, entity: Entity) -> None:
        self.added[entity.id] = entity


class EntityFinder:
    """Finds mentions in one article. The compiled rules are shared; `find()` binds the article's
    entities (gazetteer plus discovered), which `replacements()` uses until the next
    `find()`: one finder serves one article at a time (each worker process has its own)."""

    def __init__(self, rules: CompiledRules):
        self.rules = rules
        self.honorific_tail = regex.compile(rules.expand(r"(?:(?:{HONORIFIC})\s+)+$"))
        words = "|".join(regex.escape(p) for p in sorted(rules.pronouns))
        self.pronoun = regex.compile(rf"\b(?:{words})\b") if words else None  # run on folded text
        self.person_keys = _person_keys(rules)
        self.first_name_honorifics = rules.ruleset.lexicon.first_name_honorifics
        self.titles = frozenset(fold(t) for t in rules.ruleset.lexicon.titles)
        self.name_suffixes = frozenset(fold(s).rstrip(".") for s in rules.ruleset.lexicon.name_suffixes)
        references = "|".join(regex.escape(fold(p)) for p in sorted(rules.ruleset.lexicon.polity_references))
        # "the Republic of Portugal" names its own country, not the one named before
        self.polity_reference = regex.compile(rf"\b(?:{references})\b(?!\s+of\b)") if references else None

    def find(self, article: Article, sentences: list[Sentence], folded: str,
             present: dict[int, frozenset[str]]) -> tuple[list[Mention], dict[str, Entity]]:
        """Mentions in text order, and the entities they name (gazetteer and newly discovered)."""
        text = article.text
        regions = [(s.start, s.end) for s in sentences]
        entities = ArticleEntities(self.rules.entities, self.person_keys)
        self.bind(entities)
        marked = bounded(folded)
        gazetteer = list(self._candidates(self.rules.automaton, text, folded, marked, regions))
        mentions = self._select(gazetteer, text)
        discovered = self._discover(sentences, mentions, entities, folded, present)
        local: list[Candidate] = []
        if discovered:
            local = list(self._candidates(_local_automaton(discovered), text, folded, marked, regions))
            mentions = self._select(gazetteer + local, text)
        first_names = self._first_names(mentions, entities, folded)
        if first_names:
            local += self._candidates(_local_automaton(first_names), text, folded, marked, regions)
            mentions = self._select(gazetteer + local, text)
        mentions = self._merge_adjacent(self._extend_name_chains(self._extend_honorifics(mentions, text), text), text)
        mentions += self._located(article, entities)
        mentions += self._pronouns(mentions, regions, text, folded)
        mentions += self._polity_references(mentions, regions, text, folded)
        mentions.sort(key=lambda m: (m.start, m.end))
        return mentions, {m.entity_id: entities[m.entity_id] for m in mentions}

    # -- candidates and selection -----------------------------------------------
    def _candidates(self, automaton: ahocorasick.Automaton, text: str, folded: str, marked: str,
                    regions: list[tuple[int, int]]) -> Iterator[Candidate]:
        """Whole-word alias hits inside the regions (sorted, not overlapping): one automaton pass over the
        article `bounded` (`marked`), whose words end where letters and digits do."""
        if not len(automaton) or not regions:
            return
        sentences = Spans(regions)
        for last, value in automaton.iter(marked, regions[0][0], regions[-1][1] + 2):
            end = last - 1  # the mark after the word is marked[last], text[last - 1]
            start = end - value[0]
            entries = word_entries(value, folded[start:end])  # None: the same word with other punctuation
            if entries is None or sentences.holding(start, end) < 0:
                continue
            surface = _straight_quotes(text[start:end])
            valid = tuple(e for e in entries if (not e.exact or surface == _straight_quotes(e.alias)) and (
                not e.context or self.rules.in_context(e.context, text, folded, start, end)))
            if valid:
                yield Candidate(start, end, valid)

    def _select(self, candidates: list[Candidate], text: str) -> list[Mention]:
        candidates.sort(key=lambda c: (c.start, c.start - c.end))
        seen: dict[str, int] = {}
        out: list[Mention] = []
        pos = -1
        for cand in candidates:
            if cand.start < pos:
                last = out[-1] if out else None
                if last is not None and cand.end > pos and any(e.entity_id == last.entity_id for e in cand.entries):
                    # "Sultan Haitham" then "Haitham bin Tarik", two aliases of one person overlapping: one mention
                    out[-1] = Mention(last.entity_id, last.start, cand.end, text[last.start:cand.end], last.rule)
                    pos = cand.end
                continue
            entry = _choose(cand.entries, seen)
            if entry is None:
                continue
            if entry.entity_id == NO_ENTITY:  # "Al-Aqsa Storm": covers "Al-Aqsa", names nothing
                pos = cand.end
                continue
            rule = f"{'coref' if entry.coref else entry.rule}:{entry.entity_id}"
            out.append(Mention(entry.entity_id, cand.start, cand.end, text[cand.start:cand.end], rule))
            seen[entry.entity_id] = cand.start
            pos = cand.end
        return out

    # -- discovery of new names -------------------------------------------------
    def _discover(self, sentences: list[Sentence], mentions: list[Mention], entities: ArticleEntities,
                  folded: str, present: dict[int, frozenset[str]]) -> dict[str, list[AliasEntry]]:
        """Names no gazetteer knows, found by name patterns on masked body sentences."""
        aliases: dict[str, list[AliasEntry]] = {}
        if not self.rules.name_patterns:
            return aliases
        def wanted(sentence: Sentence) -> int | None:
            applies = not sentence.is_headline and self.rules.applicable("name_patterns", present[sentence.start])
            return 0 if applies else None

        for sentence, masked in build_views(sentences, self.replacements(mentions), folded, wanted):
            for compiled in self.rules.applicable("name_patterns", present[sentence.start]):
                for match in compiled.finditer(masked.text, masked.folded):
                    self._new_entity(compiled.rule, match, entities, aliases, masked)
        return aliases

    def _new_entity(self, rule, match: regex.Match[str], entities: ArticleEntities,
                    aliases: dict[str, list[AliasEntry]], masked: MaskedSentence | None = None) -> None:
        name = " ".join(match.group("name").split())
        if name and MARK_OPEN in name and masked is not None and all(
                code in _NAMES_INSIDE[rule.type] for code in _PLACEHOLDER_CODE.findall(name)):
            # a country's body by its shape: "the Kenyan Parliament", "Ghana's Ministry of Foreign Affairs";
            # a place named after a city: "Beirut International Airport"
            name = " ".join(masked.plain(match.start("name"), match.end("name")).split())
        if not name or MARK_OPEN in name:
            return
        alias = match.group(rule.alias_group) if rule.alias_group else None
        if alias and MARK_OPEN in alias:
            alias = None
        if alias and rule.check_acronym and not _is_acronym_of(alias, name):
            return
        if rule.type == "Person" and " " not in name:
            # "King Salman" after "King Salman bin Abdulaziz Al Saud": the person the article named in full
            fuller = next((e for e in entities.added.values() if e.kind == "Person" and e.name.startswith(name + " ")),
                          None)
            if fuller is not None:
                aliases.setdefault(fold(name), []).append(AliasEntry(fuller.id, name, False, True, rule.id))
                return
        person = rule.type == "Person"
        key = name_key(name) if person else ""
        same = entities.person_for(key) if person else None
        entity_id = same or slug(without_initials(name) if person else name)
        known = entities.get(entity_id)
        if known is not None and known.kind != rule.type and name.isupper():  # SANA, the agency, is no city
            entity_id, known = _own_kind(entities, entity_id, rule.type)
        if known is not None and known.kind != rule.type:
            return
        if known is None:
            entities.add(Entity(entity_id, rule.type, rule.schema_class or rule.type,
                                without_initials(name) if person else name))
            if person:
                entities.added_keys.setdefault(key, entity_id)
        aliases.setdefault(fold(name), []).append(AliasEntry(entity_id, name, False, False, rule.id))
        if alias:
            aliases.setdefault(fold(alias), []).append(AliasEntry(entity_id, alias, True, False, rule.id))
        if rule.type == "Person" and " " in name:
            surname = self._surname(name)
            bare = _ARABIC_ARTICLE.sub("", surname)  # al-Sudani is also Sudani
            for form in {surname, bare}:
                aliases.setdefault(fold(form), []).append(AliasEntry(entity_id, form, False, True, rule.id))

    def _surname(self, name: str) -> str:
        """The last word of a full name that is not a generational suffix (lexicon.name_suffixes)."""
        words = name.split()
        while len(words) > 2 and fold(words[-1]).rstrip(".") in self.name_suffixes:
            words.pop()
        return words[-1]

    def _first_names(self, mentions: list[Mention], entities: ArticleEntities,
                     folded: str) -> dict[str, list[AliasEntry]]:
        """`Sheikh Abdullah` for each person the article names in full (lexicon.first_name_honorifics) and
        then by honorific and first name: an alias that holds only after the full name, like a surname."""
        aliases: dict[str, list[AliasEntry]] = {}
        honorifics = [h for h in self.first_name_honorifics if fold(h) in folded]
        if not honorifics:
            return aliases
        for entity_id in {m.entity_id for m in mentions}:
            entity = entities[entity_id]
            first = entity.name.split()[0] if entity.kind == "Person" and " " in entity.name else ""
            if len(first) < 3 or not first[0].isupper():
                continue
            for honorific in honorifics:
                form = f"{honorific} {first}"
                key = fold(form)
                if key in folded:
                    aliases.setdefault(key, []).append(AliasEntry(entity_id, form, True, True, "coref.first-name"))
        return aliases

    def replacements(self, mentions: list[Mention]) -> list[Replacement]:
        """The placeholders that stand for these mentions in masked sentences, in the same order."""
        entities, code_of = self._article_entities, self.rules.code_of
        return [Replacement(m.start, m.end, code_of(entities[m.entity_id]), m.entity_id) for m in mentions]

    def bind(self, entities: ArticleEntities) -> None:
        """Entities the placeholders' codes are looked up in (gazetteer plus discovered)."""
        self._article_entities = entities

    # -- spans ------------------------------------------------------------------
    def _extend_honorifics(self, mentions: list[Mention], text: str) -> list[Mention]:
        out: list[Mention] = []
        for m in mentions:
            kind = self._article_entities[m.entity_id].kind
            floor = out[-1].end if out else 0
            window_start = max(floor, m.start - 60)
            tail = self.honorific_tail.search(text, window_start, m.start, CONCURRENT) if kind != "Place" else None
            if tail and kind == "Person" and self._ends_a_title(text, window_start, tail.start(), tail.group()):
                # "Crown Prince Mohammed": Prince ends the title before it, it is no honorific of his; what
                # follows it may be ("Crown Prince Sheikh Mohammed")
                rest = tail.start() + len(tail.group().split()[0])
                while rest < m.start and text[rest].isspace():
                    rest += 1
                tail = self.honorific_tail.match(text, rest, m.start, CONCURRENT)
            if tail and kind == "Person":
                m = Mention(m.entity_id, tail.start(), m.end, text[tail.start():m.end], m.rule)
            out.append(m)
        return out

    def _ends_a_title(self, text: str, window_start: int, start: int, tail: str) -> bool:
        """Whether the word before an honorific makes a title with its first word ("Crown" + "Prince")."""
        before = _LAST_WORD.search(text, window_start, start, CONCURRENT)
        return before is not None and f"{fold(before.group(1))} {fold(tail.split()[0])}" in self.titles

    def _extend_name_chains(self, mentions: list[Mention], text: str) -> list[Mention]:
        """A person's mention takes the rest of an Arabic name chain the gazetteer's alias stops short of."""
        out: list[Mention] = []
        for index, m in enumerate(mentions):
            limit = mentions[index + 1].start if index + 1 < len(mentions) else len(text)
            person = self._article_entities[m.entity_id].kind == "Person"
            chain = _NAME_CHAIN.match(text, m.end, limit, CONCURRENT) if person else None
            if chain:
                m = Mention(m.entity_id, m.start, chain.end(), text[m.start:chain.end()], m.rule)
            out.append(m)
        return out

    def _merge_adjacent(self, mentions: list[Mention], text: str) -> list[Mention]:
        """`Supreme Leader Ayatollah Ali Khamenei`, `Guards Corps (IRGC)`: one mention, not two."""
        out: list[Mention] = []
        for m in mentions:
            prev = out[-1] if out else None
            if prev and prev.entity_id == m.entity_id and _GAP_SAME.fullmatch(text, prev.end, m.start):
                end = m.end + (1 if "(" in text[prev.end:m.start] and text[m.end:m.end + 1] == ")" else 0)
                out[-1] = Mention(m.entity_id, prev.start, end, text[prev.start:end], prev.rule)
            else:
                out.append(m)
        return out

    def _located(self, article: Article, entities: ArticleEntities) -> list[Mention]:
        """Publisher and dateline place: looked up in the gazetteer, else new entities."""
        out = []
        for located, kind, schema_class in ((article.publisher, "Organization", "NewsMediaOrganization"),
                                            (article.dateline_place, "Place", "City")):
            if located is None:
                continue
            entity_id = self._lookup(located, kind)
            if entity_id is None and kind == "Organization" and self._names_country(located):
                continue  # "TEHRAN, IRAN -" names the country, not an agency (but KUNA is no town Kuna)
            if entity_id is None:
                entity_id, known = _own_kind(entities, slug(located.text), kind)  # KUNA, the agency, is no town
                if known is None:
                    name = _title(located.text) if kind == "Place" else located.text  # TEHRAN, but AP
                    entities.add(Entity(entity_id, kind, schema_class, name))
            out.append(Mention(entity_id, located.start, located.end, located.text, located.rule))
        return out

    def _names_country(self, located: Located) -> bool:
        return any(e.kind == "Place" and e.schema_class in self.rules.polity_classes
                   for e in self.rules.named(located.text))

    def _lookup(self, located: Located, kind: str) -> str | None:
        return next((e.id for e in self.rules.named(located.text) if e.kind == kind), None)

    def _pronouns(self, mentions: list[Mention], regions: list[tuple[int, int]], text: str,
                  folded: str) -> list[Mention]:
        """`he`/`she` stand for the subject: the first person named in their sentence before them, else
        the first person of the nearest earlier sentence naming one (within a few sentences). Resolved
        pronouns count as persons, so "He ... He ..." chains hold."""
        if self.pronoun is None:
            return []
        persons = sorted((m for m in mentions if self._article_entities[m.entity_id].kind == "Person"),
                         key=lambda m: m.start)
        out: list[Mention] = []
        subject: tuple[str, int] | None = None  # (person, end offset) of the latest sentence with a person
        # "HE" in capitals is His Excellency, a title, not a pronoun
        pronouns = [p.start() for p in self.pronoun.finditer(folded, regions[0][0], regions[-1][1], False, CONCURRENT)
                    if not text[p.start():p.end()].isupper()] if regions else []
        i = j = 0
        for start, end in regions:
            first: Mention | None = None
            events: list[tuple[int, Mention | None]] = []
            while i < len(persons) and persons[i].start < end:
                events.append((persons[i].start, persons[i]))
                i += 1
            while j < len(pronouns) and pronouns[j] < end:
                if pronouns[j] >= start:
                    events.append((pronouns[j], None))
                j += 1
            for position, mention in sorted(events, key=lambda e: e[0]):
                if mention is not None:
                    first = first or mention
                    continue
                antecedent = (first.entity_id, first.end) if first else subject
                if antecedent and position - antecedent[1] <= PRONOUN_WINDOW:
                    stop = self._word_end(text, position)
                    resolved = Mention(antecedent[0], position, stop, text[position:stop], "coref.pronoun")
                    out.append(resolved)
                    first = first or resolved
            if first is not None:
                subject = (first.entity_id, first.end)
        return out

    def _polity_references(self, mentions: list[Mention], regions: list[tuple[int, int]], text: str,
                           folded: str) -> list[Mention]:
        """`the country` (lexicon.polity_references) stands for the country named last before it, within a
        few sentences: "Syria will cooperate, said the country's deputy foreign minister"."""
        if self.polity_reference is None or not regions:
            return []
        entities, polities = self._article_entities, self.rules.polity_classes
        named = sorted((m.start, m.end, m.entity_id) for m in mentions
                       if entities[m.entity_id].kind == "Place" and entities[m.entity_id].schema_class in polities)
        taken = Spans(sorted((m.start, m.end) for m in mentions))
        out: list[Mention] = []
        ends = [end for _, end, _ in named]
        for hit in self.polity_reference.finditer(folded, regions[0][0], regions[-1][1], False, CONCURRENT):
            last = bisect_right(ends, hit.start()) - 1  # the country named last before it
            if last < 0 or hit.start() - ends[last] > PRONOUN_WINDOW or taken.holding(*hit.span()) >= 0:
                continue
            out.append(Mention(named[last][2], hit.start(), hit.end(), text[hit.start():hit.end()], "coref.polity"))
        return out

    @staticmethod
    def _word_end(text: str, start: int) -> int:
        end = start
        while end < len(text) and text[end].isalpha():
            end += 1
        return end

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _straight_quotes(text: str) -> str:
    """Curly single quotes made straight, the one difference an exact alias forgives (`translate` only
    when there is one: it costs a microsecond even on text without them)."""
    return text.translate(_QUOTES) if "\u2019" in text or "\u2018" in text else text


def _choose(entries: Iterable[AliasEntry], seen: dict[str, int]) -> AliasEntry | None:
    full = [e for e in entries if not e.coref]
    pool = full or [e for e in entries if e.entity_id in seen]
    if not pool:
        return None
    return max(pool, key=lambda e: seen.get(e.entity_id, -1))


def _person_keys(rules: CompiledRules) -> dict[str, str]:
    """name_key of every gazetteer person's name and aliases (a key two persons share names neither)."""
    owners: dict[str, set[str]] = {}
    for entity_id, names in rules.person_names.items():
        for name in names:
            if " " in name.strip():
                owners.setdefault(name_key(name), set()).add(entity_id)
    return {key: next(iter(ids)) for key, ids in owners.items() if len(ids) == 1}


def _own_kind(entities: ArticleEntities, entity_id: str, kind: str) -> tuple[str, Entity | None]:
    """An id for a new entity of this kind, and the entity it already names: the slug, or, where the slug
    is another kind's (an agency KUNA, a town Kuna), the slug with the kind after it."""
    known = entities.get(entity_id)
    if known is not None and known.kind != kind:
        entity_id = f"{entity_id}-{kind.lower()}"
        known = entities.get(entity_id)
    return entity_id, known


def _local_automaton(aliases: dict[str, list[AliasEntry]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, entries in aliases.items():
        gazetteer_entries(automaton, key)[:] = list({(e.entity_id, e.coref): e for e in entries}.values())
    freeze_gazetteer(automaton)
    return automaton


def _is_acronym_of(acronym: str, name: str) -> bool:
    letters = [w[0] for w in re.split(r"[\s-]+", name) if w and w[0].isupper()]
    return "".join(letters).upper().startswith(acronym.upper()) or acronym.upper() == "".join(letters).upper()


def _title(text: str) -> str:
    return text.title() if text.isupper() else text
