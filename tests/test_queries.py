"""Prepared queries on the seeds in the real graph: real expected rows, from the library and the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from conftest import SEEDS, Graph, kgloader

from loader.load import Loader, LoadOptions
from loader.queries import format_rows, load_queries, parse_query

CONTRACT = {"articles", "interactions", "overview", "who-met-whom", "correspondence", "person-profile",
            "organisation-members", "timeline", "co-mentions", "article-facts", "explain", "connection"}


@pytest.fixture()
def seeded(graph: Graph) -> Graph:
    report = Loader(graph.store, LoadOptions()).load([str(SEEDS)])
    assert len(report.new) == 5
    return graph


def run(graph: Graph, query_name: str, **params: str) -> list[dict]:
    query = load_queries()[query_name]
    return graph.store.read(query.text, query.bind(params))


def test_every_contract_query_exists_and_runs_bare(seeded: Graph) -> None:
    queries = load_queries()
    assert set(queries) >= CONTRACT
    for name in CONTRACT:
        assert run(seeded, name), name


def test_meeting_network_around_haniyeh(seeded: Graph) -> None:
    rows = run(seeded, "who-met-whom", person="haniyeh")
    met = {(r["met"], r["date"]) for r in rows}
    assert {("Ebrahim Raisi", "2023-06-20"), ("Hossein Salami", "2023-06-20"), ("Ali Akbar Ahmadian", "2023-06-19"),
            ("Ali Khamenei", "2023-06-21")} <= met
    assert all(r["person"] == "Ismail Haniyeh" for r in rows)
    salami = next(r for r in rows if r["met"] == "Hossein Salami")
    assert salami["place"] == "Tehran" and salami["articles"] == ["004_bd28ea4c74592fc1.txt"]
    june_20 = run(seeded, "who-met-whom", person="Haniyeh", **{"from": "2023-06-20", "to": "2023-06-20"})
    assert {r["met"] for r in june_20} == {"Ebrahim Raisi", "Hossein Salami"}


def test_correspondence_both_ways_with_replies(seeded: Graph) -> None:
    rows = run(seeded, "correspondence", person="Khamenei")
    pairs = {(r["sender"], r["recipient"]) for r in rows}
    assert {("Ismail Haniyeh", "Ali Khamenei"), ("Ali Khamenei", "Ismail Haniyeh"),
            ("Ziyad al-Nakhalah", "Ali Khamenei"), ("Ali Khamenei", "Ziyad al-Nakhalah")} <= pairs
    reply = next(r for r in rows if (r["sender"], r["recipient"]) == ("Ali Khamenei", "Ismail Haniyeh"))
    assert reply["answers"] == "reply to Ismail Haniyeh"


def test_person_profile_by_alias(seeded: Graph) -> None:
    rows = run(seeded, "person-profile", name="Imam Khamenei")
    assert {r["person"] for r in rows} == {"Ali Khamenei"}
    kinds = {(r["kind"], r["detail"]) for r in rows}
    assert ("meeting as attendee", "Ismail Haniyeh") in kinds and ("message as recipient", "Ismail Haniyeh") in kinds
    assert sum(1 for r in rows if r["kind"] == "mentioned in") == 5


def test_organisation_members_and_roles(seeded: Graph) -> None:
    rows = run(seeded, "organisation-members", name="hamas")
    members = {(r["member"], r["role"]) for r in rows}
    assert ("Ismail Haniyeh", "head of the political bureau") in members
    assert ("Salih al-Aruri", "deputy head of the political bureau") in members
    iran = run(seeded, "organisation-members", name="Islamic Republic of Iran")
    assert [(r["member"], r["role"]) for r in iran] == [("Ebrahim Raisi", "president")]


def test_timeline_in_date_order(seeded: Graph) -> None:
    rows = run(seeded, "timeline")
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates) and dates[0] == "2023-06-19"
    raisi = run(seeded, "timeline", entity="raisi")
    assert [(r["date"], r["kind"]) for r in raisi] == [("2023-06-20", "meeting")]


def test_co_mentions_weighted(seeded: Graph) -> None:
    rows = run(seeded, "co-mentions", name="Haniyeh", limit="50")
    weights = {r["other"]: r["articles"] for r in rows}
    assert weights["Hamas"] == 5 and weights["Ali Khamenei"] == 5
    assert [r["articles"] for r in rows] == sorted((r["articles"] for r in rows), reverse=True)


def test_article_facts_with_evidence(seeded: Graph) -> None:
    rows = run(seeded, "article-facts", article="004_bd28ea4c74592fc1.txt")
    assert {r["article"] for r in rows} == {"004_bd28ea4c74592fc1.txt"}
    kinds = {r["kind"] for r in rows}
    assert {"Meeting", "Membership", "mention"} <= kinds
    meeting = next(r for r in rows if r["fact"] == "Meeting of Ebrahim Raisi and Ismail Haniyeh")
    assert "met with President of the Islamic Republic of Iran Ebrahim Raisi" in meeting["sentence"]
    offsets = [r["position"] for r in rows]
    assert offsets == sorted(offsets)


def test_explain_a_meeting_and_an_entity(seeded: Graph) -> None:
    rows = run(seeded, "explain", fact="Meeting of Hossein Salami")
    assert {r["rule"] for r in rows} == {"meeting.met-with", "meeting.held-talks"}
    text = (SEEDS / rows[0]["article"]).read_text(encoding="utf-8")
    assert all(text[r["beginIndex"]:r["endIndex"]] == r["sentence"] for r in rows)
    mentions = run(seeded, "explain", fact="Salih al-Aruri")
    assert any(r["fact"] == "mention of Salih al-Aruri" for r in mentions)


def test_connection_between_two_people(seeded: Graph) -> None:
    rows = run(seeded, "connection", **{"from": "Salami", "to": "nakhalah"})
    assert rows and {r["source"] for r in rows} == {"Hossein Salami"}
    assert {r["target"] for r in rows} == {"Ziyad al-Nakhalah"}
    assert all(r["route"][0] == "Hossein Salami" and r["route"][-1] == "Ziyad al-Nakhalah" for r in rows)
    assert min(r["hops"] for r in rows) <= 4


def test_overview_counts_match_the_graph(seeded: Graph) -> None:
    rows = run(seeded, "overview")
    labels = {r["name"]: r["total"] for r in rows if r["kind"] == "label"}
    assert labels == {k: v for k, v in seeded.labels().items() if k not in ("Resource", "LoadRun")}
    for kind in ("label", "relationship"):  # most first, then by name
        listed = [(-r["total"], r["name"]) for r in rows if r["kind"] == kind]
        assert listed == sorted(listed), kind
    entities = [r for r in rows if r["kind"] == "entity"]
    assert len(entities) == 10 and entities[0]["total"] >= entities[-1]["total"]


def test_asserted_by_names_every_source_of_a_node_in_one_step(seeded: Graph) -> None:
    rows = run(seeded, "asserted-by", fact="Ismail Haniyeh", limit="1000")
    person = [r for r in rows if r["fact"] == "Ismail Haniyeh"]
    assert sorted(r["source"] for r in person) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert all(r["headline"] for r in person)
    meeting = run(seeded, "asserted-by", fact="Meeting of Hossein Salami")
    assert meeting and all(r["source"] == "004_bd28ea4c74592fc1.txt" for r in meeting)
    assert any(entry.startswith("ATTENDEE ") for r in meeting for entry in r["asserts"])


def test_query_command_formats_and_errors(seeded: Graph) -> None:
    listing = kgloader("queries")
    assert listing.returncode == 0 and all(name in listing.stdout for name in CONTRACT)
    table = kgloader("query", "who-met-whom", "--param", "person=Raisi", *seeded.cli, env=seeded.env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split() == ["person", "met", "date", "place", "articles"]
    as_json = kgloader("query", "correspondence", "--format", "json", *seeded.cli, env=seeded.env)
    assert {"sender", "recipient"} <= set(json.loads(as_json.stdout)[0])
    as_csv = kgloader("query", "organisation-members", "-p", "name=IRGC", "--format", "csv", *seeded.cli,
                      env=seeded.env)
    assert next(iter(csv.DictReader(io.StringIO(as_csv.stdout))))["member"] == "Hossein Salami"
    unknown = kgloader("query", "who-met", *seeded.cli, env=seeded.env)
    assert unknown.returncode == 2 and "there are: article-facts, articles, asserted-by, co-mentions" in unknown.stderr
    bad_param = kgloader("query", "timeline", "--param", "persn=x", *seeded.cli, env=seeded.env)
    assert bad_param.returncode == 2 and "its parameters: entity" in bad_param.stderr
    bad_type = kgloader("query", "co-mentions", "--param", "limit=many", *seeded.cli, env=seeded.env)
    assert bad_type.returncode == 2 and "whole number" in bad_type.stderr


def test_query_headers_are_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cypher"
    bad.write_text("// name: bad\n// param: who = \"\"\nMATCH (n) WHERE n.name = $whom RETURN n\n")
    with pytest.raises(ValueError, match="not declared: whom"):
        parse_query(bad)
    good = parse_query(Path(__file__).parent.parent / "cypher" / "who-met-whom.cypher")
    assert good.browser_params() == ':params {person: "", from: "", to: ""}'


def test_letters_that_read_alike_stay_apart_with_their_articles(seeded: Graph) -> None:
    """Three undated letters from Haniyeh to Khamenei, each reported by its own article: three rows, each
    naming its article (not one row, nor three identical rows)."""
    undated = [r for r in run(seeded, "correspondence", person="Haniyeh")
               if (r["sender"], r["recipient"]) == ("Ismail Haniyeh", "Ali Khamenei") and r["date"] is None]
    assert sorted(tuple(r["articles"]) for r in undated) == [
        ("000_178f4452fb611901.txt",), ("001_866d47ab6ad8327c.txt",), ("002_25165f9b26cfb419.txt",)]
    profile = [r for r in run(seeded, "person-profile", name="Haniyeh")
               if (r["kind"], r["detail"], r["date"]) == ("message as sender", "Ali Khamenei", None)]
    assert len(profile) == 3 and len({tuple(r["articles"]) for r in profile}) == 3


def test_missing_values_are_null_in_json(seeded: Graph) -> None:
    """A value the graph does not hold is null, never an empty string, in every prepared query."""
    for name, query in load_queries().items():
        for row in seeded.store.read(query.text, query.bind({})):
            assert "" not in row.values(), (name, row)
    out = kgloader("query", "correspondence", "--format", "json", *seeded.cli, env=seeded.env)
    rows = json.loads(out.stdout)
    assert any(r["date"] is None for r in rows) and any(r["answers"] is None for r in rows)
    positions = [r for r in run(seeded, "person-profile", name="Haniyeh") if r["kind"] == "position"]
    assert positions and all(r["date"] is None and r["articles"] for r in positions)


def test_empty_results_keep_their_columns(seeded: Graph) -> None:
    as_csv = kgloader("query", "timeline", "-p", "entity=nobody at all", "--format", "csv", *seeded.cli,
                      env=seeded.env)
    assert as_csv.returncode == 0 and as_csv.stdout.strip() == "date,kind,event,place,articles"
    table = kgloader("query", "timeline", "-p", "entity=nobody at all", *seeded.cli, env=seeded.env)
    assert table.stdout.split() == ["date", "kind", "event", "place", "articles", "(no", "rows)"]
    assert json.loads(kgloader("query", "timeline", "-p", "entity=nobody at all", "-f", "json", *seeded.cli,
                               env=seeded.env).stdout) == []


def test_table_cells_are_cut_only_to_fit_a_terminal(seeded: Graph) -> None:
    rows = run(seeded, "explain", fact="Meeting of Hossein Salami")
    longest = max((r["sentence"] for r in rows), key=len)
    assert len(longest) > 150
    piped = kgloader("query", "explain", "-p", "fact=Meeting of Hossein Salami", *seeded.cli, env=seeded.env)
    assert longest in piped.stdout  # not a terminal: nothing is cut
    narrow = format_rows(rows, "table", width=140)
    assert all(len(line) <= 140 for line in narrow.splitlines()) and longest not in narrow
    assert "Meeting of Hossein Salami and Ismail Haniyeh" in narrow  # the short columns are kept whole
    assert format_rows(rows, "table", width=1000) == format_rows(rows, "table")


def test_articles_lists_what_is_loaded(seeded: Graph) -> None:
    out = kgloader("articles", "--format", "json", *seeded.cli, env=seeded.env)
    assert out.returncode == 0, out.stderr
    rows = {r["article"]: r for r in json.loads(out.stdout)}
    assert len(rows) == 5
    salami = rows["004_bd28ea4c74592fc1.txt"]
    assert salami["headline"] == "Hamas Delegation Meets With Iranian President, IRGC Cmdr."
    assert salami["published"] == "2023-06-21T19:15:00" and salami["facts"] >= 5 and salami["entities"] >= 10
    assert salami["loaded"][:2] == "20" and salami["loaded"].endswith("+00:00")
    table = kgloader("articles", *seeded.cli, env=seeded.env)
    assert table.stdout.split()[:6] == ["article", "headline", "published", "facts", "entities", "loaded"]


def test_a_shortened_graph_is_refused_not_answered_with_nothing(graph: Graph, tmp_path: Path) -> None:
    load = kgloader("load", str(SEEDS), "--naming", "shorten", *graph.cli, env=graph.env)
    assert load.returncode == 0, load.stderr
    assert graph.count("MATCH (p:sch__Person) RETURN count(p) AS n") > 0
    for command in (["query", "who-met-whom"], ["articles"], ["view", "overview", "-o", str(tmp_path / "v.html")]):
        run = kgloader(*command, *graph.cli, env=graph.env)
        assert run.returncode == 2, (command, run.stdout, run.stderr)
        assert "this graph was loaded with other names than the prepared queries read" in run.stderr
        assert "is sch__" in run.stderr and "--naming shorten" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "v.html").exists()
