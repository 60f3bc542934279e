"""`kgloader rules explain FILE`: why a sentence gave what it gave, for rule authors.

For every body sentence: the text with its entity placeholders shown by name (the masked view the
event rules see), the trigger words it holds, the event rules those words allowed and what each
matched (its slots), the rules allowed that did not match, and the events, positions and names
the article kept from the sentence after merging.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import regex

from loader.documents import read_article
from loader.extract import Extractor
from loader.extract.masking import MaskedSentence
from loader.model import Facts, Sentence
from loader.rules.compiled import MARK_CLOSE, MARK_OPEN, CompiledRules

_PLACEHOLDER = regex.compile(f"{MARK_OPEN}([A-Z])(\\d+){MARK_CLOSE}")


def explain_file(path: Path, rules: CompiledRules) -> Iterator[str]:
    """The report's lines, sentence by sentence."""
    facts, views, present = Extractor(rules).trace(read_article(path, rules))
    names = {eid: entity.name for eid, entity in facts.entities.items()}
    viewed = {sentence.start: (sentence, masked) for sentence, masked in views}
    yield f"{path}: {len(facts.sentences)} sentences, published {facts.article.published or 'unknown'}"
    for number, (start, end) in enumerate(facts.sentences, 1):
        yield ""
        yield f"[{number}] {start}-{end}: {' '.join(facts.article.text[start:end].split())}"
        words = sorted(present.get(start, frozenset()))
        yield f"    triggers: {', '.join(words) if words else '(none)'}"
        if start in viewed:
            yield from _events_tried(*viewed[start], rules, present[start], names)
        else:
            yield "    event rules: none tried (no trigger word, or too few names in the sentence)"
        yield from _kept(facts, start, end, names)


def _masked(masked: MaskedSentence, names: dict[str, str]) -> str:
    def show(match: regex.Match[str]) -> str:
        rep = masked.replacements[int(match.group(2))]
        return f"⟨{match.group(1)} {names.get(rep.entity_id, rep.entity_id)}⟩"

    return " ".join(_PLACEHOLDER.sub(show, masked.text).split())


def _events_tried(sentence: Sentence, masked: MaskedSentence, rules: CompiledRules, words: frozenset[str],
                  names: dict[str, str]) -> Iterator[str]:
    yield f"    masked: {_masked(masked, names)}"
    allowed = rules.applicable("events", words)
    missed = []
    for compiled in allowed:
        matches = list(compiled.finditer(masked.text, masked.folded))
        if not matches:
            missed.append(compiled.rule.id)
        for match in matches:
            yield f"    matched {compiled.rule.id} ({compiled.rule.kind}): {_slots(match, masked, names)}"
    if missed:
        yield f"    allowed by a trigger, no match: {', '.join(missed)}"
    left = len(rules.events) - len(allowed)
    if left:
        yield f"    not tried: {left} event rules whose trigger words the sentence lacks"


def _slots(match: regex.Match[str], masked: MaskedSentence, names: dict[str, str]) -> str:
    parts = []
    for group in sorted(match.groupdict()):
        values = []
        for start, end in match.spans(group):
            inside = masked.placeholders(start, end)
            if len(inside) == 1 and _PLACEHOLDER.fullmatch(match.string, start, end):
                values.append(names.get(masked.replacements[inside[0]].entity_id, "?"))
            elif start >= 0:  # words: shown as the article has them
                first, last = masked.abs_span(start, end)
                values.append(" ".join(masked.sentence.text[first - sentence_start(masked):last
                                                            - sentence_start(masked)].split()))
        if values:
            parts.append(f"{group}={' | '.join(values)}")
    return ", ".join(parts) or "(no slots)"


def sentence_start(masked: MaskedSentence) -> int:
    return masked.sentence.start


def _kept(facts: Facts, start: int, end: int, names: dict[str, str]) -> Iterator[str]:
    for event in facts.events:
        rules = sorted({ev.rule for ev in event.evidence if ev.sentence_start == start})
        if rules:
            extra = ", ".join(f"{k}={names.get(v, v)}" for k, v in sorted(event.values.items()))
            when = f" on {event.date.value}" if event.date else ""
            yield (f"    kept {event.kind}: {' / '.join(names[p] for p in event.parties)}{when}"
                   f"{'; ' + extra if extra else ''} ({', '.join(rules)})")
    for m in facts.memberships:
        if any(ev.sentence_start == start for ev in m.evidence):
            yield f"    kept position: {names[m.person]}, {m.role}, {names[m.organization]}"
    found = sorted({names[m.entity_id] for m in facts.mentions
                    if start <= m.start < end and not m.rule.startswith(("gazetteer", "coref"))})
    if found:
        yield f"    names found by patterns: {', '.join(found)}"
