"""Rules compiled for matching: macro-expanded regexes, one Aho-Corasick gazetteer automaton.

Patterns run on *masked* sentences, in which every entity mention is replaced by a
placeholder `\\ue000<code><n>\\ue001` (code P person, O organisation, C polity, L place).
Built-in macros such as {PER}, {ORG}, {AGENT} match those placeholders, so rule authors
write `(?P<sender>{AGENT}) wrote to (?P<recipient>{AGENT})` and never see the codes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick
import regex
from regex import Match as _Match  # the names inside Compiled, whose `regex` property hides the module
from regex import Pattern as _Pattern

from loader.errors import RuleError, RuleProblem
from loader.model import Entity, Spans
from loader.namespaces import PREFIXES
from loader.rules.models import LIST_SECTIONS, EventKind
from loader.rules.ruleset import Origin, RuleSet, id_namespace

# the sections of sentence rules, compiled to regexes (entities and event kinds are not patterns)
PATTERN_SECTIONS = tuple(s for s in LIST_SECTIONS if s not in ("entities", "event_kinds"))

MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
KIND_CODES = {"Person": "P", "Organization": "O", "Place": "L"}
POLITY_CODE = "C"
NO_ENTITY = ""  # the entity id of a non-entity phrase
ADJECTIVE_RULE = "adjective"  # a country adjective: stands for the place in patterns, names nothing alone
PROBE_TIMEOUT = 0.5
# Adversarial texts every pattern must get through quickly: nested quantifiers such as (\w+\s?)+$
# take exponential time on them, and are refused at load time instead of hanging a run. With
# sentences bounded (document.max_sentence_chars) this replaces a per-call timeout, which costs
# the regex engine about 2 µs a call, five times a typical match.
PROBES = ("a" * 3000 + "!", "aa " * 1000 + "!", "Aa " * 1000 + "!", " " * 3000 + "!",
          "\ue000P1\ue001 " * 500 + "!", "\ue000P1\ue001, " * 400 + ".", "of the " * 400 + "!",
          "\ue000P1\ue001" + "aa " * 1000 + "!", "\ue000O1\ue001 " + "a" * 3000 + "!")
_MACRO = regex.compile(r"(?<!\\)(?<!\\[pPN])\{([A-Z][A-Z0-9_]*)\}")  # not \p{L}, \P{Lu}, \N{NAME}
# Text normalisation for gazetteer matching; every replacement keeps the length.
_FOLD = (("\u2019", "'"), ("\u2018", "'"), ("\u00a0", " "), ("\u2010", "-"), ("\u2011", "-"))

# regex's `concurrent` argument for the calls of the extraction path: by default it lets go of the GIL
# around every match of a str and takes it back after, a mutex pair per call that cost a third of a short
# match; extraction runs one thread per process. Passed by position: a keyword costs more than it saves.
CONCURRENT = False

BOUND = "\x00"
_NOT_ALNUM = regex.compile(r"[^\p{L}\p{N}]")


def bounded(folded: str) -> str:
    """Folded text with every character that is no letter or digit made one mark, between two marks. A
    gazetteer key made the same way matches whole words only: the automaton then never reports the hits
    inside words ("est" in "west", "ales" in "wales") that the world gazetteer's short names gave by the
    hundred, each a turn of a Python loop. Offsets shift by one: text[i] is bounded(text)[i + 1]."""
    return BOUND + _NOT_ALNUM.sub(BOUND, folded, 0, None, None, CONCURRENT) + BOUND


def fold(text: str) -> str:
    """Lower-case and unify quotes and spaces without changing the length (offsets stay valid)."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for old, new in _FOLD:
        if old in lowered:
            lowered = lowered.replace(old, new)
    return lowered


def placeholder(code: str, index: int) -> str:
    return f"{MARK_OPEN}{code}{index}{MARK_CLOSE}"


def _token(codes: str) -> str:
    return f"{MARK_OPEN}[{codes}]\\d+{MARK_CLOSE}"


def _alternation(words: list[str], ignore_case: bool) -> str:
    """A trie-factored alternation: the engine rejects a position after one character, not after
    trying every word (100 titles: ~15x faster than a flat `a|b|c`)."""
    keys = {(w.lower() if ignore_case else w).strip() for w in words if w.strip()}
    if not keys:
        return "(?!)"
    body = _trie_regex(sorted(keys))
    return f"(?i:{body})" if ignore_case else f"(?:{body})"


def _trie_regex(words: list[str]) -> str:
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_regex(trie)


def _node_regex(node: dict) -> str:
    ends = "" in node
    branches = []
    for char in sorted(k for k in node if k):
        atom = r"\s+" if char == " " else regex.escape(char)
        branches.append(atom + _node_regex(node[char]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
    if ends:
        body = f"(?:{body})?" if len(branches) == 1 else body[:-1] + ")?"
    return body


def _fast_enough(pattern: regex.Pattern[str]) -> bool:
    try:
        for probe in PROBES:
            pattern.search(probe, timeout=PROBE_TIMEOUT)
    except TimeoutError:
        return False
    return True


class AliasEntry(NamedTuple):
    """What one gazetteer key stands for (a named tuple: 50,000 of them unpickle fast from the cache)."""

    entity_id: str
    alias: str
    exact: bool
    coref: bool
    rule: str = "gazetteer"
    context: str = ""  # a lexicon word list one of whose words must stand right before the name


class WordFinder:
    """Whole-word occurrences of folded words in folded text, in one Aho-Corasick pass:
    "head" is not found in "ahead", nor "diplomat" in "diplomatic"."""

    def __init__(self, words: Iterable[str]):
        self.automaton = ahocorasick.Automaton()
        for word in words:
            # (word, its length, whether its first / last character needs a word boundary)
            self.automaton.add_word(word, (word, len(word), word[0].isalnum(), word[-1].isalnum()))
        if len(self.automaton):
            self.automaton.make_automaton()
        self._starts: dict[str, list[int]] = {}

    def find(self, folded: str, start: int = 0, end: int | None = None) -> list[tuple[int, str]]:
        """(offset, word) of each whole word in folded[start:end], by where words end; boundaries look
        beyond the span. A list, not a generator: a hot path, once per article for the triggers."""
        out: list[tuple[int, str]] = []
        if not len(self.automaton):
            return out
        size = len(folded)
        for last, (word, length, left, right) in self.automaton.iter(folded, start, size if end is None else end):
            first = last - length + 1
            if (left and first > 0 and folded[first - 1].isalnum()) or (
                    right and last + 1 < size and folded[last + 1].isalnum()):
                continue
            out.append((first, word))
        return out

    def starts(self, folded: str) -> list[int]:
        """Sorted offsets where a word begins; remembered for the last few texts, since the rules
        sharing a word list run one after another on the same sentence."""
        found = self._starts.get(folded)
        if found is None:
            if len(self._starts) >= 64:
                self._starts.clear()
            found = self._starts[folded] = self._scan(folded)
        return found

    def _scan(self, folded: str) -> list[int]:
        firsts = [first for first, _ in self.find(folded)]
        for before, after in itertools.pairwise(firsts):
            if before >= after:  # by where words end: a longer word may begin before a shorter one
                return sorted(set(firsts))
        return firsts


@dataclass(frozen=True)
class Gazetteer:
    """What compiling the entity rules gives, kept by loader.rules.cache so that a cached rule set need
    not carry (and unpickle) its tens of thousands of entity rules."""

    entities: dict[str, Entity]
    automaton: ahocorasick.Automaton
    context_cues: dict[str, frozenset[str]]
    person_names: dict[str, tuple[str, ...]]


def gazetteer_entries(automaton: ahocorasick.Automaton, key: str) -> list[AliasEntry]:
    """The entries of a folded key in a gazetteer automaton being built (added, empty, if new). The
    automaton's words are the keys `bounded`, so keys differing only in punctuation ("al-quds", "al quds")
    share one word; while building, a word's value is (key length, {folded key: entries}), and
    `freeze_gazetteer` packs it once all keys are in."""
    word = bounded(key)
    value = automaton.get(word, None)
    if value is None:
        value = (len(key), {})
        automaton.add_word(word, value)
    entries: list[AliasEntry] = value[1].setdefault(key, [])
    return entries


def freeze_gazetteer(automaton: ahocorasick.Automaton) -> None:
    """Pack every word's value as one flat tuple, (key length, key, entries, key, entries, ...), and
    build the automaton. The world gazetteer has some 50,000 words, nearly all with one key and one
    entry: a dict and a list for each held 11 MB that extraction, which only reads them, never needed."""
    for word, (length, by_key) in list(automaton.items()):
        automaton.add_word(word, (length, *(x for key, entries in by_key.items() for x in (key, tuple(entries)))))
    if len(automaton):
        automaton.make_automaton()


def word_entries(value: tuple[Any, ...], key: str) -> tuple[AliasEntry, ...] | None:
    """The entries of a folded key in a frozen gazetteer word's value. A hyphen and a space are one
    ("Al-Thani", "Al Thani"; "Amir-Abdollahian", "Amir Abdollahian"); other punctuation must be the
    key's own, else None ("u.s" is no "u s")."""
    for index in range(1, len(value), 2):
        if value[index] == key:
            entries: tuple[AliasEntry, ...] = value[index + 1]
            return entries
    spaced = key.replace("-", " ")
    for index in range(1, len(value), 2):
        if value[index].replace("-", " ") == spaced:
            return value[index + 1]  # type: ignore[no-any-return]
    return None


class Compiled:
    """A rule model with its regex, its trigger words (folded) and, for a rule with `starts_with`, the
    finder of the words its matches begin with. The regex is compiled when first used: rules read from
    the cache were validated when they were written, and an article needs only the rules its words
    trigger, so a process pays for the patterns it runs, not for all of them up front."""

    def __init__(self, rule: Any, source: str, triggers: frozenset[str], starts: WordFinder | None = None,
                 also: frozenset[str] = frozenset(), pattern: _Pattern[str] | None = None):
        self.rule = rule
        self.source = source
        self.triggers = triggers
        self.starts = starts
        self.also = also
        self._regex = pattern

    @property
    def regex(self) -> _Pattern[str]:
        if self._regex is None:
            self._regex = regex.compile(self.source, regex.V0)
        return self._regex

    def applies(self, present: frozenset[str]) -> bool:
        """Run only where the sentence holds one of the triggers, and one of the `triggers_also` words
        (always, without triggers)."""
        return (not self.triggers or not self.triggers.isdisjoint(present)) and (
            not self.also or not self.also.isdisjoint(present))

    def finditer(self, text: str, folded: str) -> Iterator[_Match[str]]:
        """The pattern's leftmost non-overlapping matches, as `regex.finditer`; with `starts_with`, tried
        only where one of those words begins (`folded` is `fold(text)`), sparing every other position."""
        if self.starts is None:
            yield from self.regex.finditer(text, None, None, False, CONCURRENT)
            return
        pos = 0
        for start in self.starts.starts(folded):
            if start < pos:
                continue
            match = self.regex.match(text, start, None, CONCURRENT)
            if match:
                yield match
                pos = max(match.end(), start + 1)


def expand_curie(curie: str) -> str | None:
    """`kg:PhoneCall` → its IRI by the contract's prefixes; a full IRI stays; an unknown prefix is None."""
    if curie.startswith(("http://", "https://")):
        return curie
    prefix, _, local = curie.partition(":")
    namespace = PREFIXES.get(prefix)
    return namespace + local if namespace else None


_CAPTION_SLOT = regex.compile(r"\{([a-z_]+)\}")


class KindSpec:
    """An event kind as extraction and the RDF stage use it: its slots sorted by type."""

    def __init__(self, kind: EventKind):
        self.kind = kind
        self.id: str = kind.id
        self.symmetric = kind.parties == "symmetric"
        by_type: dict[str, list[str]] = {"agent": [], "place": [], "date": [], "text": []}
        for name, slot in kind.slots.items():
            by_type[slot.type].append(name)
        self.agents = tuple(by_type["agent"])
        self.places = tuple(by_type["place"])
        self.texts = tuple(by_type["text"])
        self.date: str | None = by_type["date"][0] if by_type["date"] else None
        self.required = frozenset(name for name, slot in kind.slots.items() if slot.required)
        self.min_parties = kind.min_parties if self.symmetric else len(self.agents)
        self.identity = tuple(kind.identity)
        self.class_iri = expand_curie(kind.class_) or ""
        self.predicates = {name: expand_curie(slot.predicate) or "" for name, slot in kind.slots.items()}
        self.reply_iri = expand_curie(kind.reply) if kind.reply else None
        self.plural = kind.plural or f"{kind.id}s"

    def placeholders_needed(self) -> int:
        """How many entity placeholders a sentence must hold for an event of this kind."""
        return self.min_parties + sum(1 for name in self.places if name in self.required)

    def problems(self) -> Iterator[tuple[tuple[Any, ...], str]]:
        """(where in the declaration, what is wrong) for an inconsistent kind."""
        kind = self.kind
        for loc, curie in [(("class",), kind.class_), (("reply",), kind.reply),
                           *((("subclass_of", i), c) for i, c in enumerate(kind.subclass_of)),
                           *((("slots", n, "predicate"), sl.predicate) for n, sl in kind.slots.items())]:
            if curie is not None and expand_curie(curie) is None:
                yield loc, f"unknown prefix in {curie!r}; known: {', '.join(sorted(PREFIXES))}"
        if self.symmetric and len(self.agents) != 1:
            yield ("parties",), f"a symmetric kind has exactly one agent slot (it has {len(self.agents)})"
        if not self.agents:
            yield ("slots",), "a kind needs at least one agent slot (its parties)"
        if len(self.agents) > 1 and len(self.agents) != len(set(self.predicates[a] for a in self.agents)):
            yield ("slots",), "two agent slots share a predicate: sender and recipient could not be told apart"
        if not self.symmetric and kind.min_parties != 2 and kind.min_parties != len(self.agents):
            yield ("min_parties",), "min_parties is for symmetric kinds; a directed kind needs one party per slot"
        if len(by_date := [n for n, sl in kind.slots.items() if sl.type == "date"]) > 1:
            yield ("slots",), f"at most one date slot ({', '.join(by_date)})"
        for name in kind.identity:
            if name not in kind.slots or name in self.agents:
                yield ("identity",), f"identity names {name!r}, which is not a place, date or text slot of the kind"
        for name in _CAPTION_SLOT.findall(kind.caption):
            if name not in kind.slots:
                yield ("caption",), f"caption names {{{name}}}, which is not a slot; slots: {', '.join(kind.slots)}"
        if kind.reply and (self.symmetric or len(self.agents) != 2):
            yield ("reply",), "replies need a directed kind with two agent slots (from, to)"
        if kind.place_from and not self.places:
            yield ("place_from",), "place_from needs a place slot"

    def required_groups(self) -> tuple[frozenset[str], ...]:
        """The named groups an event rule of this kind needs: the parties, and every required text."""
        texts = frozenset(name for name in self.texts if name in self.required)
        if self.symmetric:
            return tuple(g | texts for g in (frozenset({"subject"}), frozenset({"participants"}),
                                             frozenset(self.agents)))
        return (frozenset(self.agents) | texts,)


class CompiledRules:
    """Everything extraction needs, built once per process from a RuleSet."""

    def __init__(self, ruleset: RuleSet, cached: Gazetteer | None = None):
        """`cached`: what these rules compiled to before (loader.rules.cache): the rules were validated
        then, so their patterns are neither checked nor compiled now, and the gazetteer is taken as built."""
        self.ruleset = ruleset
        self.validated = cached is not None
        self.content_hash = ruleset.content_hash
        self.problems: list[RuleProblem] = []
        lex = ruleset.lexicon
        self.polity_classes = frozenset(lex.polity_classes)
        self.place_priority = list(lex.place_priority)
        self.honorifics = sorted(lex.honorifics, key=len, reverse=True)
        self.abbreviations = frozenset(lex.abbreviations)
        self.pronouns = frozenset(fold(p) for p in lex.pronouns)
        self.generic_titles = frozenset(lex.generic_titles)
        self.title_synonyms = {k.lower(): v.lower() for k, v in lex.title_synonyms.items()}
        self.months = {k.lower().rstrip("."): v for k, v in ruleset.dates.months.items()}
        self.weekdays = {k.lower(): v for k, v in ruleset.dates.weekdays.items()}
        self.relative_dates = {" ".join(k.lower().split()): v for k, v in ruleset.dates.relative.items()}
        self._start_finders: dict[frozenset[str], WordFinder] = {}
        self.macros = self._expand_macros()
        if cached is None:
            self.context_cues = self._context_cues()
            self.entities = self._entities()
            self.automaton = self._automaton()
            self.person_names = self._person_names()
        else:
            self.context_cues, self.entities, self.automaton, self.person_names = (
                cached.context_cues, cached.entities, cached.automaton, cached.person_names)
        doc = ruleset.document
        self.published = self._compile_list("document", doc.published, ("published",))
        self.datelines = self._compile_list("document", doc.datelines, ("datelines",))
        self.source_lines = self._compile_list("document", doc.source_lines, ("source_lines",))
        self.skip_lines = self._compile_list("document", doc.skip_lines, ("skip_lines",))
        self.end_markers = self._compile_list("document", doc.end_markers, ("end_markers",))
        self.date_patterns = self._compile_list("dates", ruleset.dates.patterns, ("patterns",))
        self.kinds = self._kinds()
        self.sections = {section: self._compile_section(section) for section in PATTERN_SECTIONS}
        self.name_patterns = self.sections["name_patterns"]
        self.complements = self.sections["complements"]
        self.memberships = self.sections["memberships"]
        self.role_references = self.sections["role_references"]
        self.events = self.sections["events"]
        self.places = self.sections["places"]
        # every group of rules that trigger words gate: the sentence rules, and the date patterns
        self.gated: dict[str, list[Compiled]] = {**self.sections, "date_patterns": self.date_patterns}
        self.trigger_finder = self._trigger_finder()
        self._applicable: dict[tuple[str, frozenset[str]], tuple[Compiled, ...]] = {}
        self._needed: dict[frozenset[str], int | None] = {}
        if self.problems:
            raise RuleError(self.problems)

    def compile_patterns(self) -> None:
        """Compile every pattern now, not on first use: a process about to fork workers does it once for
        all of them (about a second of CPU that each worker would otherwise spend on its own copy)."""
        lists = (*self.gated.values(), self.published, self.datelines, self.source_lines, self.skip_lines,
                 self.end_markers)
        for group in lists:
            for compiled in group:
                _ = compiled.regex

    # -- macros -----------------------------------------------------------------
    def _builtin_macros(self) -> dict[str, str]:
        lex = self.ruleset.lexicon
        dates = self.ruleset.dates
        return {
            "PER": _token("P"),
            "ORG": _token("O"),
            "POLITY": _token(POLITY_CODE),
            "PLACE": _token("L" + POLITY_CODE),
            "AGENT": _token("PO"),
            "ORGLIKE": _token("O" + POLITY_CODE),
            "ENT": _token("POL" + POLITY_CODE),
            "MARK": MARK_OPEN,
            "TITLE_WORD": _alternation(lex.titles, ignore_case=True),
            "TITLE_MODIFIER": _alternation(lex.title_modifiers, ignore_case=True),
            "UNIT": _alternation(lex.units, ignore_case=True),
            "HONORIFIC": _alternation(lex.honorifics, ignore_case=False),
            "NAME_CUE": _alternation(lex.name_cues, ignore_case=True),
            "MONTH": _alternation(list(dates.months), ignore_case=False),
            "WEEKDAY": _alternation(list(dates.weekdays), ignore_case=False),
        }

    def _expand_macros(self) -> dict[str, str]:
        macros = self._builtin_macros()
        for name in self.ruleset.macros:
            if name in macros:
                self.problems.append(self._origin("macros", name).problem(f"macro {name} is built in"))
        raw = {**macros, **self.ruleset.macros}
        expanded: dict[str, str] = {}
        for name in raw:
            try:
                expanded[name] = self._expand(raw[name], raw, (name,))
            except ValueError as exc:
                self.problems.append(self._origin("macros", name).problem(str(exc)))
        return expanded

    def _expand(self, pattern: str, raw: dict[str, str], stack: tuple[str, ...] = ()) -> str:
        def sub(match: regex.Match[str]) -> str:
            name = match.group(1)
            if name in stack:
                raise ValueError(f"macro cycle: {' -> '.join((*stack, name))}")
            if name not in raw:
                raise ValueError(f"unknown macro {{{name}}}; known: {', '.join(sorted(raw))}")
            body = self._expand(raw[name], raw, (*stack, name))
            # one character stays bare: {MARK} must work inside a character class, as in [^{MARK}.]
            return body if len(body) == 1 else f"(?:{body})"

        return _MACRO.sub(sub, pattern)

    def expand(self, pattern: str) -> str:
        return self._expand(pattern, self.macros)

    # -- patterns ---------------------------------------------------------------
    def _origin(self, section: str, rule_id: str) -> Origin:
        return rule_origin(self.ruleset, section, rule_id)

    def _compile_section(self, section: str) -> list[Compiled]:
        out = []
        for rule in getattr(self.ruleset, section):
            origin = self._origin(section, rule.id)
            compiled = self._compile_one(rule, origin, ("pattern",))
            if compiled is None:
                continue
            required = self._required_groups(rule, origin)
            if required is None:
                continue
            if required and not self.validated and not any(req <= set(compiled.regex.groupindex)
                                                          for req in required):
                wanted = " or ".join("+".join(sorted(r)) for r in required)
                self.problems.append(origin.problem(f"pattern needs named groups {wanted}", ("pattern",)))
                continue
            out.append(compiled)
        return out

    def _required_groups(self, rule: Any, origin: Origin) -> tuple[frozenset[str], ...] | None:
        """The rule's class says which groups it needs; an event rule's kind does (None: unknown kind)."""
        kind_id = getattr(rule, "kind", None)
        if kind_id is None:
            if getattr(rule, "org_from", None):  # the organisation comes from the article, not the match
                return tuple(req - {"org"} for req in type(rule).required_groups)
            return tuple(getattr(type(rule), "required_groups", ()))
        kind = self.kinds.get(kind_id)
        if kind is None:
            self.problems.append(origin.problem(
                f"kind {kind_id!r} is not declared in event_kinds; declared: {', '.join(sorted(self.kinds))}",
                ("kind",)))
            return None
        if rule.answers and kind.reply_iri is None:
            self.problems.append(origin.problem(f"answers: true, but kind {kind_id!r} declares no reply",
                                                ("answers",)))
        return kind.required_groups()

    def _kinds(self) -> dict[str, KindSpec]:
        kinds, problems = event_kinds(self.ruleset)
        self.problems += problems
        return kinds

    def _compile_list(self, section: str, rules: list[Any], loc: tuple[Any, ...]) -> list[Compiled]:
        base = self.ruleset.origins.get((section, ""))
        out = []
        for index, rule in enumerate(rules):
            origin = Origin(base.path, (*base.loc, *loc, index), rule.id) if base else Origin(
                self.ruleset.directory, (), rule.id)
            compiled = self._compile_one(rule, origin, ("pattern",))
            if compiled is not None:
                out.append(compiled)
        return out

    def _compile_one(self, rule: Any, origin: Origin, sub: tuple[Any, ...]) -> Compiled | None:
        try:
            source = self.expand(rule.pattern)
        except ValueError as exc:
            self.problems.append(origin.problem(str(exc), sub))
            return None
        compiled = None if self.validated else self._checked_pattern(source, origin, sub)
        if compiled is None and not self.validated:
            return None
        words: dict[str, frozenset[str]] = {}
        for field in ("triggers", "triggers_also", "starts_with"):
            try:
                words[field] = self._words(getattr(rule, field, []))
            except ValueError as exc:
                self.problems.append(origin.problem(str(exc), (field,)))
                return None
        starts = self._start_finder(words["starts_with"]) if words["starts_with"] else None
        return Compiled(rule, source, words["triggers"], starts, words["triggers_also"], compiled)

    def _checked_pattern(self, source: str, origin: Origin, sub: tuple[Any, ...]) -> regex.Pattern[str] | None:
        try:
            compiled = regex.compile(source, regex.V0)
        except regex.error as exc:
            self.problems.append(origin.problem(f"bad regular expression: {exc}", sub))
            return None
        if not _fast_enough(compiled):
            self.problems.append(origin.problem(
                f"pattern backtracks catastrophically (over {PROBE_TIMEOUT} s on a 3,000-character probe); "
                "avoid nested quantifiers such as (\\w+\\s?)+", sub))
            return None
        return compiled

    def _start_finder(self, words: frozenset[str]) -> WordFinder:
        """One finder per word list, shared by the rules that name the same words."""
        if words not in self._start_finders:
            self._start_finders[words] = WordFinder(words)
        return self._start_finders[words]

    def _words(self, words: list[str]) -> frozenset[str]:
        """Folded words of `triggers` or `starts_with`; `@titles`, `@honorifics`, `@units`, `@name_cues`,
        `@title_modifiers`, `@months`, `@weekdays` and the lexicon's `word_lists` (`@letters`, ...) expand
        to their words."""
        lex = self.ruleset.lexicon
        lists = {"@titles": lex.titles, "@honorifics": lex.honorifics, "@units": lex.units,
                 "@name_cues": lex.name_cues, "@title_modifiers": lex.title_modifiers,
                 "@months": list(self.ruleset.dates.months), "@weekdays": list(self.ruleset.dates.weekdays),
                 **{f"@{name}": words for name, words in lex.word_lists.items()}}
        out: set[str] = set()
        for word in words:
            if word.startswith("@"):
                if word not in lists:
                    raise ValueError(f"unknown word list {word}; known: {', '.join(sorted(lists))}")
                out.update(fold(w) for w in lists[word])
            else:
                out.add(fold(word))
        return frozenset(out)

    def _trigger_finder(self) -> WordFinder:
        return WordFinder({word for group in self.gated.values() for c in group for word in c.triggers | c.also})

    def applicable(self, group: str, present: frozenset[str]) -> tuple[Compiled, ...]:
        """The rules of a group (`events`, `memberships`, ...) that may fire on a sentence holding
        these triggers; cached, since few distinct trigger sets occur."""
        key = (group, present)
        found = self._applicable.get(key)
        if found is None:
            found = tuple(c for c in self.gated[group] if c.applies(present))
            if len(self._applicable) < 100_000:
                self._applicable[key] = found
        return found

    def placeholders_needed(self, present: frozenset[str]) -> int | None:
        """How many entity placeholders a sentence holding these triggers needs for an event of a kind whose
        rules may fire on it (None: no event rule may); cached like `applicable`."""
        found = self._needed.get(present, -1)
        if found == -1:
            kinds = {c.rule.kind for c in self.applicable("events", present)}
            found = min((self.kinds[k].placeholders_needed() for k in kinds), default=None)
            if len(self._needed) < 100_000:
                self._needed[present] = found
        return found

    def triggers_by_sentence(self, folded: str, spans: list[tuple[int, int]]) -> list[frozenset[str]]:
        """For each sentence span (in text order, not overlapping), the trigger words it holds as whole
        words ("diplomat" is not in "diplomatic", "head" not in "ahead"): one automaton pass per article."""
        found: list[set[str]] = [set() for _ in spans]
        if not spans:
            return []
        sentences = Spans(spans)
        for first, word in self.trigger_finder.find(folded, spans[0][0], spans[-1][1]):
            index = sentences.holding(first, first + len(word))
            if index >= 0:
                found[index].add(word)
        return [frozenset(words) for words in found]

    # -- gazetteer --------------------------------------------------------------
    def _entities(self) -> dict[str, Entity]:
        classes = self.ruleset.lexicon.classes
        entities: dict[str, Entity] = {}
        for rule in self.ruleset.entities:
            schema_class = rule.schema_class or rule.type
            allowed = classes.get(rule.type, [rule.type])
            if schema_class not in allowed and schema_class != rule.type:
                self.problems.append(self._origin("entities", rule.id).problem(
                    f"schema_class {schema_class} is not a {rule.type} class; allowed: {', '.join(allowed)}",
                    ("schema_class",)))
            entities[rule.id] = Entity(rule.id, rule.type, schema_class, rule.name,
                                       tuple(rule.same_as), rule.part_of, rule.capital_of)
        for rule in self.ruleset.entities:
            for field, value in (("part_of", rule.part_of), ("capital_of", rule.capital_of)):
                if value and value not in entities:
                    self.problems.append(self._origin("entities", rule.id).problem(
                        f"{field} names unknown entity '{value}'", (field,)))
        return entities

    def _person_names(self) -> dict[str, tuple[str, ...]]:
        """Every gazetteer person's id → its name and aliases (what the extractor keys persons by)."""
        return {rule.id: (rule.name, *rule.aliases, *rule.exact) for rule in self.ruleset.entities
                if rule.type == "Person"}

    def _context_cues(self) -> dict[str, frozenset[str]]:
        """The word lists entities name as their `context`, folded; an unknown list is a rule problem."""
        lists = self.ruleset.lexicon.word_lists
        out: dict[str, frozenset[str]] = {}
        for rule in self.ruleset.entities:
            if rule.context is None or rule.context in out:
                continue
            if rule.context not in lists:
                self.problems.append(self._origin("entities", rule.id).problem(
                    f"context names unknown word list {rule.context!r}; known: {', '.join(sorted(lists))}",
                    ("context",)))
                continue
            out[rule.context] = frozenset(fold(w) for w in lists[rule.context])
        return out

    def in_context(self, cues: str, text: str, folded: str, start: int, end: int) -> bool:
        """A name with a `context` counts right after one of its words ("in Mombasa", not "Jackson said")
        and not before another capitalised word ("to Victoria Mensah")."""
        words = self.context_cues.get(cues)
        if not words:
            return False
        i = start
        while i > 0 and folded[i - 1] in " \t\n":
            i -= 1
        j = i
        while j > 0 and folded[j - 1].isalpha():
            j -= 1
        if i == start or j == i or folded[j:i] not in words or (j > 0 and folded[j - 1] in "-'"):
            return False
        k = end
        while k < len(text) and text[k] in " \t":
            k += 1
        return not (k > end and k + 1 < len(text) and text[k].isupper() and text[k + 1].islower())

    def code_of(self, entity: Entity) -> str:
        if entity.kind == "Place" and entity.schema_class in self.polity_classes:
            return POLITY_CODE
        return KIND_CODES[entity.kind]

    def _automaton(self) -> ahocorasick.Automaton:
        automaton = ahocorasick.Automaton()
        owners: dict[str, tuple[str, str]] = {}
        for rule in self.ruleset.entities:
            names = [(rule.name, False, False)]
            names += [(a, False, False) for a in rule.aliases]
            names += [(a, True, False) for a in rule.exact]
            names += [(a, True, True) for a in rule.coref]
            names += [(a, True, False) for a in rule.adjectives]
            adjectives = len(names) - len(rule.adjectives)
            for index, (alias, exact, coref) in enumerate(names):
                key = fold(alias.strip())
                if not key.strip():
                    continue
                is_acronym = sum(c.isupper() for c in alias) >= 2 and not any(c.islower() for c in alias)
                entry = AliasEntry(rule.id, alias, exact or is_acronym or rule.case_sensitive, coref,
                                   ADJECTIVE_RULE if index >= adjectives else "gazetteer", rule.context or "")
                if not coref:
                    self._check_collision(owners, key, rule)
                entries = gazetteer_entries(automaton, key)
                if all(e.entity_id != rule.id or e.exact != entry.exact for e in entries):
                    entries.append(entry)
        for phrase in self.ruleset.non_entities:  # longest match wins, then names nothing
            gazetteer_entries(automaton, fold(phrase.strip()))[:] = [AliasEntry(NO_ENTITY, phrase, False, False,
                                                                                "non_entity")]
        freeze_gazetteer(automaton)
        return automaton

    def lookup(self, name: str) -> list[AliasEntry]:
        """The gazetteer entries of exactly this name (folded before looking)."""
        key = fold(name.strip())
        hit = self.automaton.get(bounded(key), None)
        return list(word_entries(hit, key) or ()) if hit else []

    def named(self, name: str) -> list[Entity]:
        """The gazetteer entities this exact name names (a non-entity phrase names none)."""
        return [self.entities[e.entity_id] for e in self.lookup(name) if e.entity_id in self.entities]

    def _check_collision(self, owners: dict[str, tuple[str, str]], key: str, rule: Any) -> None:
        first = owners.setdefault(key, (rule.id, rule.type))
        if first[1] != rule.type:
            self.problems.append(self._origin("entities", rule.id).problem(
                f"alias '{key}' also names {first[1]} '{first[0]}': an alias may not name entities of "
                f"two types"))


def rule_origin(ruleset: RuleSet, section: str, rule_id: str) -> Origin:
    """Where a rule is declared (file and line), for its error messages."""
    key = (section if section in ("macros", "document", "dates") else id_namespace(section), rule_id)
    return ruleset.origins.get(key) or ruleset.origins.get((section, ""), Origin(ruleset.directory, (), rule_id))


def event_kinds(ruleset: RuleSet) -> tuple[dict[str, KindSpec], list[RuleProblem]]:
    """The declared event kinds, each checked (one class per kind, place_from naming a kind with places); the
    problems found. Needs nothing else of the rules: a process that only writes takes them alone."""
    out: dict[str, KindSpec] = {}
    problems: list[RuleProblem] = []
    classes: dict[str, str] = {}
    for kind in ruleset.event_kinds:
        spec = KindSpec(kind)
        origin = rule_origin(ruleset, "event_kinds", kind.id)
        for loc, message in spec.problems():
            problems.append(origin.problem(message, loc))
        first = classes.setdefault(spec.class_iri, kind.id)
        if first != kind.id:
            problems.append(origin.problem(
                f"kinds {first!r} and {kind.id!r} share class {kind.class_}: one class, one kind", ("class",)))
        out[kind.id] = spec
    for spec in out.values():
        for other in spec.kind.place_from:
            if other not in out or not out[other].places:
                problems.append(rule_origin(ruleset, "event_kinds", spec.id).problem(
                    f"place_from names {other!r}, which is not a declared kind with a place slot", ("place_from",)))
    return out, problems
