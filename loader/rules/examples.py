"""A rule's `examples:` run as tests: each sentence is extracted with the whole rule set, and what
the rule produced from it is compared with what the example says it gives.

What a rule gives, by section: an event rule its event's slots by the kind's slot names (the parties
of a symmetric kind also as `subject`/`objects`/`participants`), a membership rule `person`, `org`
and `title`, a name pattern the `name` it found. Values are names as the graph shows them; a list
must be contained in what was produced; `none` says the rule produces nothing from the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from loader.documents import parse_article
from loader.errors import RuleProblem
from loader.extract import Extractor
from loader.model import Facts
from loader.rules.compiled import CompiledRules
from loader.rules.models import Example
from loader.rules.ruleset import id_namespace

Produced = dict[str, set[str]]
EXAMPLE_SECTIONS = ("events", "memberships", "name_patterns")


def run_examples(rules: CompiledRules) -> list[RuleProblem]:
    """Every failing example of the rules, as a problem naming the example's file and line."""
    extractor = Extractor(rules)
    problems: list[RuleProblem] = []
    for section in EXAMPLE_SECTIONS:
        for rule in getattr(rules.ruleset, section):
            origin = rules.ruleset.origins[(id_namespace(section), rule.id)]
            for index, example in enumerate(rule.examples):
                facts = extractor.extract(parse_article("example", "example", f"Example\n\n{example.text}\n".encode(),
                                                        rules))
                produced = list(_produced(section, rule.id, facts, rules))
                message = _verdict(example, produced)
                if message:
                    problems.append(origin.problem(f"example {index + 1}: {message}", ("examples", index)))
    return problems


_REGEX_SPACE = re.compile(r"\\s[+*?]?|\[\\s[^\]]*\][+*?]?|\\ ")
_ESCAPED = re.compile(r"\\([^\w])")


def unreachable_triggers(rules: CompiledRules) -> list[RuleProblem]:
    """Trigger words (written out, not `@lists`) that appear nowhere in their rule's expanded pattern: a
    sentence holding only such a word lets the rule run, and the rule can match nothing there; a typo in the
    only trigger silently disables the rule. Checked by analysis, so rules without examples are checked too."""
    origins = {rule_id: origin for (_, rule_id), origin in rules.ruleset.origins.items()}
    problems: list[RuleProblem] = []
    for group in rules.gated.values():
        for compiled in group:
            written = [w for w in getattr(compiled.rule, "triggers", []) if not w.startswith("@")]
            source = _ESCAPED.sub(r"\1", _REGEX_SPACE.sub(" ", compiled.regex.pattern)).lower()
            for word in written:
                if " ".join(word.lower().split()) not in source:
                    origin = origins.get(compiled.rule.id)
                    message = (f"trigger {word!r} appears nowhere in the pattern: the rule can never match where "
                               "it is the only trigger (a typo? list the words the pattern needs)")
                    problems.append(origin.problem(message, ("triggers",)) if origin else
                                    RuleProblem(str(rules.ruleset.directory), None, compiled.rule.id, message))
    return problems


def _verdict(example: Example, produced: list[Produced]) -> str | None:
    if example.gives == "none":
        return f"gives nothing, but the rule produced {_show(produced)}" if produced else None
    if not produced:
        return "the rule produced nothing from the sentence"
    wanted = {slot: {v.lower() for v in ([value] if isinstance(value, str) else value)}
              for slot, value in example.gives.items()}
    if any(all(slot in got and want <= {v.lower() for v in got[slot]} for slot, want in wanted.items())
           for got in produced):
        return None
    return f"wanted {dict(example.gives)}, the rule produced {_show(produced)}"


def _show(produced: list[Produced]) -> str:
    return "; ".join(", ".join(f"{k}={sorted(v)}" for k, v in sorted(p.items())) for p in produced) or "nothing"


def _produced(section: str, rule_id: str, facts: Facts, rules: CompiledRules) -> Iterator[Produced]:
    names = {eid: entity.name for eid, entity in facts.entities.items()}
    if section == "events":
        for event in facts.events:
            if any(ev.rule == rule_id for ev in event.evidence):
                yield _event_slots(event, names, rules)
    elif section == "memberships":
        for m in facts.memberships:
            if any(ev.rule == rule_id for ev in m.evidence):
                yield {"person": {names[m.person]}, "org": {names[m.organization]}, "title": {m.role}}
    else:
        for mention in facts.mentions:
            if mention.rule.split(":")[0] == rule_id:
                yield {"name": {names[mention.entity_id]}}


def _event_slots(event: Any, names: dict[str, str], rules: CompiledRules) -> Produced:
    kind = rules.kinds[event.kind]
    parties = [names[p] for p in event.parties]
    out: Produced = {"kind": {event.kind}}
    if kind.symmetric:
        for slot in (kind.agents[0], "participants", "subject", "objects"):
            out[slot] = set(parties)
    else:
        out.update({slot: {name} for slot, name in zip(kind.agents, parties, strict=True)})
    for slot, value in event.values.items():
        out[slot] = {names.get(value, value)}
    if kind.date and event.date:
        out[kind.date] = {event.date.value}
    return out
