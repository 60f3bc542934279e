"""Every Cypher statement kgloader writes, parameterised, for Neo4j 5 and FalkorDB.

Names (labels, relationship types, properties) are validated identifiers, always
backtick-quoted; values always travel as parameters. The few dialect differences
(schema DDL, temporal functions) live in `Dialect`.
"""

from __future__ import annotations

from dataclasses import dataclass

from loader.graph.mapping import GRAPHS as GRAPHS  # the bookkeeping names, where the statements are
from loader.graph.mapping import IDENTIFIER
from loader.graph.mapping import RELS as RELS
from loader.graph.mapping import SOURCE_LABEL as SOURCE_LABEL
from loader.graph.mapping import TERMS as TERMS


def q(name: str) -> str:
    """Quote a validated identifier; anything else is a programming error, never user text in Cypher."""
    if not IDENTIFIER.match(name):
        raise ValueError(f"refusing to put {name!r} into Cypher: not an identifier")
    return f"`{name}`"


@dataclass(frozen=True)
class Dialect:
    """What a store's Cypher can say, as abilities (never "which product is this")."""

    temporal: dict[str, str | None]
    # CREATE CONSTRAINT/INDEX name IF NOT EXISTS, uniqueness as Cypher DDL (Neo4j 5); otherwise plain
    # CREATE INDEX (an existing one is an error the store ignores) and a uniqueness command of the store's own
    named_schema: bool

    def schema_statements(self, resource: str, indexed: list[tuple[str, str]]) -> list[str]:
        if self.named_schema:
            out = [f"CREATE CONSTRAINT kg_resource_uri IF NOT EXISTS FOR (n:{q(resource)}) REQUIRE n.uri IS UNIQUE"]
            out += [f"CREATE INDEX kg_{label.lower()}_{prop.lower()} IF NOT EXISTS FOR (n:{q(label)}) ON (n.{q(prop)})"
                    for label, prop in indexed]
            return out
        return [f"CREATE INDEX FOR (n:{q(resource)}) ON (n.uri)"] + [
            f"CREATE INDEX FOR (n:{q(label)}) ON (n.{q(prop)})" for label, prop in indexed]

    def temporal_expression(self, function: str, value: str) -> str:
        """Cypher that turns an ISO string into the store's temporal type (or keeps the string)."""
        target = self.temporal.get(function)
        return f"{target}({value})" if target else value


NEO4J = Dialect({"date": "date", "localdatetime": "localdatetime", "datetime": "datetime"}, named_schema=True)
# FalkorDB has date() and localdatetime() but no zoned datetime(): zoned values stay ISO strings.
FALKORDB = Dialect({"date": "date", "localdatetime": "localdatetime", "datetime": None}, named_schema=False)


def _list_union(var: str, name: str, values: str | None = None) -> str:
    p = f"{var}.{q(name)}"
    values = values or f"row.lists.{q(name)}"
    return f"{p} = [x IN coalesce({p}, []) WHERE NOT x IN {values}] + {values}"


def create_nodes(resource: str, labels: tuple[str, ...], temporal: tuple[tuple[str, str], ...],
                 dialect: Dialect, terms: bool = False) -> str:
    """New nodes, labels in the CREATE pattern (setting labels later is slow on FalkorDB); `terms`: the rows
    have terms (most have none: no empty list is written)."""
    label_text = "".join(f":{q(x)}" for x in (resource, *labels))
    sets = ["n += row.props", "n += row.lists"] + ([f"n.{TERMS} = row.terms"] if terms else [])
    sets += [f"n.{q(name)} = {dialect.temporal_expression(fn, f'row.temporal.{q(name)}')}" for name, fn in temporal]
    return f"UNWIND $rows AS row CREATE (n{label_text} {{uri: row.uri}}) SET {', '.join(sets)}"


def update_nodes(resource: str, lists: tuple[str, ...], temporal: tuple[tuple[str, str], ...],
                 dialect: Dialect, terms: bool = False) -> str:
    """Existing nodes: literal values replaced, lists (and with `terms`, terms) unioned. Nothing here grows
    with the sources of a node."""
    sets = ["n += row.props"] + ([_list_union("n", TERMS, "row.terms")] if terms else [])
    sets += [_list_union("n", name) for name in lists]
    sets += [f"n.{q(name)} = {dialect.temporal_expression(fn, f'row.temporal.{q(name)}')}" for name, fn in temporal]
    return f"UNWIND $rows AS row MATCH (n:{q(resource)} {{uri: row.uri}}) SET {', '.join(sets)}"


def add_labels(resource: str, labels: tuple[str, ...]) -> str:
    label_text = "".join(f":{q(x)}" for x in labels)
    return f"UNWIND $uris AS uri MATCH (n:{q(resource)} {{uri: uri}}) SET n{label_text}"


# Provenance. A source's record node (an article's NewsArticle node, an RDF file's RdfSource node) has one
# ASSERTS relationship to every node the source asserts, carrying what the source says of it (graphs, per-graph
# terms, the relationships it asserts out of it); a node is supported while one ASSERTS reaches it. A relationship
# keeps only a count (`kgSupport`) of the ASSERTS entries naming it. So a write costs the same however many
# sources share a fact, and a retraction reads its own record and touches only what that record names.

def assert_nodes(resource: str, asserts: str) -> str:
    """The records' ASSERTS relationships (always new: a source's earlier ones are withdrawn first), rows
    {record, nodes: [{uri, said}]}: each record looked up once, each ASSERTS given only the properties it has
    (see ArticleRows.assertions)."""
    return (f"UNWIND $rows AS row MATCH (s:{q(resource)} {{uri: row.record}}) UNWIND row.nodes AS node "
            f"MATCH (n:{q(resource)} {{uri: node.uri}}) CREATE (s)-[x:{q(asserts)}]->(n) SET x += node.said")


def _row_ends(resource: str) -> str:
    """Each row's two endpoints (`row.start`, `row.end`) as `a` and `b`, by indexed lookup."""
    return f"UNWIND $rows AS row MATCH (a:{q(resource)} {{uri: row.start}}) MATCH (b:{q(resource)} {{uri: row.end}}) "


def create_relationships(resource: str, rel_type: str, support: str) -> str:
    """Relationships with a new endpoint: they cannot exist yet, so no MERGE."""
    return _row_ends(resource) + f"CREATE (a)-[:{q(rel_type)} {{{q(support)}: row.n}}]->(b)"


def merge_relationships(resource: str, rel_type: str, support: str) -> str:
    s = f"r.{q(support)}"
    return _row_ends(resource) + f"MERGE (a)-[r:{q(rel_type)}]->(b) SET {s} = coalesce({s}, 0) + row.n"


def existing_nodes(resource: str) -> str:
    return f"UNWIND $uris AS uri MATCH (n:{q(resource)} {{uri: uri}}) RETURN n.uri AS uri, labels(n) AS labels"


def assertions_of(resource: str, asserts: str) -> str:
    """What the records `$records` assert: read before a retraction, which then touches only these."""
    return (f"UNWIND $records AS record MATCH (:{q(resource)} {{uri: record}})-[x:{q(asserts)}]->(n) "
            f"RETURN n.uri AS uri, x.{RELS} AS rels")


# Retraction: plain statements, each by indexed lookup (FalkorDB silently skips `SET … WITH n WHERE … DELETE n`
# in one statement, so decrement and delete are two).

def withdraw_relationships(resource: str, rel_type: str, support: str) -> str:
    s = f"r.{q(support)}"
    return (f"UNWIND $rows AS row MATCH (a:{q(resource)} {{uri: row.start}})-[r:{q(rel_type)}]->"
            f"(b:{q(resource)} {{uri: row.end}}) SET {s} = {s} - row.n")


def delete_unsupported_relationships(resource: str, rel_type: str, support: str) -> str:
    return (f"UNWIND $rows AS row MATCH (a:{q(resource)} {{uri: row.start}})-[r:{q(rel_type)}]->"
            f"(b:{q(resource)} {{uri: row.end}}) WHERE coalesce(r.{q(support)}, 0) < 1 DELETE r")


def recount_relationships(resource: str, rel_type: str, support: str, asserts: str) -> str:
    """After a partly applied unit (a store that cannot roll back): each relationship's support counted again
    from the ASSERTS into its start node that name it (entries `row.key`, "TYPE<TAB>end", and `row.prefix` and
    a graph, see mapping.rel_entry). Only on that failure path: it reads every ASSERTS of the start node."""
    return (f"UNWIND $rows AS row MATCH (a:{q(resource)} {{uri: row.start}})-[r:{q(rel_type)}]->"
            f"(b:{q(resource)} {{uri: row.end}}) OPTIONAL MATCH (a)<-[x:{q(asserts)}]-() "
            f"WITH r, sum(size([e IN coalesce(x.{RELS}, []) WHERE e = row.key OR e STARTS WITH row.prefix])) "
            f"AS n SET r.{q(support)} = n")


def records(resource: str, article: str, identifier: str) -> str:
    """The record nodes of sources by identifier: loaded articles (by the indexed identifier) and RDF files."""
    return (f"MATCH (n:{q(resource)}:{q(article)}) WHERE n.{q(identifier)} IN $ids AND n.kgLoaded IS NOT NULL "
            f"RETURN n.uri AS uri UNION MATCH (n:{q(resource)}:`{SOURCE_LABEL}`) WHERE n.identifier IN $ids "
            "RETURN n.uri AS uri")


def withdraw_assertions(resource: str, asserts: str) -> str:
    return f"UNWIND $records AS record MATCH (:{q(resource)} {{uri: record}})-[x:{q(asserts)}]->() DELETE x"


def delete_unsupported_nodes(resource: str, asserts: str) -> str:
    """Of the nodes `$uris` a retraction touched, those nothing asserts any more, except the `$keep` nodes
    the same unit writes again."""
    return (f"UNWIND $uris AS uri MATCH (n:{q(resource)} {{uri: uri}}) "
            f"WHERE NOT uri IN $keep AND NOT (n)<-[:{q(asserts)}]-() DETACH DELETE n")


def unmark_records(resource: str) -> str:
    """Records whose source is retracted: an article node that another source still asserts stays, but no
    longer as a loaded article."""
    return (f"UNWIND $records AS record MATCH (n:{q(resource)} {{uri: record}}) "
            "SET n.kgLoaded = null, n.kgSource = null, n.kgLoadedAt = null")


def delete_sources(resource: str) -> str:
    """Retracted RDF files' manifest nodes (unless the unit writes the file again)."""
    return (f"UNWIND $records AS record MATCH (n:{q(resource)}:`{SOURCE_LABEL}` {{uri: record}}) "
            "WHERE NOT record IN $keep DELETE n")


def mark_loaded(resource: str, article: str) -> str:
    """Written last in an article's transaction: the article counts as loaded only once this is set."""
    return (f"UNWIND $rows AS row MATCH (n:{q(resource)}:{q(article)} {{uri: row.uri}}) "
            "SET n.kgLoaded = row.stamp, n.kgSource = row.source, n.kgLoadedAt = row.at")


def record_names(resource: str) -> str:
    """The IRI behind each label, relationship type and property name ("name<TAB>IRI"), for export: one
    node without provenance, so no retraction removes it."""
    sets = [_list_union("n", name, f"${name}") for name in ("kgLabels", "kgTypes", "kgProperties")]
    return f"MERGE (n:{q(resource)}:`{NAMES_LABEL}` {{uri: $uri}}) SET {', '.join(sets)}"


NAMES_LABEL = "KgNames"
NAMES = "MATCH (n:`KgNames`) RETURN n.kgLabels AS labels, n.kgTypes AS types, n.kgProperties AS properties"


def mark_source(resource: str) -> str:
    """An RDF file's manifest entry and provenance record: created (unstamped) with its first chunk, stamped
    with its last, so a file whose load was cut short is found and replaced by the next run."""
    return (f"UNWIND $rows AS row MERGE (n:{q(resource)}:`{SOURCE_LABEL}` {{uri: row.uri}}) "
            "SET n.identifier = row.identifier, n.kgSource = row.source, n.kgLoaded = row.stamp")


def source_manifest(resource: str, chosen: bool = False) -> str:
    """RDF files loaded as sources; `chosen`: only those whose identifier is in `$ids`."""
    where = " WHERE n.identifier IN $ids" if chosen else ""
    return (f"MATCH (n:{q(resource)}:`{SOURCE_LABEL}`){where} RETURN n.identifier AS identifier, n.uri AS uri, "
            "n.kgLoaded AS stamp, n.kgSource AS source")


def manifest(resource: str, article: str, identifier: str, chosen: bool = False) -> str:
    """Articles loaded as articles (stamped by mark_loaded): a NewsArticle that only an RDF file describes is
    that file's, not an entry. `chosen`: only those whose identifier is in `$ids` (an index seek)."""
    where = f" AND n.{q(identifier)} IN $ids" if chosen else ""
    return (f"MATCH (n:{q(resource)}:{q(article)}) WHERE n.kgLoaded IS NOT NULL AND NOT n:`{SOURCE_LABEL}`{where} "
            f"RETURN n.{q(identifier)} AS identifier, n.uri AS uri, n.kgLoaded AS stamp, n.kgSource AS source")


def record_run(resource: str) -> str:
    """A run record: no provenance list, so no article's retraction ever removes it."""
    return f"CREATE (n:{q(resource)}:`LoadRun` {{uri: $uri}}) SET n += $props"


def export_nodes(resource: str) -> str:
    """A page of nodes in IRI order, after `$after` (the uri index serves the order on Neo4j)."""
    return (f"MATCH (n:{q(resource)}) WHERE n.uri > $after "
            "RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS props ORDER BY n.uri LIMIT $limit")


def export_assertions(resource: str, asserts: str) -> str:
    """What the sources assert of a page of nodes: their graphs, per-graph terms and relationships."""
    return (f"UNWIND $uris AS uri MATCH (n:{q(resource)} {{uri: uri}})<-[x:{q(asserts)}]-(s) "
            f"RETURN uri, s.uri AS record, labels(s) AS record_labels, x.{GRAPHS} AS graphs, x.{TERMS} AS terms, "
            f"x.{RELS} AS rels")


COUNT_NODES = "MATCH (n) RETURN count(n) AS n"
COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN count(r) AS n"


def count_typed(rel_type: str) -> str:
    """Relationships of one type (the count store answers it on Neo4j, as it does the total)."""
    return f"MATCH ()-[r:{q(rel_type)}]->() RETURN count(r) AS n"
LABEL_COUNTS = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label"
TYPE_COUNTS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type"
PROPERTY_COUNT = ("MATCH (n) RETURN sum(size(keys(n))) AS n")
DELETE_ALL = "MATCH (n) DETACH DELETE n"

# `kgloader view`: the details of the drawn nodes (by IRI) that the page shows when one is clicked.
VIEW_EVIDENCE = """
UNWIND $uris AS uri
MATCH (fact:Resource {uri: uri})-[:EVIDENCE]->(evidence)
OPTIONAL MATCH (evidence)-[:IN_ARTICLE]->(article)
RETURN uri, evidence.sentence AS sentence, evidence.rule AS rule, article.identifier AS article,
       evidence.beginIndex AS begin
ORDER BY uri, article, begin
"""
VIEW_PLACES = """
UNWIND $uris AS uri
MATCH (event:Resource {uri: uri})-[:LOCATION]->(place)
RETURN uri, place.name AS name
ORDER BY uri, name
"""
VIEW_ROLES = """
UNWIND $uris AS uri
MATCH (membership:Resource {uri: uri})-[:ROLE]->(role)
RETURN uri, role.prefLabel AS role
"""
VIEW_SOURCES = """
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})<-[said:ASSERTS]-(article:NewsArticle)
RETURN uri, article.identifier AS article, said.kgRels AS rels
"""
VIEW_ARTICLES = """
MATCH (article:NewsArticle)
WHERE article.identifier IN $identifiers
RETURN article.identifier AS identifier, article.headline AS headline,
       toString(article.datePublished) AS published
"""
