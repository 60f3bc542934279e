"""Scheduled and repeated loads: incremental, never overlapping, interruptible, reported."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, Graph, kgloader
from filelock import FileLock

from loader.schedule import Timing, lock_path, parse_every


def reports(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("run-*.json"))]


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(SEEDS, folder)
    return folder


def test_second_run_over_unchanged_folder_extracts_and_writes_nothing(graph: Graph, inbox: Path,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "reports"
    first = kgloader("load", str(inbox), *graph.cli, "--report-dir", str(out), env=graph.env)
    assert first.returncode == 0, first.stderr
    before = graph.state()
    second = kgloader("load", str(inbox), *graph.cli, "--report-dir", str(out), env=graph.env)
    assert second.returncode == 0, second.stderr
    runs = reports(out)
    assert [r["counts"]["new"] for r in runs] == [5, 0]
    assert runs[1]["counts"] == {"seen": 5, "new": 0, "changed": 0, "unchanged": 5, "skipped": 0, "failed": 0,
                                 "pruned": 0}
    assert runs[1]["triples"] == 0 and runs[1]["rules_hash"] == runs[0]["rules_hash"]
    assert graph.state() == before
    recorded = graph.store.read("MATCH (r:LoadRun) RETURN r.new AS new, r.unchanged AS unchanged, "
                                "r.kgloaderVersion AS version ORDER BY r.startedAt")
    assert [(r["new"], r["unchanged"]) for r in recorded] == [(5, 0), (0, 5)] and recorded[0]["version"]


def test_edited_replaced_and_removed_pruned(graph: Graph, inbox: Path, tmp_path: Path) -> None:
    assert kgloader("load", str(inbox), *graph.cli, env=graph.env).returncode == 0
    edited = inbox / "001_866d47ab6ad8327c.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Donald Trump", "Joe Biden").replace(
        "(Trump)", "(Biden)").replace("[Trump]", "[Biden]"), encoding="utf-8")
    (inbox / "000_178f4452fb611901.txt").unlink()
    out = tmp_path / "reports"
    run = kgloader("load", str(inbox), "--prune", *graph.cli, "--report-dir", str(out), env=graph.env)
    assert run.returncode == 0, run.stderr
    report = reports(out)[0]
    assert report["changed"] == ["001_866d47ab6ad8327c.txt"] and report["pruned"] == ["000_178f4452fb611901.txt"]
    assert graph.count("MATCH (p:Person {name: 'Donald Trump'}) RETURN count(p) AS n") == 0
    assert graph.count("MATCH (p:Person {name: 'Joe Biden'}) RETURN count(p) AS n") == 1
    assert graph.count("MATCH (p:Person {name: 'Salih al-Aruri'}) RETURN count(p) AS n") == 0
    assert graph.count("MATCH (a:NewsArticle) RETURN count(a) AS n") == 4


def test_a_second_load_waits_or_exits_clearly(graph: Graph, inbox: Path) -> None:
    home = Path(graph.cli[1]) if graph.cli[0] == "--home" else None
    uri = None if home else graph.cli[1]
    lock = FileLock(str(lock_path(uri, None, home)))
    with lock:
        busy = kgloader("load", str(inbox), *graph.cli, env=graph.env)
    assert busy.returncode == 3
    assert "another kgloader load is running on this graph" in busy.stderr and "--wait" in busy.stderr
    assert graph.count("MATCH (a:NewsArticle) RETURN count(a) AS n") == 0
    lock.acquire()
    waiting = subprocess.Popen([sys.executable, "-m", "loader", "load", str(inbox), *graph.cli, "--wait"],
                               env=graph.env, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert waiting.poll() is None  # still waiting for the lock
    lock.release()
    assert waiting.wait(timeout=120) == 0
    assert graph.count("MATCH (a:NewsArticle) RETURN count(a) AS n") == 5


def test_two_schedulers_never_load_at_the_same_time(graph: Graph, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    command = [sys.executable, "-m", "loader", "schedule", str(inbox), *graph.cli, "--every", "1s", "--max-runs", "3",
               "--wait", "--force", "--jobs", "1", "--report-dir", str(out)]
    runners = [subprocess.Popen(command, env=graph.env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for runner in runners:
        assert runner.wait(timeout=300) == 0, runner.stderr.read() if runner.stderr else ""
    runs = sorted(reports(out), key=lambda r: r["started"])
    assert len(runs) == 6
    for earlier, later in itertools.pairwise(runs):
        assert datetime.fromisoformat(earlier["ended"]) <= datetime.fromisoformat(later["started"]), (earlier, later)
    assert graph.count("MATCH (a:NewsArticle) RETURN count(a) AS n") == 5


def test_sigterm_stops_a_scheduler_cleanly(graph: Graph, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    runner = subprocess.Popen([sys.executable, "-m", "loader", "schedule", str(inbox), *graph.cli, "--every", "1h",
                               "--report-dir", str(out), "--log-format", "json"], env=graph.env,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not reports(out) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert reports(out), "the first run never finished"
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=30) == 0
    lines = [json.loads(line) for line in runner.stderr.read().splitlines() if line.strip()]
    assert any("SIGTERM received" in line["message"] for line in lines)
    assert {line["level"] for line in lines} <= {"info", "warning", "error"}


def test_killed_load_is_repaired_by_the_next_run(graph: Graph, corpus: Path, tmp_path: Path) -> None:
    """SIGKILL a load mid-run; the next run leaves exactly the graph an uninterrupted run leaves."""
    command = [sys.executable, "-m", "loader", "load", str(corpus), *graph.cli, "--batch-size", "300", "--jobs", "1"]
    victim = subprocess.Popen(command, env=graph.env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and victim.poll() is None:
        loaded = graph.count("MATCH (a:NewsArticle) WHERE a.kgLoaded IS NOT NULL RETURN count(a) AS n")
        if loaded >= 20:
            break
        time.sleep(0.05)
    assert victim.poll() is None, "the load finished before it could be killed: make the corpus larger"
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    partial = graph.count("MATCH (a:NewsArticle) WHERE a.kgLoaded IS NOT NULL RETURN count(a) AS n")
    total = len(list(corpus.iterdir()))
    assert 0 < partial < total
    repair = kgloader("load", str(corpus), *graph.cli, env=graph.env)
    assert repair.returncode == 0, repair.stderr
    repaired = graph.state()

    reference = Graph(graph.store, graph.cli, graph.env)
    reference.store.write([("MATCH (n) DETACH DELETE n", {})])
    clean = kgloader("load", str(corpus), *graph.cli, env=graph.env)
    assert clean.returncode == 0, clean.stderr
    assert reference.state() == repaired


def test_intervals_and_cron() -> None:
    assert parse_every("1h30m").total_seconds() == 5400 and parse_every("45s").total_seconds() == 45
    start = datetime(2026, 1, 1, 10, 7, tzinfo=UTC)
    assert Timing("15m", None).next_after(start) == datetime(2026, 1, 1, 10, 22, tzinfo=UTC)
    assert Timing(None, "*/15 * * * *").next_after(start) == datetime(2026, 1, 1, 10, 15, tzinfo=UTC)
    for bad in (("", None), ("fast", None), (None, "every minute"), ("15m", "* * * * *"), (None, None)):
        run = kgloader("schedule", str(ROOT / "examples" / "articles"),
                       *(["--every", bad[0]] if bad[0] is not None else []),
                       *(["--cron", bad[1]] if bad[1] is not None else []))
        assert run.returncode == 2, (bad, run.stderr)


def test_changed_rules_re_extract_everything(graph: Graph, inbox: Path, tmp_path: Path) -> None:
    from loader.resources import default_rules_dir

    assert kgloader("load", str(inbox), *graph.cli, env=graph.env).returncode == 0
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    gazetteer = rules / "gazetteer" / "persons.yaml"
    gazetteer.write_text(gazetteer.read_text(encoding="utf-8").replace("aliases: [Salami]",
                                                                       "aliases: [Salami, Hossein Salami Jr]"))
    out = tmp_path / "reports"
    run = kgloader("load", str(inbox), "--rules", str(rules), *graph.cli, "--report-dir", str(out), env=graph.env)
    assert run.returncode == 0, run.stderr
    report = reports(out)[0]
    assert len(report["changed"]) == 5 and report["unchanged"] == 0
    again = kgloader("load", str(inbox), "--rules", str(rules), *graph.cli, "--report-dir", str(out), env=graph.env)
    assert again.returncode == 0 and reports(out)[-1]["unchanged"] == 5


def test_lock_and_store_agree_on_the_embedded_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from loader.load import embedded_home

    monkeypatch.setenv("KGLOADER_HOME", str(tmp_path / "graph"))
    assert embedded_home() == tmp_path / "graph"
    assert lock_path(None, None, None).parent == (tmp_path / "graph").resolve()
    assert lock_path(None, None, tmp_path / "other").parent == (tmp_path / "other").resolve()


def test_prune_refuses_to_empty_the_graph_when_the_inbox_is_empty(graph: Graph, inbox: Path) -> None:
    assert kgloader("load", str(inbox), *graph.cli, env=graph.env).returncode == 0
    before = graph.state()
    for article in inbox.iterdir():
        article.unlink()
    refused = kgloader("load", str(inbox), "--prune", *graph.cli, env=graph.env)
    assert refused.returncode == 2, refused.stderr
    assert "no article or RDF file under" in refused.stderr
    assert "--prune would retract 5 of the graph's 5 articles (all" in refused.stderr
    assert "nothing written" in refused.stderr and "Traceback" not in refused.stderr
    assert graph.state() == before
    assert graph.count("MATCH (r:LoadRun) RETURN count(r) AS n") == 1  # the refused run wrote no record either
    forced = kgloader("load", str(inbox), "--prune-all", *graph.cli, env=graph.env)
    assert forced.returncode == 0, forced.stderr
    assert graph.count("MATCH (a:NewsArticle) RETURN count(a) AS n") == 0


def test_prune_retracts_only_under_the_paths_of_the_run(graph: Graph, inbox: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(ROOT / "examples" / "articles" / "letters-2021.txt", other)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert kgloader("load", str(inbox), str(other), *graph.cli, env=graph.env).returncode == 0
    before = graph.state()

    run = kgloader("load", str(empty), "--prune", *graph.cli, env=graph.env)
    assert run.returncode == 0, run.stderr
    assert "no article or RDF file under" in run.stderr and "pruned 0" in run.stderr
    assert graph.state() == before

    (inbox / "000_178f4452fb611901.txt").unlink()
    run = kgloader("load", str(inbox), "--prune", *graph.cli, env=graph.env)  # other/ is not named: it stays
    assert run.returncode == 0, run.stderr
    assert "pruned 1" in run.stderr
    names = {r["id"] for r in graph.store.read("MATCH (a:NewsArticle) RETURN a.identifier AS id")}
    assert names == {p.name for p in inbox.iterdir()} | {"letters-2021.txt"}

    run = kgloader("load", str(inbox / "*.txt"), "--prune", *graph.cli, env=graph.env)  # a glob is a scope too
    assert run.returncode == 0 and "pruned 0" in run.stderr, run.stderr

    # a file loaded by name that a folder run passes over (not .txt) is still there: it is kept
    notes = inbox / "notes.md"
    shutil.copy(ROOT / "examples" / "articles" / "amman-talks-2024.txt", notes)
    assert kgloader("load", str(notes), *graph.cli, env=graph.env).returncode == 0
    run = kgloader("load", str(inbox), "--prune", *graph.cli, env=graph.env)
    assert run.returncode == 0 and "pruned 0" in run.stderr and "passed over 1 files" in run.stderr, run.stderr
    assert graph.count("MATCH (a:NewsArticle {identifier: 'notes.md'}) RETURN count(a) AS n") == 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_during_a_long_article_stops_promptly_and_loads_whole_articles(graph: Graph, tmp_path: Path,
                                                                            jobs: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "articles" / "letters-2021.txt", folder / "a.txt")
    fact = "Foreign Minister Samir Haddad met with President Karim Nasser in Amman on Monday. "
    # 6 MB of facts: extracting it takes half a minute and more; the stop must not wait for it
    (folder / "b.txt").write_text("Talks in Amman\n\n" + fact * (6_000_000 // len(fact)) + "\n", encoding="utf-8")
    out = tmp_path / "reports"
    runner = subprocess.Popen([sys.executable, "-P", "-m", "loader", "load", str(folder), "-j", jobs, *graph.cli,
                               "--report-dir", str(out)], env=graph.env, stderr=subprocess.PIPE, text=True)
    assert runner.stderr is not None
    for line in runner.stderr:  # the rules are loaded: extraction starts
        if line.startswith("INFO: rules:"):
            break
    time.sleep(3)
    runner.send_signal(signal.SIGINT)
    asked = time.monotonic()
    rest = runner.stderr.read()
    assert runner.wait(timeout=120) == 0, rest
    assert time.monotonic() - asked < 15, "the load waited for the long article"
    assert "SIGINT received" in rest and "Ctrl-C again to stop now" in rest and "Traceback" not in rest
    report = reports(out)[0]
    assert report["interrupted"] and "b.txt" not in report["new"]
    loaded = {r["id"] for r in graph.store.read("MATCH (a:NewsArticle) RETURN a.identifier AS id")}
    assert loaded == set(report["new"]) <= {"a.txt"}
    if loaded:  # what was written is whole: the article's facts are all there
        assert graph.count("MATCH (m:Message) RETURN count(m) AS n") > 0
    again = kgloader("load", str(folder / "a.txt"), *graph.cli, env=graph.env)  # the next run loads the rest
    assert again.returncode == 0, again.stderr
