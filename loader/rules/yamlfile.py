"""Read a YAML rule file strictly and find the line of any path inside it.

Parsing uses libyaml when present; the node tree is composed again only when an error
needs a line number, so large gazetteers load at C speed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from loader.errors import RuleError, RuleProblem

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_Base):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses duplicate keys instead of silently keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {seen[key]})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def read_yaml(path: Path) -> Any:
    """Parse one file; a syntax error becomes a RuleProblem with its line. A `.json` file (JSON is YAML,
    and generated gazetteers are written in it) is parsed by the json module, some 50 times faster."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(path, None, f"cannot read: {exc}") from exc
    if path.suffix == ".json":
        try:
            return json.loads(text, object_pairs_hook=_json_object)
        except json.JSONDecodeError as exc:
            raise _problem(path, exc.lineno, f"JSON: {exc.msg}") from exc
        except ValueError as exc:
            raise _problem(path, None, f"JSON: {exc}") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise _problem(path, line, f"YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise _problem(path, None, f"YAML: {exc}") from exc


class _ProblemError(RuleError):
    """A file that cannot be read as YAML: a rule error (one line, exit 2) wherever it is not caught."""

    def __init__(self, problem: RuleProblem):
        super().__init__([problem])
        self.problem = problem


def _problem(path: Path, line: int | None, message: str) -> _ProblemError:
    return _ProblemError(RuleProblem(str(path), line, None, message))


def line_of(path: Path, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the deepest node reachable along `loc` (keys and list indexes)."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Base)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    line = node.start_mark.line + 1 if node else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(key)), None)
            if nxt is None:
                key_node = next((k for k, _ in node.value if k.value == str(key)), None)
                return key_node.start_mark.line + 1 if key_node else line
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


ProblemError = _ProblemError
