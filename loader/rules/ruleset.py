"""Load a rules directory: parse every YAML file, validate it, merge the sections.

Every problem found is collected (not just the first) and reported as file:line: rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, ValidationError

from loader.errors import RuleError, RuleProblem
from loader.rules.models import LIST_SECTIONS, SINGLE_SECTIONS, DateRules, DocumentRules, Lexicon, RuleFile
from loader.rules.yamlfile import ProblemError, line_of, read_yaml

# ids are unique within a namespace: entities, event kinds, and every sentence rule together
RULE_SUFFIXES = (".yaml", ".yml", ".json")  # JSON for generated files: it is YAML, and parses much faster
ID_NAMESPACES = {"entities": "entities", "event_kinds": "event_kinds"}


def id_namespace(section: str) -> str:
    return ID_NAMESPACES.get(section, "rules")


@dataclass(frozen=True)
class Origin:
    """Where a rule was written: used by every later error about it."""

    path: Path
    loc: tuple[Any, ...]
    rule: str | None

    def problem(self, message: str, sub: tuple[Any, ...] = ()) -> RuleProblem:
        return RuleProblem(str(self.path), line_of(self.path, self.loc + sub), self.rule, message)


class RuleSet(RuleFile):
    """All rule files of a directory, merged and validated, not yet compiled: the sections of a
    `RuleFile`, with where each rule was written."""

    model_config = ConfigDict(extra="forbid", frozen=False, arbitrary_types_allowed=True)

    directory: Path
    files: list[Path] = Field(default_factory=list)
    document: DocumentRules = DocumentRules()
    lexicon: Lexicon = Lexicon()
    dates: DateRules = DateRules()
    origins: dict[tuple[str, str], Origin] = Field(default_factory=dict)
    content_hash: str = ""
    # a rule set read from the cache (loader.rules.cache) holds its entity rules compiled only, in
    # CompiledRules.entities and the automaton: `entities` is then empty, and this says how many there were
    entities_compiled_only: int = 0


def rule_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RuleError([RuleProblem(str(directory), None, None, "rules directory not found")])
    files = sorted(p for p in directory.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())
    if not files:  # rules that find nothing are no rules: say so rather than extract nothing
        raise RuleError([RuleProblem(str(directory), None, None,
                                     f"no rule files ({', '.join(sorted(RULE_SUFFIXES))}) in this folder")])
    return files


def load_ruleset(directory: Path) -> RuleSet:
    """Parse and merge; raise RuleError with every problem found."""
    import hashlib

    files = rule_files(directory)
    ruleset = RuleSet(directory=directory, files=files, origins={})
    problems: list[RuleProblem] = []
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
        parsed = _parse_file(path, problems)
        if parsed is not None:
            _merge(ruleset, path, parsed, problems)
    if problems:
        raise RuleError(problems)
    ruleset.content_hash = digest.hexdigest()
    return ruleset


def _parse_file(path: Path, problems: list[RuleProblem]) -> RuleFile | None:
    try:
        raw = read_yaml(path)
    except ProblemError as exc:
        problems.append(exc.problem)
        return None
    if raw is None:
        return RuleFile()
    if not isinstance(raw, dict):
        problems.append(RuleProblem(str(path), 1, None, "a rule file must be a mapping of sections"))
        return None
    try:
        return RuleFile.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            problems.append(RuleProblem(str(path), line_of(path, loc), _rule_id_at(raw, loc),
                                        f"{'.'.join(map(str, loc))}: {err['msg']}"))
        return None


def _rule_id_at(raw: Any, loc: tuple[Any, ...]) -> str | None:
    """The `id` of the list item that `loc` points into, if any."""
    node, found = raw, None
    for key in loc:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            found = node["id"]
    return found


def _merge(ruleset: RuleSet, path: Path, parsed: RuleFile, problems: list[RuleProblem]) -> None:
    for section in SINGLE_SECTIONS:
        value = getattr(parsed, section)
        if value is None:
            continue
        key = (section, "")
        if key in ruleset.origins:
            first = ruleset.origins[key].path
            problems.append(RuleProblem(str(path), line_of(path, (section,)), None,
                                        f"section '{section}' is already defined in {first}"))
            continue
        ruleset.origins[key] = Origin(path, (section,), None)
        setattr(ruleset, section, value)
    ruleset.non_entities += parsed.non_entities
    for name, pattern in parsed.macros.items():
        key = ("macros", name)
        if key in ruleset.origins:
            problems.append(Origin(path, ("macros", name), name).problem(
                f"macro {name} is already defined in {ruleset.origins[key].path}"))
            continue
        ruleset.origins[key] = Origin(path, ("macros", name), name)
        ruleset.macros[name] = pattern
    for section in LIST_SECTIONS:
        target = getattr(ruleset, section)
        for index, rule in enumerate(getattr(parsed, section)):
            origin = Origin(path, (section, index), rule.id)
            key = (id_namespace(section), rule.id)
            if key in ruleset.origins:
                earlier = ruleset.origins[key]
                problems.append(origin.problem(
                    f"duplicate id '{rule.id}' (first in {earlier.path}:{line_of(earlier.path, earlier.loc)})"))
                continue
            ruleset.origins[key] = origin
            target.append(rule)
