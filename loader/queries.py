"""Prepared queries: cypher/*.cypher files with a header of name, description and parameters.

    // name: who-met-whom
    // description: The meeting network ...
    // param: person = ""  A name or alias ...
    // param: from: date = ""  Earliest date ...

Defaults are JSON values; a value given on the command line takes the default's type. Whole numbers
are counts (0 or more); a `date` parameter takes an ISO date (2023, 2023-06 or 2023-06-01) or nothing.
The same text runs in Neo4j Browser (after `:param`) and on the embedded graph.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from loader.errors import RuleError, RuleProblem, UsageError
from loader.graph.mapping import load_mapping
from loader.graph.store import GraphStore, read_names
from loader.resources import data_dir

_ISO_DATE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d\d)(?:-(?P<day>\d\d))?)?")
_HEADER = re.compile(r"^//\s*(name|description|param):\s*(.*)$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*(date)\s*)?=\s*"  # name, optional type
                    r"(\"(?:[^\"\\]|\\.)*\"|-?\d+(?:\.\d+)?|true|false|null)\s*(.*)$")  # JSON default, description


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any
    description: str
    kind: str | None = None  # "date": an ISO date, checked

    def coerce(self, text: str) -> Any:
        if isinstance(self.default, bool):
            if text.lower() not in ("true", "false"):
                raise UsageError(f"parameter {self.name} takes true or false, not {text!r}")
            return text.lower() == "true"
        if isinstance(self.default, int):
            try:
                number = int(text)
            except ValueError as exc:
                raise UsageError(f"parameter {self.name} takes a whole number, not {text!r}") from exc
            if number < 0:
                raise UsageError(f"parameter {self.name} takes a whole number, 0 or more, not {text!r}")
            return number
        if self.kind == "date" and text:
            check_date(self.name, text)
        return text


@dataclass(frozen=True)
class PreparedQuery:
    name: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str
    path: Path

    def bind(self, given: dict[str, str]) -> dict[str, Any]:
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            listed = ", ".join(known) or "none"
            raise UsageError(f"query {self.name} has no parameter {', '.join(unknown)}; its parameters: {listed}")
        return {p.name: p.coerce(given[p.name]) if p.name in given else p.default for p in self.parameters}

    def browser_params(self) -> str:
        """A `:params` line that sets every parameter to its default in Neo4j Browser."""
        return ":params {" + ", ".join(f"{p.name}: {json.dumps(p.default)}" for p in self.parameters) + "}"


def load_queries(directory: Path | None = None) -> dict[str, PreparedQuery]:
    directory = directory or data_dir("cypher")
    queries: dict[str, PreparedQuery] = {}
    problems: list[RuleProblem] = []
    for path in sorted(directory.glob("*.cypher")):
        try:
            query = parse_query(path)
        except ValueError as exc:
            problems.append(RuleProblem(str(path), int(exc.args[1]) if len(exc.args) > 1 else None, None,
                                        str(exc.args[0])))
            continue
        if query.name in queries:
            first = queries[query.name].path
            problems.append(RuleProblem(str(path), 1, query.name, f"query name also used by {first}"))
        queries[query.name] = query
    if problems:
        raise RuleError(problems)
    return queries


def parse_query(path: Path) -> PreparedQuery:
    lines = path.read_text(encoding="utf-8").splitlines()
    fields: dict[str, str] = {}
    parameters: list[Parameter] = []
    body_start = 0
    for number, line in enumerate(lines, start=1):
        match = _HEADER.match(line.strip())
        if not match:
            body_start = number - 1
            break
        key, value = match.groups()
        if key != "param":
            fields[key] = value.strip()
            continue
        param = _PARAM.match(value.strip())
        if not param:
            raise ValueError(f"bad parameter line (want: name = json-default  description): {value!r}", number)
        parameters.append(Parameter(param.group(1), json.loads(param.group(3)), param.group(4).strip(), param.group(2)))
    if "name" not in fields:
        raise ValueError("the header needs a `// name:` line", 1)
    text = "\n".join(lines[body_start:]).strip()
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))
    declared = {p.name for p in parameters}
    if used - declared:
        raise ValueError(f"parameters used but not declared: {', '.join(sorted(used - declared))}", 1)
    return PreparedQuery(fields["name"], fields.get("description", ""), tuple(parameters), text, path)


def check_date(name: str, text: str) -> None:
    """An ISO date as the graph writes them: 2023, 2023-06 or 2023-06-01, a real one."""
    match = _ISO_DATE.fullmatch(text)
    try:
        if not match:
            raise ValueError(text)
        date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))
    except ValueError:
        raise UsageError(f"parameter {name} takes a date such as 2023, 2023-06 or 2023-06-01, not {text!r}") from None


def check_names(store: GraphStore) -> None:
    """The prepared queries and views read the shipped mapping's names (Person, name, ATTENDEE). A graph
    loaded with other names (--naming shorten: sch__Person; another --mapping) would answer every one of
    them with nothing: refused with one line instead."""
    readable = load_mapping()
    named = {"label": readable.labels, "type": readable.relationships, "property": readable.properties}
    other = sorted((iri, name, named[kind][iri]) for kind, name, iri in read_names(store)
                   if iri in named[kind] and named[kind][iri] != name)
    if other:
        iri, name, wanted = other[0]
        raise UsageError(f"this graph was loaded with other names than the prepared queries read ({iri} is {name}, "
                         f"not {wanted}; {len(other)} names differ), as with --naming shorten or another --mapping: "
                         "reload it with the shipped mapping to query it here, or query it in Cypher by its names")


def find_query(queries: dict[str, PreparedQuery], name: str) -> PreparedQuery:
    if name not in queries:
        raise UsageError(f"no prepared query {name!r}; there are: {', '.join(sorted(queries))}")
    return queries[name]


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes name=value, not {pair!r}")
        out[key.strip()] = value
    return out


def _cell(value: Any, width: int | None = None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, list):
        text = ", ".join(_cell(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    text = " ".join(text.split())
    if width and len(text) > width:
        text = text[: width - 1] + "…"
    return text


def _fit(natural: list[int], width: int | None, gap: int = 2, least: int = 24) -> list[int]:
    """Column widths for a table `width` characters wide. The widest column gives way first, down to
    `least` characters, then the next widest; if that is not enough, all shrink evenly. No width (not a
    terminal): nothing is cut."""
    room = (width or 0) - gap * (len(natural) - 1)
    if not width or sum(natural) <= room:
        return natural
    widths = list(natural)
    for i in sorted(range(len(widths)), key=lambda i: -natural[i]):
        excess = sum(widths) - room
        if excess <= 0:
            return widths
        widths[i] = max(min(least, widths[i]), widths[i] - excess)
    if sum(widths) <= room:
        return widths
    low, high = 4, max(widths)
    while low < high:  # the largest cap with which the capped columns fit
        cap = (low + high + 1) // 2
        if sum(min(w, cap) for w in widths) <= room:
            low = cap
        else:
            high = cap - 1
    return [min(w, low) for w in widths]


def format_rows(rows: list[dict[str, Any]], fmt: str, width: int | None = None,
                columns: list[str] | None = None) -> str:
    """Rows as JSON (missing values are null), CSV (with its header even when there is no row) or a
    table that cuts cells only to fit `width` (the terminal's; None: nothing is cut)."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, default=str)
    columns = columns if columns is not None else (list(rows[0]) if rows else [])
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["; ".join(map(_cell, row[c])) if isinstance(row.get(c), list) else _cell(row.get(c))
                             for c in columns])
        return buffer.getvalue().rstrip("\n")
    if not rows:
        return ("  ".join(columns) + "\n" if columns else "") + "(no rows)"
    full = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = _fit([max(len(c), *(len(line[i]) for line in full)) for i, c in enumerate(columns)], width)
    cells = [[_cell(row.get(c), w) for c, w in zip(columns, widths, strict=True)] for row in rows]
    header = [c[:w] for c, w in zip(columns, widths, strict=True)]
    out = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
