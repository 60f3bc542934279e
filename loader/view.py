"""`kgloader view`: a prepared query's result drawn as an interactive HTML page.

What is drawn comes from the query itself: each prepared query `cypher/NAME.cypher` has a companion
`cypher/view/NAME.cypher` that takes the same parameters and returns rows of `nodes` (a list of nodes)
and `rels` (a list of relationships); the page draws their union. Nothing is guessed from the table's
strings, and the same file pasted into Neo4j Browser draws the same graph there.

Colours, sizes and caption properties come from `cypher/browser.grass` (the style Neo4j Browser uses),
so the page's legend and Browser agree. Event captions are their dates (each declared kind names its
date slot). The page is drawn by d3 (d3-force for the layout, SVG for the picture, so that names are
real text); d3 is shipped in the package and written once beside the pages, or inlined with
`--standalone`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loader.errors import RuleError, RuleProblem, UsageError
from loader.graph import cypher
from loader.graph.mapping import read_rel_entry
from loader.graph.store import GraphStore
from loader.queries import PreparedQuery
from loader.resources import data_dir
from loader.rules.compiled import KindSpec

ASSETS = Path(__file__).resolve().parent / "assets"
D3_FILE = "kgloader-d3-7.9.0.min.js"  # the vendored d3 (ISC licence, assets/d3.LICENSE), named by version
_VIEW_HEADER = re.compile(r"^//\s*(name|draws|layout):\s*(.*)$")
_PARAM_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# labels every node or many share: a node is drawn as its most specific styled label
_GENERAL = ("Resource", "Event", "Place", "Organization", "Concept")
_CAPTION_CHARS = 30
_HIDDEN = {"uri", "kgLoaded", "kgLoadedAt", "kgSource", "kgGraphs", "kgTerms", "contentHash",
           "beginIndex", "endIndex", "anchorBegin", "anchorEnd"}
_KEY_NAMES = {"startDate": "date", "dateSent": "sent", "dateCreated": "date", "datePublished": "published",
              "alternateName": "also called", "prefLabel": "label", "anchorText": "words", "identifier": "file"}


@dataclass(frozen=True)
class ViewQuery:
    """cypher/view/NAME.cypher: what the prepared query NAME draws."""

    name: str
    draws: str
    layout: str
    text: str
    path: Path


@dataclass(frozen=True)
class GrassRule:
    colour: str
    border: str
    diameter: float
    caption: str  # a property name, or "" (the type, for relationships)


@dataclass
class Drawing:
    """What a page draws: nodes and relationships as plain data for the page's script."""

    title: str
    description: str
    draws: str
    layout: str
    params: dict[str, Any]
    nodes: list[dict[str, Any]] = field(default_factory=list)
    rels: list[dict[str, Any]] = field(default_factory=list)
    legend: list[dict[str, Any]] = field(default_factory=list)
    rel_legend: list[dict[str, Any]] = field(default_factory=list)
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # identifier → headline, published


def load_views(queries: Mapping[str, PreparedQuery], directory: Path | None = None) -> dict[str, ViewQuery]:
    """Every view file, checked: it names a prepared query and uses only that query's parameters."""
    directory = directory or data_dir("cypher") / "view"
    views: dict[str, ViewQuery] = {}
    problems: list[RuleProblem] = []
    for path in sorted(directory.glob("*.cypher")):
        lines = path.read_text(encoding="utf-8").splitlines()
        fields: dict[str, str] = {}
        body = 0
        for body, line in enumerate(lines):  # noqa: B007 - body is the first line after the header
            match = _VIEW_HEADER.match(line.strip())
            if not match:
                break
            fields[match.group(1)] = match.group(2).strip()
        name = fields.get("name", "")
        text = "\n".join(lines[body:]).strip()
        if name not in queries:
            problems.append(RuleProblem(str(path), 1, name or None, "a view must name a prepared query (`// name:`)"))
            continue
        unknown = sorted(set(_PARAM_USE.findall(text)) - {p.name for p in queries[name].parameters})
        if unknown:
            problems.append(RuleProblem(str(path), 1, name,
                                        f"parameters the query {name} has not: {', '.join(unknown)}"))
            continue
        views[name] = ViewQuery(name, fields.get("draws", ""), fields.get("layout", "force"), text, path)
    if problems:
        raise RuleError(problems)
    return views


def find_view(views: Mapping[str, ViewQuery], name: str) -> ViewQuery:
    if name not in views:
        raise UsageError(f"the query {name!r} has no view (cypher/view/{name}.cypher); "
                         f"views exist for: {', '.join(sorted(views))}")
    return views[name]


def load_style(path: Path | None = None) -> dict[str, GrassRule]:
    """`node.Label { color: …; border-color: …; diameter: …px; caption: "{prop}" }` rules of a grass file,
    by label; the plain `node` rule under "" and relationship rules under `<TYPE>`."""
    text = (path or data_dir("cypher") / "browser.grass").read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules: dict[str, GrassRule] = {}
    # a body runs to its closing brace; braces inside quoted values ("{name}") do not close it
    for selector, body in re.findall(r'([\w.]+)\s*\{((?:[^{}"]|"[^"]*")*)\}', text):
        props = dict(re.findall(r'([\w-]+)\s*:\s*("[^"]*"|[^;"]+)\s*(?:;|$)', body.strip()))
        kind, _, label = selector.partition(".")
        key = label if kind == "node" else f"<{label}>"
        caption = re.fullmatch(r'"\{(\w+)\}"', props.get("caption", "").strip())
        rules[key] = GrassRule(props.get("color", "#A5ABB6").strip(), props.get("border-color", "#9AA1AC").strip(),
                               float(re.sub(r"[^\d.]", "", props.get("diameter", "40")) or 40),
                               caption.group(1) if caption else "")
    return rules


def display_label(labels: list[str], style: Mapping[str, GrassRule]) -> str:
    """The label a node is drawn as: its most specific label with a style (City before Place)."""
    styled = [label for label in labels if label in style and label != "Resource"]
    specific = [label for label in styled if label not in _GENERAL]
    for candidates in (specific, styled, [label for label in labels if label != "Resource"]):
        if candidates:
            return sorted(candidates)[0]
    return "Resource"


def shape_of(labels: list[str]) -> str:
    if "Event" in labels or "Membership" in labels:
        return "event"
    if "Evidence" in labels or "Mention" in labels:
        return "evidence"
    if "NewsArticle" in labels:
        return "article"
    return "entity"


def short(text: str, limit: int = _CAPTION_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _asserting_articles(store: GraphStore, uris: list[str]) -> dict[str, dict[str, list[str]]]:
    """uri → article identifier → the relationships it asserts out of that node: the articles whose
    ASSERTS reach each drawn node (its provenance, see loader/graph/cypher.py)."""
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for row in store.read(cypher.VIEW_SOURCES, {"uris": uris}):
        out[row["uri"]][row["article"]] = list(row["rels"] or [])
    return out


def build_graph(store: GraphStore, view: ViewQuery, query: PreparedQuery, params: dict[str, Any],
                kinds: Mapping[str, KindSpec], style: Mapping[str, GrassRule] | None = None) -> Drawing:
    """Run the view query and turn its nodes and relationships into a drawing with its details: each
    fact's evidence (sentence, rule, article), places, roles, and the articles' headlines."""
    style = style if style is not None else load_style()
    date_of = {k.kind.label: _local_name(k.predicates[k.date]) for k in kinds.values() if k.date}
    kind_colour = {k.kind.label: k.kind.colour for k in kinds.values()}
    drawing = Drawing(query.name, query.description, view.draws, view.layout, params)
    found: dict[str, dict[str, Any]] = {}
    links: dict[str, dict[str, Any]] = {}
    for row in store.read(view.text, params):
        for node in row.get("nodes") or []:
            if isinstance(node, dict) and "_id" in node:
                found.setdefault(node["_id"], node)
        for rel in row.get("rels") or []:
            if isinstance(rel, dict) and "_id" in rel:
                links.setdefault(rel["_id"], rel)
    # drawn in IRI order, so that the engine's row order cannot change the picture
    found = dict(sorted(found.items(), key=lambda item: (str(item[1].get("uri", "")), str(item[0]))))
    order = {node_id: rank for rank, node_id in enumerate(found)}
    links = dict(sorted(((k, r) for k, r in links.items() if r["_start"] in found and r["_end"] in found),
                        key=lambda item: (order[item[1]["_start"]], order[item[1]["_end"]], item[1]["_type"])))
    uris = [n["uri"] for n in found.values() if n.get("uri")]
    evidence = _grouped(store.read(cypher.VIEW_EVIDENCE, {"uris": uris}))
    places = _grouped(store.read(cypher.VIEW_PLACES, {"uris": uris}))
    roles = {row["uri"]: row["role"] for row in store.read(cypher.VIEW_ROLES, {"uris": uris})}
    asserted = _asserting_articles(store, uris)
    identifiers = sorted({a for said in asserted.values() for a in said}
                         | {e["article"] for rows in evidence.values() for e in rows if e.get("article")})
    articles = {row["identifier"]: row for row in store.read(cypher.VIEW_ARTICLES, {"identifiers": identifiers})}

    drawing.articles = {i: {"headline": a.get("headline"), "published": a.get("published")}
                        for i, a in articles.items()}
    counts: dict[str, int] = defaultdict(int)
    for node_id, node in found.items():
        labels = list(node.get("_labels") or [])
        label = display_label(labels, style)
        rule = style.get(label) or style.get("") or GrassRule("#A5ABB6", "#9AA1AC", 40, "")
        colour = rule.colour if label in style else kind_colour.get(label, rule.colour)
        # an unstyled label falls back to the plain `node` rule's caption (the IRI): names read better
        caption_key = date_of.get(label) or (rule.caption if label in style else "")
        uri = node.get("uri", "")
        full = _caption(node, caption_key, label, roles.get(uri))
        counts[label] += 1
        drawing.nodes.append({
            "id": node_id, "label": label, "labels": [x for x in labels if x != "Resource"],
            "shape": shape_of(labels), "colour": colour, "border": rule.border,
            "radius": round(max(5.0, rule.diameter * 0.3), 1), "caption": short(full), "full": full,
            "date": _date(node, date_of.get(label)), "uri": uri,
            "props": _props(node), "evidence": evidence.get(uri, []), "places": places.get(uri, []),
            "role": roles.get(uri), "articles": sorted(asserted.get(uri, {}))})
    for rel_id, rel in links.items():
        rule = style.get(f"<{rel['_type']}>") or style.get("<>") or GrassRule("#A5ABB6", "#A5ABB6", 1, "")
        start, end = found[rel["_start"]].get("uri", ""), found[rel["_end"]].get("uri", "")
        said = (rel["_type"], end)
        sources = sorted(a for a, entries in asserted.get(start, {}).items()
                         if any(read_rel_entry(e, "")[:2] == said for e in entries))
        drawing.rels.append({"id": rel_id, "source": rel["_start"], "target": rel["_end"], "type": rel["_type"],
                             "colour": rule.colour, "articles": sources})
    for label in sorted(counts, key=lambda x: (-counts[x], x)):
        sample = next(n for n in drawing.nodes if n["label"] == label)
        drawing.legend.append({"label": label, "colour": sample["colour"], "border": sample["border"],
                               "shape": sample["shape"], "count": counts[label]})
    rel_counts: dict[str, int] = defaultdict(int)
    for rel in drawing.rels:
        rel_counts[rel["type"]] += 1
    drawing.rel_legend = [{"type": t, "colour": next(r["colour"] for r in drawing.rels if r["type"] == t),
                           "count": n} for t, n in sorted(rel_counts.items(), key=lambda x: (-x[1], x[0]))]
    return drawing


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _grouped(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        uri = row.pop("uri")
        if row not in out[uri]:
            out[uri].append(row)
    return out


def _caption(node: Mapping[str, Any], key: str, label: str, role: str | None) -> str:
    if label == "Membership" and role:
        return role
    value = node.get(key) if key else None
    if value not in (None, "", []):
        return str(value)
    if "Event" in (node.get("_labels") or []):
        return "undated"
    for fallback in ("name", "headline", "prefLabel", "anchorText", "rule"):
        if node.get(fallback):
            return str(node[fallback])
    return _local_name(str(node.get("uri", "")))


def _date(node: Mapping[str, Any], key: str | None) -> str | None:
    value = node.get(key) if key else None
    return str(value)[:10] if value else None


def _props(node: Mapping[str, Any]) -> list[list[Any]]:
    out = []
    for key in sorted(node, key=lambda k: (k not in ("name", "headline", "kind"), k)):
        if key.startswith("_") or key in _HIDDEN or key.endswith("Precision"):
            continue
        value = node[key]
        precision = node.get(f"{key}Precision")
        if precision and precision not in ("day", "datetime"):
            value = f"{value} ({precision} only)"
        out.append([_KEY_NAMES.get(key, key), value])
    return out


def _script_json(value: Any) -> str:
    """JSON for a <script> element: no `</` can close it early, whatever the text holds."""
    return json.dumps(value, ensure_ascii=False, default=str).replace("</", "<\\/").replace("<!--", "<\\!--")


def render_html(drawing: Drawing, standalone: bool = False) -> str:
    """One HTML document: the page's own script and style inline, d3 beside it (or inline)."""
    data = {"title": drawing.title, "description": drawing.description, "draws": drawing.draws,
            "layout": drawing.layout, "params": drawing.params, "nodes": drawing.nodes, "rels": drawing.rels,
            "legend": drawing.legend, "relLegend": drawing.rel_legend, "articles": drawing.articles,
            "d3File": D3_FILE}
    page = (ASSETS / "view.html").read_text(encoding="utf-8")
    if standalone:
        d3_tag = f"<script>{(ASSETS / D3_FILE).read_text(encoding='utf-8')}</script>"
    else:
        d3_tag = f'<script src="{D3_FILE}"></script>'
    title = f"{drawing.title}: " + ", ".join(f"{k} = {v!r}" for k, v in drawing.params.items() if v not in ("", None))
    replacements = {"TITLE": _escape(title.rstrip(": ")), "D3": d3_tag, "DATA": _script_json(data),
                    "SCRIPT": (ASSETS / "view.js").read_text(encoding="utf-8"),
                    "STYLE": (ASSETS / "view.css").read_text(encoding="utf-8")}
    # one pass over the template: text from the graph is never searched for placeholders
    return re.sub(r"\{\{([A-Z0-9]+)\}\}", lambda m: replacements[m.group(1)], page)


def write_d3_beside(page: Path) -> Path | None:
    """Write d3 beside the page unless the same file is there already; returns the path written."""
    target = page.parent / D3_FILE
    source = (ASSETS / D3_FILE).read_bytes()
    if target.is_file() and target.read_bytes() == source:
        return None
    target.write_bytes(source)
    return target


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
