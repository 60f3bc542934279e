"""Loading into the real graph (embedded FalkorDB, or Neo4j with NEO4J_URI): exact, idempotent, retractable."""

from __future__ import annotations

import pickle
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SEEDS, Graph, kgloader
from hypothesis import given
from hypothesis import strategies as st

from loader import rdf
from loader.documents import expand_paths, read_article
from loader.extract import Extractor
from loader.graph import cypher
from loader.graph.mapping import ArticleRows, NodeRow, load_mapping, read_rel_entry
from loader.graph.store import NAMES_URI, merged_nodes
from loader.load import Loader, LoadOptions, MapArticle
from loader.pipeline import extract_paths
from loader.rdf import KG, ORG, SCHEMA, Lit, article_quads, article_terms
from loader.rules import load_kinds, load_rules

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KINDS = {"Person": SCHEMA + "Person", "Organization": SCHEMA + "Organization", "Place": SCHEMA + "Place",
         "Meeting": KG + "Meeting", "Message": SCHEMA + "Message", "Membership": ORG + "Membership",
         "NewsArticle": SCHEMA + "NewsArticle", "Evidence": KG + "Evidence"}


def rdf_subjects_by_type(folder: Path) -> dict[str, set[str]]:
    """What the RDF of these articles holds, per kind, counted the way the graph should."""
    out: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for outcome in extract_paths(expand_paths([str(folder)]), None, jobs=1):
        assert outcome.facts is not None
        for quad in article_quads(outcome.facts, load_rules().kinds):
            if quad.predicate.value == RDF_TYPE:
                for kind, iri in KINDS.items():
                    if quad.object.value == iri:
                        out[kind].add(quad.subject.value)
    return out


def load(graph: Graph, folder: Path, **options: object) -> object:
    return Loader(graph.store, LoadOptions(**options)).load([str(folder)])


def test_a_run_reads_the_manifest_of_its_own_files_only(graph: Graph) -> None:
    """The entries a run reads are those of the files at hand, by identifier (an index seek), not every article
    of a graph that only grows; the whole manifest where pruning needs it."""
    load(graph, SEEDS)
    writer = Loader(graph.store, LoadOptions()).writer
    names = sorted(path.name for path in SEEDS.glob("*.txt"))
    assert sorted(writer.manifest()) == names
    assert sorted(writer.manifest([names[3], names[1], "never-loaded.txt"])) == [names[1], names[3]]
    assert writer.manifest([]) == {}
    load(graph, SEEDS)  # the second run of the same files: nothing new
    assert Loader(graph.store, LoadOptions()).load([str(SEEDS)]).unchanged == len(names)


@pytest.fixture()
def seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def test_graph_holds_exactly_what_the_rdf_holds(graph: Graph, seeds: Path) -> None:
    report = load(graph, seeds)
    assert len(report.new) == 5 and not report.failed
    expected = rdf_subjects_by_type(seeds)
    labels = graph.labels()
    for kind, subjects in expected.items():
        assert labels.get(kind, 0) == len(subjects), kind
        uris = {row["uri"] for row in graph.store.read(f"MATCH (n:`{kind}`) RETURN n.uri AS uri")}
        assert uris == subjects, kind
    assert graph.count("MATCH (n) WHERE NOT n:Resource RETURN count(n) AS n") == 0


def test_relationships_and_properties_read_naturally(graph: Graph, seeds: Path) -> None:
    load(graph, seeds)
    types = graph.types()
    for rel in ("ATTENDEE", "SENDER", "RECIPIENT", "MENTIONS", "MEMBER", "ORGANIZATION", "ROLE", "EVIDENCE",
                "IN_ARTICLE", "IN_REPLY_TO", "PUBLISHER"):
        assert types.get(rel, 0) > 0, rel
    rows = graph.store.read(
        "MATCH (m:Meeting)-[:ATTENDEE]->(p:Person {name: 'Ebrahim Raisi'}) "
        "RETURN m.startDate AS date, m.startDatePrecision AS precision, m.startDate = date('2023-06-20') AS typed")
    assert rows == [{"date": "2023-06-20", "precision": "day", "typed": True}]
    haniyeh = graph.store.read("MATCH (p:Person {name: 'Ismail Haniyeh'})<-[:ASSERTS]-(a:NewsArticle) "
                               "RETURN p.alternateName AS alt, collect(a.identifier) AS articles")[0]
    assert "Haniyeh" in haniyeh["alt"] and len(haniyeh["articles"]) == 5
    published = graph.store.read("MATCH (a:NewsArticle {identifier: '003_03a58c606aa36ae3.txt'}) "
                                 "RETURN a.datePublished = localdatetime('2023-06-22T20:22:00') AS typed")
    assert published == [{"typed": True}]


def test_evidence_is_one_hop_from_every_fact(graph: Graph, seeds: Path) -> None:
    load(graph, seeds)
    for label in ("Meeting", "Message", "Membership"):
        missing = graph.count(f"MATCH (f:`{label}`) WHERE NOT (f)-[:EVIDENCE]->(:Evidence) RETURN count(f) AS n")
        assert missing == 0, label
    row = graph.store.read("MATCH (m:Meeting)-[:EVIDENCE]->(e:Evidence)-[:IN_ARTICLE]->(a:NewsArticle) "
                           "RETURN e.sentence AS s, e.rule AS rule, e.beginIndex AS b, e.endIndex AS e, "
                           "a.identifier AS article LIMIT 1")[0]
    text = (SEEDS / row["article"]).read_text(encoding="utf-8").replace("\r\n", "\n")
    assert text[row["b"]:row["e"]] == row["s"] and row["rule"].startswith("meeting.")
    unsupported = graph.count("MATCH ()-[r]->() WHERE type(r) <> 'ASSERTS' AND coalesce(r.kgSupport, 0) < 1 "
                              "RETURN count(r) AS n")
    assert unsupported == 0


def test_second_load_changes_nothing(graph: Graph, seeds: Path) -> None:
    load(graph, seeds)
    before = graph.totals()
    again = load(graph, seeds)
    assert again.unchanged == 5 and not again.new and not again.changed
    assert graph.totals() == before
    forced = load(graph, seeds, force=True, batch_size=50)
    assert len(forced.changed) == 5
    assert graph.totals() == before


def test_edited_article_replaces_exactly_its_facts(graph: Graph, seeds: Path) -> None:
    load(graph, seeds)
    article = seeds / "004_bd28ea4c74592fc1.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("he held talks with Commander-in-Chief of the Islamic Revolution Guards Corps "
                                    "(IRGC) Hossein Salami", "he held talks with Foreign Minister Hossein "
                                    "Amir-Abdollahian").replace("and Commander-in-Chief of the Islamic Revolution "
                                    "Guards Corps (IRGC) Hossein Salami", ""), encoding="utf-8")
    report = load(graph, seeds)
    assert report.changed == ["004_bd28ea4c74592fc1.txt"] and report.unchanged == 4
    assert graph.count("MATCH (p:Person {name: 'Hossein Salami'}) RETURN count(p) AS n") == 0
    assert graph.count("MATCH (:Meeting)-[:ATTENDEE]->(p:Person {name: 'Hossein Amir-Abdollahian'}) "
                       "RETURN count(p) AS n") == 1
    assert graph.labels() == Counter(graph.labels())  # still readable
    fresh = rdf_subjects_by_type(seeds)
    assert graph.labels()["Meeting"] == len(fresh["Meeting"])


def test_delete_keeps_what_other_articles_support(graph: Graph, seeds: Path) -> None:
    load(graph, seeds)
    result = kgloader("delete", "000_178f4452fb611901.txt", *graph.cli, env=graph.env)
    assert result.returncode == 0, result.stderr
    assert "retracted 1 articles" in result.stderr
    assert graph.count("MATCH (a:NewsArticle) RETURN count(a) AS n") == 4
    # Salih al-Aruri is named only in the deleted article; Haniyeh in all five
    assert graph.count("MATCH (p:Person {name: 'Salih al-Aruri'}) RETURN count(p) AS n") == 0
    assert graph.count("MATCH (p:Person {name: 'Ismail Haniyeh'})<-[:ASSERTS]-(a) RETURN count(a) AS n") == 4
    assert graph.count("MATCH (a {identifier: '000_178f4452fb611901.txt'}) RETURN count(a) AS n") == 0
    rest = Loader(graph.store, LoadOptions()).load([str(seeds / name) for name in sorted(
        p.name for p in seeds.iterdir()) if name != "000_178f4452fb611901.txt"])
    assert rest.unchanged == 4


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_load_command_prints_what_it_loaded(graph: Graph, seeds: Path, jobs: str) -> None:
    run = kgloader("load", str(seeds), *graph.cli, "--jobs", jobs, env=graph.env)
    assert run.returncode == 0, run.stderr
    assert "articles seen 5: new 5" in run.stderr
    assert run.stderr.count("INFO: rules: ") == 1, run.stderr  # which rules, said once
    assert graph.labels()["NewsArticle"] == 5


def test_shorten_naming_for_neosemantics_users(graph: Graph, seeds: Path) -> None:
    mapping = load_mapping(naming="shorten")
    Loader(graph.store, LoadOptions(naming="shorten"), mapping).load([str(seeds / "004_bd28ea4c74592fc1.txt")])
    labels = graph.labels()
    assert labels["sch__Person"] >= 4 and "Person" not in labels
    assert "sch__attendee" in graph.types()
    assert graph.count("MATCH (p:sch__Person {sch__name: 'Hossein Salami'}) RETURN count(p) AS n") == 1


def test_unknown_predicates_get_derived_safe_names() -> None:
    mapping = load_mapping()
    quads = [ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://example.org/vocab#worksFor"),
                     ox.NamedNode("http://x/b"), ox.NamedNode("http://g")),
             ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode("http://example.org/vocab/full-name"),
                     ox.Literal("A", language="en"), ox.NamedNode("http://g")),
             ox.Quad(ox.NamedNode("http://x/a"), ox.NamedNode(RDF_TYPE),
                     ox.NamedNode("http://example.org/vocab#Secret-Agent"), ox.NamedNode("http://g"))]
    rows = mapping.rows(quads)
    assert rows.rels[0].type == "WORKS_FOR"
    node = next(n for n in rows.nodes if n.uri == "http://x/a")
    assert node.props == {"full_name": "A@en"} and node.labels == ("Secret_Agent",)


def test_relationships_name_every_article_that_asserts_them(graph: Graph, seeds: Path) -> None:
    """One batch holds all five articles: a relationship several of them assert counts each as its support, and
    each article's ASSERTS to the start node names it (FalkorDB applied a repeated MERGE row's SET as if it were
    the first, so only the last article stayed and deleting it deleted what the others still asserted)."""
    load(graph, seeds)
    mapping = load_mapping(rules=load_rules())
    want: dict[tuple[str, str, str], set[str]] = {}
    for outcome in extract_paths(expand_paths([str(seeds)]), None, jobs=1):
        assert outcome.facts is not None
        rows = mapping.rows(article_quads(outcome.facts, load_rules().kinds))
        for rel in rows.rels:
            want.setdefault((rel.start, rel.type, rel.end), set()).add(outcome.facts.article.identifier)
    got: dict[tuple[str, str, str], set[str]] = {}
    for row in graph.store.read("MATCH (s)-[x:ASSERTS]->(a) UNWIND x.kgRels AS entry "
                                "RETURN s.identifier AS article, a.uri AS a, entry"):
        rel_type, end, _ = read_rel_entry(row["entry"], "")
        got.setdefault((row["a"], rel_type, end), set()).add(row["article"])
    assert got == want
    counts = {(r["a"], r["t"], r["b"]): r["n"] for r in graph.store.read(
        "MATCH (a)-[r]->(b) WHERE type(r) <> 'ASSERTS' RETURN a.uri AS a, type(r) AS t, b.uri AS b, r.kgSupport AS n")}
    assert counts == {key: len(articles) for key, articles in want.items()}
    assert any(len(articles) > 1 for articles in want.values())


def test_a_shared_node_holds_nothing_per_article(graph: Graph, seeds: Path) -> None:
    """Haniyeh is named in all five articles: what says so are five ASSERTS, one per article, each bounded by
    its article; the node itself holds no article id, article graph or per-graph term (its cost per write
    does not grow with the articles that share it)."""
    load(graph, seeds)
    row = graph.store.read("MATCH (p:Person {name: 'Ismail Haniyeh'}) RETURN properties(p) AS props")[0]["props"]
    text = repr(row)
    assert ".txt" not in text and "/id/article/" not in text, row
    assert all(entry.split("\t")[1] == "*" for entry in row.get("kgTerms") or [])
    said = graph.store.read("MATCH (p:Person {name: 'Ismail Haniyeh'})<-[x:ASSERTS]-(a:NewsArticle) "
                            "RETURN a.identifier AS article, x.kgGraphs AS graphs")
    assert sorted(r["article"] for r in said) == sorted(p.name for p in seeds.iterdir())
    # each in its own article's graph, which the ASSERTS leaves out (it is the source's own)
    assert all(r["graphs"] is None for r in said)


def node_state(graph: Graph) -> dict[str, tuple[list[str], dict[str, object]]]:
    """Every node's labels and properties (but the load time); the names' record (bookkeeping, gathered per
    unit) as sets."""
    rows = graph.store.read("MATCH (n) RETURN n.uri AS uri, labels(n) AS labels, properties(n) AS props")
    return {r["uri"]: (sorted(r["labels"]), {k: sorted(v) if r["uri"] == NAMES_URI else v
                                             for k, v in r["props"].items() if k != "kgLoadedAt"}) for r in rows}


def test_a_write_unit_has_one_row_per_node(graph: Graph, seeds: Path) -> None:
    """Haniyeh is named by all five articles: in one unit he is one row, whatever number of articles name him,
    and the graph is exactly the one that writing the articles one unit each gives (same values, same lists
    in the same order)."""
    loader = Loader(graph.store, LoadOptions())
    loader.mapping.adopt_kinds(*load_kinds())
    files = sorted(seeds.glob("*.txt"))
    batch = [o.result for o in extract_paths(files, None, 1, MapArticle(loader.mapping))]
    stamps = {path.name: {"stamp": "s", "source": str(path)} for path in files}
    node_rows = [row["uri"] for _, params in loader.writer.plan(batch, [], stamps)
                 for row in params.get("rows", []) if "props" in row and "terms" in row]  # create or update
    assert len(node_rows) == len(set(node_rows)) == len({n.uri for rows in batch for n in rows.nodes})
    load(graph, seeds)
    whole = node_state(graph)
    graph.store.write([(cypher.DELETE_ALL, {})])
    load(graph, seeds, batch_size=1)
    assert node_state(graph) == whole
    haniyeh = next(props for _, props in whole.values() if props.get("name") == "Ismail Haniyeh")
    assert haniyeh.get("alternateName"), haniyeh


def test_a_folded_node_keeps_a_property_in_the_last_form_given() -> None:
    """One article gives a list of two names, the next a single one; one a day, the next a month: applied one
    after the other the last form stands (Cypher sets values, then lists, then dates), and so does the fold."""
    first = NodeRow("urn:x", ("Event",), {"nickname": "Al"}, {"alias": ["A", "B"]},
                    {"startDate": ("date", "2024-05-02")})
    second = NodeRow("urn:x", ("Event",), {"alias": "C", "startDate": "2024-05", "startDatePrecision": "month"},
                     {"nickname": ["Al", "Ally"]}, {})
    rows = [ArticleRows("a", None, nodes=[first]), ArticleRows("b", None, nodes=[second])]
    [node] = merged_nodes(rows)
    assert node.props == {"alias": "C", "startDate": "2024-05", "startDatePrecision": "month"}
    assert node.lists == {"nickname": ["Al", "Ally"]} and node.temporal == {}
    [back] = merged_nodes(rows[::-1])
    assert back.props == {"nickname": "Al", "startDatePrecision": "month"}
    assert back.lists == {"alias": ["A", "B"]} and back.temporal == {"startDate": ("date", "2024-05-02")}


TRICKY = """Talks on "water" in Amman end with a \\ backslash, a\ttab and a wink 😉

Monday 4 March 2024 - 09:30

AMMAN (Petra) – Jordanian Foreign Minister Samir Haddad met with his Iraqi counterpart Karim al-Jabouri in \
Amman on Sunday to discuss "border trade" and C:\\water\\sharing, café talk included 😉.
"""


def test_an_articles_rows_are_the_same_read_from_its_terms_as_through_pyoxigraph(tmp_path: Path) -> None:
    """The map stage reads an article's N-Quads terms itself (rdf.article_terms) instead of having pyoxigraph
    parse them: the rows are the same, for the samples and for text full of what N-Quads escapes."""
    (tmp_path / "tricky.txt").write_text(TRICKY, encoding="utf-8")
    rules = load_rules()
    extractor, mapping = Extractor(rules), load_mapping(rules=rules)
    files = [*sorted(SEEDS.glob("*.txt")), tmp_path / "tricky.txt"]
    for path in files:
        facts = extractor.extract(read_article(path, rules))
        through_pyoxigraph = mapping.rows(article_quads(facts, rules.kinds))
        assert mapping.rows_of(article_terms(facts, rules.kinds)) == through_pyoxigraph, path
    texts = {v for node in through_pyoxigraph.nodes for v in node.props.values() if isinstance(v, str)}
    assert any('"border trade"' in t and "C:\\water\\sharing" in t and "😉" in t for t in texts), texts


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
       st.sampled_from([None, "date", "integer", "dateTime"]))
def test_a_literal_term_reads_back_as_pyoxigraph_parses_it(text: str, datatype: str | None) -> None:
    term = rdf._literal(text, datatype)
    [quad] = ox.parse(f"<urn:s> <urn:p> {term} .\n".encode(), format=ox.RdfFormat.N_QUADS)
    want = quad.object
    assert rdf.read_term(term) == Lit(want.value, want.datatype.value, want.language or "")


def test_rows_and_the_mapping_cross_to_a_worker_intact(seeds: Path) -> None:
    """Spawned workers get the mapping (with the event kinds' labels it adopted) pickled, and send rows back
    pickled; compiled (mypyc), a frozen row cannot be rebuilt field by field, so each says how it is rebuilt."""
    mapping = load_mapping()
    mapping.adopt_kinds(*load_kinds())
    mapping.labels["urn:kind"] = "Adopted"
    copy = pickle.loads(pickle.dumps(mapping))
    assert copy.labels == mapping.labels and copy.label("urn:kind") == "Adopted"
    batch = [o.result for o in extract_paths(sorted(seeds.glob("*.txt")), None, 1, MapArticle(copy))]
    assert pickle.loads(pickle.dumps(batch)) == batch
    assert batch[0].nodes and batch[0].rels and batch[0].names and batch[0].record


def test_an_asserts_leaves_out_what_goes_without_saying(graph: Graph, seeds: Path) -> None:
    """An article's ASSERTS do not repeat the article's IRI (its graph is the one they are in unless they say
    otherwise), and no node or ASSERTS holds an empty list: most would hold only that, on every write."""
    load(graph, seeds)
    assert graph.count("MATCH (n) WHERE size(coalesce(n.kgTerms, [1])) = 0 RETURN count(n) AS n") == 0
    rows = graph.store.read("MATCH (a:NewsArticle)-[x:ASSERTS]->() RETURN a.uri AS article, "
                            "x.kgGraphs AS graphs, x.kgTerms AS terms, x.kgRels AS rels")
    assert len(rows) > 100 and sum(bool(r["rels"]) for r in rows) > 50
    for row in rows:
        assert row["graphs"] != [row["article"]] and row["terms"] != [] and row["rels"] != [], row
        assert all(entry.count("\t") == 1 for entry in row["rels"] or []), row  # "TYPE<TAB>end": its own graph


def rel_state(graph: Graph) -> set[tuple[object, ...]]:
    """Every relationship with its properties (lists as tuples)."""
    rows = graph.store.read("MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, b.uri AS b, properties(r) AS p")
    return {(r["a"], r["t"], r["b"], tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                                  for k, v in r["p"].items()))) for r in rows}


def test_a_partly_applied_unit_is_taken_out_again(tmp_path: Path, seeds: Path) -> None:
    """The embedded store cannot roll back a failed unit: what it applied is taken out again: its ASSERTS,
    the nodes and relationships only it asserted, and the support it added, each relationship it names
    recounted from the ASSERTS that remain. Here the unit stopped after its ASSERTS and before the support of
    the last relationships, which a plain retraction would have decremented to nothing and deleted. (Values
    it gave nodes that others assert stay, as a retraction leaves them.)"""
    from loader.load import open_store

    files = sorted(seeds.glob("*.txt"))
    (tmp_path / "four").mkdir()
    for path in files[:4]:
        shutil.copy(path, tmp_path / "four" / path.name)
    with open_store(None, home=tmp_path / "kg") as store:
        assert not store.rolls_back
        graph = Graph(store, [], {})
        load(graph, tmp_path / "four")
        before, rels_before = set(node_state(graph)), rel_state(graph)
        loader = Loader(store, LoadOptions())
        loader.mapping.adopt_kinds(*load_kinds())
        [rows] = [o.result for o in extract_paths(files[4:], None, 1, MapArticle(loader.mapping))]
        shared = {(r.start, r.type, r.end) for r in rows.rels} & {(a, t, b) for a, t, b, _ in rels_before}
        assert shared, "the fifth article shares no relationship with the others"
        statements = loader.writer.plan([rows], [], {rows.identifier: {"stamp": "s", "source": "x"}})
        cut = {cypher.merge_relationships("Resource", "ROLE", "kgSupport"),
               cypher.mark_loaded("Resource", "NewsArticle")}
        assert len([query for query, _ in statements if query in cut]) == 2
        store.write([(query, params) for query, params in statements if query not in cut])
        assert rel_state(graph) != rels_before and set(node_state(graph)) != before
        loader.writer._withdraw_after_failure([rows], {})
        assert rel_state(graph) == rels_before
        assert set(node_state(graph)) == before
