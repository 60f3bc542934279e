"""Rules stage: Article → Facts (entities, mentions, events of the declared kinds, memberships)."""

from __future__ import annotations

from loader.extract.dates import article_date
from loader.extract.entities import EntityFinder
from loader.extract.masking import MaskedSentence, Replacement, build_views
from loader.extract.relations import (
    RelationFinder,
    RoleHolders,
    merge_events,
    merge_memberships,
    places_from_context,
    prefer_people,
)
from loader.extract.sentences import split_sentences
from loader.model import Article, Facts, Membership, Mention, Sentence
from loader.rules.compiled import ADJECTIVE_RULE, CompiledRules, fold

ADJECTIVE_PREFIX = ADJECTIVE_RULE + ":"


class Extractor:
    """Applies one compiled rule set to articles; holds no per-article state between calls."""

    def __init__(self, rules: CompiledRules):
        self.rules = rules
        self.entity_finder = EntityFinder(rules)
        self.relation_finder = RelationFinder(rules)

    def extract(self, article: Article) -> Facts:
        return self.trace(article)[0]

    def trace(self, article: Article) -> tuple[Facts, list[tuple[Sentence, MaskedSentence]], dict[int, frozenset[str]]]:
        """The facts, with what produced them (for `rules explain`): the event view of every sentence the
        event rules may fire on, and the trigger words of each sentence, by its start."""
        sentences = split_sentences(article, self.rules.abbreviations, self.rules.ruleset.document.max_sentence_chars)
        folded = fold(article.text)
        triggers = self.rules.triggers_by_sentence(folded, [(s.start, s.end) for s in sentences])
        present = {s.start: t for s, t in zip(sentences, triggers, strict=True)}
        mentions, entities = self.entity_finder.find(article, sentences, folded, present)
        rules = self.rules
        replacements = self.entity_finder.replacements(mentions)
        views = build_views(sentences, replacements, folded, lambda s: 0 if (
            rules.applicable("memberships", present[s.start]) or rules.applicable("role_references", present[s.start]))
            else None)
        country = self._dateline_country(article, mentions)
        if country is not None:  # the organisation of the memberships that take it, named or not
            entities.setdefault(country, self.rules.entities[country])
        found = self.relation_finder.memberships(views, present, country)
        holders = RoleHolders([m for m, _, _ in found], self.rules.generic_titles, self.rules.title_synonyms)
        referred = self.relation_finder.from_references(views, holders, {m.person for m, _, _ in found}, present)
        if referred:  # "President X" is "the country's president" named elsewhere
            found += referred
            holders = RoleHolders([m for m, _, _ in found], self.rules.generic_titles, self.rules.title_synonyms)
        memberships = merge_memberships([m for m, _, _ in found])
        spans = [(start, end) for _, start, end in found]
        references = self.relation_finder.role_references(views, holders, list(spans), present)
        event_views = build_views(sentences, self._event_replacements(found, references, replacements), folded,
                                  lambda s: rules.placeholders_needed(present[s.start]))
        events = self.relation_finder.events(event_views, article_date(article.published), entities, present)
        publisher = next((m.entity_id for m in mentions if m.start == article.publisher.start),
                         None) if article.publisher else None
        # a country adjective stood for its place in the patterns; alone it names nothing
        all_mentions = sorted((m for m in mentions + references if not m.rule.startswith(ADJECTIVE_PREFIX)),
                              key=lambda m: (m.start, m.end))
        members = {(m.person, m.organization) for m in memberships}
        merged = prefer_people(merge_events(events, self.rules.kinds), members)
        places_from_context(merged, self.rules.kinds)
        used = {m.entity_id for m in all_mentions} | {x for m in memberships for x in (m.person, m.organization)}
        used |= {x for e in merged for x in (*e.parties, *e.values.values(), *(e.answers or ()))}
        facts = Facts(
            article=article,
            entities={eid: entity for eid, entity in entities.items() if eid in used or eid == publisher},
            mentions=all_mentions,
            events=merged,
            memberships=memberships,
            publisher=publisher,
            sentences=tuple((s.start, s.end) for s in sentences),
        )
        return facts, event_views, present

    def _dateline_country(self, article: Article, mentions: list[Mention]) -> str | None:
        """The country whose capital the article's dateline names (TEHRAN -- ...: Iran), or the country it
        names itself (KUWAIT, Jan 12 (KUNA) --), if any."""
        if article.dateline_place is None:
            return None
        place = next((m.entity_id for m in mentions if m.start == article.dateline_place.start), None)
        entity = self.rules.entities.get(place) if place else None
        if entity is None:
            return None
        return entity.capital_of or (entity.id if entity.schema_class in self.rules.polity_classes else None)

    @staticmethod
    def _event_replacements(found: list[tuple[Membership, int, int]], references: list[Mention],
                            own: list[Replacement]) -> list[Replacement]:
        """Membership spans and role references stand for their person; other mentions for themselves."""
        wide = [Replacement(start, end, "P", m.person) for m, start, end in found]
        wide += [Replacement(r.start, r.end, "P", r.entity_id) for r in references]
        wide.sort(key=lambda r: (r.start, r.start - r.end))
        kept: list[Replacement] = []
        for rep in wide:
            if not kept or rep.start >= kept[-1].end:
                kept.append(rep)
        inside = [m for m in own if not any(r.start <= m.start < r.end for r in kept)]
        return kept + inside
