"""A picture of a prepared query for people who do not run Neo4j Browser.

The entities a query's rows name are drawn with the events and positions that
connect them, as one self-contained interactive HTML page (neo4j-viz; no JavaScript of ours).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from neo4j_viz import Node, Relationship, VisualizationGraph

from loader.graph.store import GraphStore
from loader.rules.compiled import KindSpec

COLOURS = {"Person": "#4C8EDA", "Organization": "#F16667", "Place": "#57C7E3", "City": "#8DCC93",
           "Membership": "#C990C0"}
ENTITY_LABELS = ("Person", "Organization", "Place")

SUBGRAPH = """
MATCH (e:Resource) WHERE e.name IN $names AND (e:Person OR e:Organization OR e:Place)
WITH collect(e.uri) AS uris
UNWIND uris AS uri
MATCH (a:Resource {uri: uri})<-[r1]-(fact)-[r2]->(b)
WHERE b.uri IN uris AND a.uri < b.uri AND (fact:Event OR fact:Membership)
RETURN a.uri AS a, type(r1) AS r1, fact.uri AS fact, labels(fact) AS factLabels, fact.name AS factName,
       type(r2) AS r2, b.uri AS b
"""
ENTITIES = """
MATCH (e:Resource) WHERE e.name IN $names AND (e:Person OR e:Organization OR e:Place)
RETURN e.uri AS uri, e.name AS name, labels(e) AS labels
"""


def names_in(rows: list[dict[str, Any]]) -> list[str]:
    """Every string a query returned (list items included): the candidates for entity names."""
    found: set[str] = set()
    for row in rows:
        for value in row.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item:
                    found.add(item)
    return sorted(found)


def _kind(labels: list[str], wanted: tuple[str, ...]) -> str:
    return next((label for label in ("City", *wanted) if label in labels), labels[0] if labels else "")


def build_graph(store: GraphStore, rows: list[dict[str, Any]], kinds: Mapping[str, KindSpec]) -> VisualizationGraph:
    """The entities the rows name, and the events (of every declared kind, coloured as declared) and
    positions linking them."""
    colours = {**COLOURS, **{k.kind.label: k.kind.colour for k in kinds.values()}}
    fact_labels = (*(k.kind.label for k in kinds.values()), "Membership")
    names = names_in(rows)
    nodes: dict[str, Node] = {}
    for entity in store.read(ENTITIES, {"names": names}):
        kind = _kind(entity["labels"], ENTITY_LABELS)
        nodes[entity["uri"]] = Node(id=entity["uri"], caption=entity["name"], size=20,
                                    color=colours.get(kind, "#A5ABB6"), properties={"kind": kind})
    relationships: list[Relationship] = []
    for link in store.read(SUBGRAPH, {"names": names}):
        kind = _kind(link["factLabels"], fact_labels)
        if link["fact"] not in nodes:
            nodes[link["fact"]] = Node(id=link["fact"], caption=link["factName"] or kind, size=10,
                                       color=colours.get(kind, "#A5ABB6"), properties={"kind": kind})
        for end, rel_type in ((link["a"], link["r1"]), (link["b"], link["r2"])):
            rel_id = f"{link['fact']}|{rel_type}|{end}"
            if all(r.id != rel_id for r in relationships):
                relationships.append(Relationship(id=rel_id, source=link["fact"], target=end, caption=rel_type))
    return VisualizationGraph(nodes=list(nodes.values()), relationships=relationships)


def render_html(graph: VisualizationGraph, title: str) -> str:
    html = graph.render(height="800px", show_search_button=True).data
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{_escape(title)}</title></head>" \
           f"<body style='margin:0'>{html}</body></html>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
