"""Bad input, faults and hostile text: clear errors, exit codes, nothing half written, no secrets leaked."""

from __future__ import annotations

import os
import shutil
import signal
import string
import subprocess
import sys
import time
from pathlib import Path

import redis
import yaml
from conftest import EXAMPLES, ROOT, Graph, Neo4jEndpoint, kgloader, start_neo4j
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loader.errors import RuleError
from loader.graph import cypher
from loader.graph.mapping import load_mapping
from loader.load import open_store
from loader.rules.compiled import CompiledRules
from loader.rules.ruleset import load_ruleset

SECRET = "Sup3r-Secret-Passw0rd"

# -- rule files: accepted, or refused with file/line/rule problems; never a traceback --------------
SECTIONS = ["entities", "events", "memberships", "name_patterns", "role_references", "complements", "places",
            "macros", "lexicon", "dates", "document", "version", "bogus"]
FIELDS = ["id", "type", "name", "aliases", "pattern", "kind", "triggers", "starts_with", "participants", "answers",
          "exact", "coref", "schema_class", "part_of", "titles", "months", "published", "unknown"]
REGEXISH = st.text(alphabet=string.ascii_letters + "(){}[]?*+\\|.^$<>P:-_ " + "'", max_size=40)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 20), REGEXISH, st.sampled_from(
    ["Person", "Organization", "Place", "meeting", "message", "group", "{PER} met {PER}",
     "(?P<subject>{AGENT}) met (?P<objects>{AGENT})", "Country", "@titles", "a-b"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5)), max_leaves=12)
RULE_FILES = st.dictionaries(st.sampled_from(SECTIONS), VALUES, max_size=4)


def _assert_accepted_or_reported(directory: Path, path: Path) -> None:
    try:
        CompiledRules(load_ruleset(directory))
    except RuleError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == str(path) and problem.message


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=RULE_FILES)
def test_random_rule_files_never_crash(tmp_path: Path, document: dict) -> None:
    folder = tmp_path / "rules"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    path = folder / "random.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    _assert_accepted_or_reported(folder, path)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_random_text_as_rule_file_never_crashes(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "rules"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    path = folder / "noise.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_accepted_or_reported(folder, path)


# -- identifiers from mapping files --------------------------------------------------------------
def test_mapping_that_injects_cypher_is_refused(graph: Graph, tmp_path: Path) -> None:
    bad = tmp_path / "mapping.yaml"
    spec = yaml.safe_load((ROOT / "schema" / "mapping.yaml").read_text(encoding="utf-8"))
    spec["labels"]["sch:Person"] = "Person` WITH n MATCH (m) DETACH DELETE m //"
    bad.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    run = kgloader("load", str(EXAMPLES), "--mapping", str(bad), *graph.cli, env=graph.env)
    assert run.returncode == 2
    assert str(bad) in run.stderr and "is not a valid identifier" in run.stderr and "sch:Person" in run.stderr
    assert graph.count("MATCH (n) RETURN count(n) AS n") == 0
    try:
        load_mapping(bad)
    except RuleError as exc:
        assert exc.problems[0].line and exc.problems[0].line > 1
    else:
        raise AssertionError("the mapping was accepted")


# -- an unreachable graph, and passwords ----------------------------------------------------------
def test_unreachable_graph_exits_3_naming_the_uri_not_the_password(tmp_path: Path) -> None:
    env = {**__import__("os").environ, "NEO4J_PASSWORD": SECRET}
    reports = tmp_path / "reports"
    run = kgloader("load", str(EXAMPLES), "--uri", "bolt://127.0.0.1:9", "--report-dir", str(reports),
                   "--log-format", "json", env=env)
    assert run.returncode == 3
    assert "bolt://127.0.0.1:9" in run.stderr and SECRET not in run.stderr + run.stdout
    stdin_run = kgloader("query", "overview", "--uri", "neo4j://127.0.0.1:9", "--password-stdin", stdin=SECRET + "\n")
    assert stdin_run.returncode == 3 and SECRET not in stdin_run.stderr + stdin_run.stdout
    for command in ([], ["load"], ["schedule"], ["query"], ["delete"], ["view"]):
        help_text = kgloader(*command, "--help", env=env)
        assert help_text.returncode == 0 and SECRET not in help_text.stdout
    assert not reports.exists() or all(SECRET not in p.read_text() for p in reports.iterdir())


def test_a_snapshot_the_server_cannot_read_is_named_and_left_as_it_is(tmp_path: Path) -> None:
    """FalkorDB stops at start when its snapshot is unreadable (cut short here; a real 4.16.3 snapshot of
    800,000 nodes crashed it with signal 11): one line that says so and names the file and the log, exit 3,
    and the snapshot not written over."""
    home = tmp_path / "home"
    assert kgloader("load", str(EXAMPLES), "--home", str(home)).returncode == 0
    snapshot = home / "graph.rdb"
    cut = snapshot.read_bytes()[: snapshot.stat().st_size // 2]
    snapshot.write_bytes(cut)
    run = kgloader("load", str(EXAMPLES), "--home", str(home))
    assert run.returncode == 3
    message = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(message) == 1 and "Traceback" not in run.stderr
    assert f"while reading its snapshot {snapshot.resolve()} (left as it is)" in message[0]
    assert str(home.resolve() / "falkordb.log") in message[0]
    assert snapshot.read_bytes() == cut


def test_bad_uri_scheme_is_a_usage_error() -> None:
    run = kgloader("query", "overview", "--uri", "http://localhost:7474")
    assert run.returncode == 2 and "bolt:// or neo4j://" in run.stderr


# -- hostile, huge and many articles ------------------------------------------------------------
HOSTILE = ('Raisi "meets" {Haniyeh} `MATCH (n) DETACH DELETE n` $x ${y} \\ \'q\' \u200b\u202eRTL\u202c\n\n'
           'Thursday 22 June 2023 - 20:22\n\n'
           'Ebrahim Raisi met with Ismail Haniyeh in Tehran on Monday; he said: "RETURN 1 // }{ ` $p \\" \\\\n".\n\n'
           'In a letter to Ali Khamenei, Ismail Haniyeh wrote `CREATE (:Evil)` and {"a": [1, 2]} \u2028 x\u2029 y '
           '\ue000P1\ue001 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627.\n\n'
           + "Hossein Salami met with Ebrahim Raisi again, and " * 4000 + "the talks ended.\n")


def test_hostile_text_lands_byte_for_byte(graph: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (folder / "crlf.txt").write_bytes(b"Windows line ends\r\n\r\nEbrahim Raisi met with Ismail Haniyeh.\r\n")
    run = kgloader("load", str(folder), *graph.cli, env=graph.env)
    assert run.returncode == 0, run.stderr
    assert "new 2" in run.stderr and "failed 0" in run.stderr
    assert graph.count("MATCH (n:Evil) RETURN count(n) AS n") == 0
    for name in ("hostile.txt", "crlf.txt"):
        text = (folder / name).read_bytes().decode("utf-8").replace("\r\n", "\n")
        article = graph.store.read("MATCH (a:NewsArticle {identifier: $id}) RETURN a.headline AS h", {"id": name})
        assert article == [{"h": text.split("\n", 1)[0]}]
        rows = graph.store.read(
            "MATCH (e)-[:IN_ARTICLE]->(:NewsArticle {identifier: $id}) RETURN e.sentence AS s, e.beginIndex AS b, "
            "e.endIndex AS e, e.anchorText AS anchor, e.anchorBegin AS ab, e.anchorEnd AS ae", {"id": name})
        assert len(rows) >= 3
        for row in rows:
            assert text[row["b"]:row["e"]] == row["s"]
            if row["anchor"] is not None:
                assert text[row["ab"]:row["ae"]] == row["anchor"]
    meetings = graph.store.read("MATCH (m:Meeting)-[:EVIDENCE]->(e:Evidence) RETURN e.sentence AS s")
    assert any('"RETURN 1 // }{ ` $p \\" \\\\n"' in row["s"] for row in meetings)


def test_huge_file_is_skipped_and_the_run_goes_on(graph: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES, folder)
    with (folder / "huge.txt").open("w", encoding="utf-8") as handle:
        handle.write("A very long page\n\n")
        for _ in range(52_000):
            handle.write("Ebrahim Raisi met with Ismail Haniyeh in Tehran. " * 20 + "\n")
    assert (folder / "huge.txt").stat().st_size > 50_000_000
    run = kgloader("load", str(folder), *graph.cli, env=graph.env)
    assert run.returncode == 0, run.stderr
    assert "huge.txt: too large for a news article" in run.stderr and "document.max_bytes" in run.stderr
    assert graph.count("MATCH (a:NewsArticle) RETURN count(a) AS n") == len(list(EXAMPLES.glob("*.txt")))


def test_a_hundred_thousand_tiny_files(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    for i in range(100_000):
        (folder / f"{i:06d}.txt").write_text(f"Note {i}\n", encoding="utf-8")
    out = tmp_path / "tiny.nq"
    run = kgloader("extract", str(folder), "-o", str(out), "--jobs", "2")
    assert run.returncode == 0, run.stderr
    assert "articles read 100000, skipped 0" in run.stderr
    with out.open("rb") as handle:
        headlines = sum(1 for line in handle if b"<http://schema.org/headline>" in line)
    assert headlines == 100_000


# -- the embedded server dies mid-load --------------------------------------------------------------
PER_ARTICLE = ("MATCH (a:NewsArticle)-[x:ASSERTS]->() RETURN a.identifier AS article, "
               "count(x) + sum(size(x.kgRels)) AS n")
LOADED = "MATCH (a:NewsArticle) WHERE a.kgLoaded IS NOT NULL RETURN a.identifier AS article"


def test_embedded_server_killed_mid_load(tmp_path: Path, corpus: Path) -> None:
    """Every article is fully loaded or absent after the crash; the next run leaves the clean graph."""
    home = tmp_path / "kg"
    env = {k: v for k, v in os.environ.items() if k != "KGLOADER_HOME"}
    with open_store(None, home=home) as store:
        graph = Graph(store, ["--home", str(home)], env)
        pid = redis.Redis(unix_socket_path=str(store.server.socket)).info("server")["process_id"]
        load = subprocess.Popen([sys.executable, "-m", "loader", "load", str(corpus), "--home", str(home),
                                 "--batch-size", "300", "--jobs", "1"], env=env, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while len(store.read(LOADED)) < 20 and time.monotonic() < deadline and load.poll() is None:
            time.sleep(0.05)
        assert load.poll() is None, "the load ended before the server could be killed"
        os.kill(pid, signal.SIGKILL)
        load.wait(timeout=300)
        assert load.returncode in (0, 3), load.stderr.read()

        loaded = {row["article"] for row in store.read(LOADED)}
        supported = {row["article"]: row["n"] for row in store.read(PER_ARTICLE)}
        assert set(supported) <= loaded, "an article is in the graph without its load stamp: half written"

        reference_home = tmp_path / "reference"
        clean = kgloader("load", str(corpus), "--home", str(reference_home), env=env)
        assert clean.returncode == 0, clean.stderr
        with open_store(None, home=reference_home) as reference_store:
            reference = Graph(reference_store, [], env)
            expected = {row["article"]: row["n"] for row in reference_store.read(PER_ARTICLE)}
            for article in loaded:
                assert supported[article] == expected[article], article
            repair = kgloader("load", str(corpus), *graph.cli, env=env)
            assert repair.returncode == 0, repair.stderr
            assert graph.state() == reference.state()


# -- the Neo4j server dies mid-load ------------------------------------------------------------------
def test_neo4j_server_killed_mid_load(tmp_path: Path, corpus: Path, neo4j_endpoint: Neo4jEndpoint) -> None:
    """SIGKILL Neo4j mid-load: the load stops with exit 3 and one clear line, every article is whole or
    absent, and once the server is started again on its data the next run leaves the clean graph."""
    home = tmp_path / "neo4j"
    server = start_neo4j(home)
    endpoint = Neo4jEndpoint(server.bolt, server.user, server.password)
    try:
        with endpoint.open() as store:
            load = subprocess.Popen([sys.executable, "-m", "loader", "load", str(corpus), *endpoint.cli(),
                                     "--batch-size", "300", "--jobs", "1"], env=endpoint.env(),
                                    stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 120
            while len(store.read(LOADED)) < 20 and time.monotonic() < deadline and load.poll() is None:
                time.sleep(0.05)
            assert load.poll() is None, "the load ended before the server could be killed"
            server.kill()
        _, stderr = load.communicate(timeout=300)
        assert load.returncode == 3, stderr
        lines = stderr.strip().splitlines()
        # the driver's retries, one line each, then one error line: no traceback, no multi-line record
        retried = ("INFO: ", "WARNING: Transaction failed and will be retried")
        assert all(line.startswith(retried) for line in lines[:-1]), lines
        assert lines[-1].startswith(f"error: lost Neo4j at {server.bolt} (database neo4j)"), lines[-1]

        server = start_neo4j(home, server.password, server.ports)  # the same data, the same address
        with endpoint.open() as store:
            graph = Graph(store, endpoint.cli(), endpoint.env())
            loaded = {row["article"] for row in store.read(LOADED)}
            supported = {row["article"]: row["n"] for row in store.read(PER_ARTICLE)}
            assert 20 <= len(loaded) < len(list(corpus.iterdir()))
            assert set(supported) <= loaded, "an article is in the graph without its load stamp: half written"
            repair = kgloader("load", str(corpus), *graph.cli, env=graph.env)
            assert repair.returncode == 0, repair.stderr + server.log_tail()
            repaired = graph.state()
    finally:
        server.stop()

    with neo4j_endpoint.open() as reference_store:  # an uninterrupted load, on the session's Neo4j
        reference_store.write([(cypher.DELETE_ALL, {})])
        clean = kgloader("load", str(corpus), *neo4j_endpoint.cli(), env=neo4j_endpoint.env())
        assert clean.returncode == 0, clean.stderr
        expected = {row["article"]: row["n"] for row in reference_store.read(PER_ARTICLE)}
        for article in loaded:
            assert supported[article] == expected[article], article
        assert Graph(reference_store, [], {}).state() == repaired


def test_neo4j_without_authentication_needs_no_password(tmp_path: Path, neo4j_endpoint: Neo4jEndpoint) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NEO4J_PASSWORD", "KGLOADER_HOME")}
    wants = kgloader("query", "overview", "--uri", neo4j_endpoint.uri, env=env)  # the session's server has auth on
    assert wants.returncode == 3
    assert f"Neo4j at {neo4j_endpoint.uri} (database neo4j) wants a password: set NEO4J_PASSWORD" in wants.stderr
    server = start_neo4j(tmp_path / "open", auth=False)  # as NEO4J_AUTH=none gives in development
    try:
        article = EXAMPLES / "letters-2021.txt"
        load = kgloader("load", str(article), "--uri", server.bolt, env=env)
        assert load.returncode == 0, load.stderr
        assert "new 1" in load.stderr
        again = kgloader("load", str(article), "--uri", server.bolt, "--force", env=env)  # the indexes exist now
        assert again.returncode == 0, again.stderr
        for run in (load, again):  # the server's notifications ("index already exists") are not logged
            assert "otification" not in run.stderr and "already exists" not in run.stderr, run.stderr
            assert all(line.startswith(("INFO: ", "WARNING: ")) for line in run.stderr.splitlines()), run.stderr
        assert len(kgloader("query", "articles", "--uri", server.bolt, "--format", "csv",
                            env=env).stdout.splitlines()) == 2
        wrong = kgloader("load", "--uri", "localhost:7687", str(article), env=env)
        assert wrong.returncode == 2
        assert "--uri takes a bolt:// or neo4j:// URI such as bolt://localhost:7687, not 'localhost:7687'" \
            in wrong.stderr
    finally:
        server.stop()
