"""`kgloader extract` end to end: formats, scores on the seeds, SHACL, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EXAMPLES, GOLD, ROOT, SCORE, SEEDS, kgloader
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from loader.rdf import shapes_turtle
from loader.rules import load_rules

SCHEMA = Namespace("http://schema.org/")
KG = Namespace("https://w3id.org/kgloader/ns#")


@pytest.fixture(scope="module")
def seeds_trig(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "seeds.trig"
    run = kgloader("extract", str(SEEDS), "-o", str(out), "--jobs", "2")
    assert run.returncode == 0, run.stderr
    assert "articles read 5, skipped 0" in run.stderr
    return out


def test_seeds_score_meets_the_bar(seeds_trig: Path) -> None:
    run = subprocess.run([sys.executable, str(SCORE), str(seeds_trig), str(GOLD), "--json"], capture_output=True,
                         text=True, check=True)
    report = json.loads(run.stdout[: run.stdout.rindex("}") + 1])
    assert report["overall"]["f1"] >= 0.9
    for category in ("entities", "meetings", "letters", "roles"):
        assert report[category]["f1"] >= 0.85, (category, report[category])
    assert report["metadata"]["meeting_dates"].split("/")[0] == report["metadata"]["meeting_dates"].split("/")[1]
    assert report["metadata"]["published"] == "2/2"


def test_named_graph_per_article_and_shared_entity_iris(seeds_trig: Path) -> None:
    ds = Dataset(default_union=True)
    ds.parse(seeds_trig, format="trig")
    articles = set(ds.subjects(RDF.type, SCHEMA.NewsArticle))
    assert len(articles) == 5
    khamenei = URIRef("https://w3id.org/kgloader/id/person/ali-khamenei")
    graphs_naming_him = {g.identifier for g in ds.graphs() if (None, SCHEMA.mentions, khamenei) in g}
    assert graphs_naming_him == articles
    for article in articles:
        graph = ds.graph(article)
        assert (article, RDF.type, SCHEMA.NewsArticle) in graph
        assert set(graph.objects(article, SCHEMA.mentions))


@pytest.mark.parametrize(("suffix", "fmt"), [(".nq", "nquads"), (".jsonld", "json-ld"), (".ttl", "turtle")])
def test_every_format_parses(tmp_path: Path, suffix: str, fmt: str) -> None:
    out = tmp_path / f"examples{suffix}"
    run = kgloader("extract", str(EXAMPLES), "-o", str(out))
    assert run.returncode == 0, run.stderr
    store = Graph() if fmt == "turtle" else Dataset(default_union=True)
    store.parse(out, format=fmt)
    assert len(store) > 100
    assert set(store.subjects(RDF.type, KG.Meeting))


AWKWARD = 'Quotes "x" \\ back\\slash \t tab \x01\x1f\x7f controls \u2028 \u2029 \ue000 \U0001F600 \u05e9 end'


@pytest.mark.parametrize(("suffix", "fmt"), [(".nq", "nquads"), (".trig", "trig"), (".jsonld", "json-ld")])
def test_awkward_characters_survive_every_format(tmp_path: Path, suffix: str, fmt: str) -> None:
    """Literals are escaped by our own N-Quads writer: a strict parser (pyoxigraph) accepts the file and an
    independent one (rdflib) reads the text back."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "odd.txt").write_text(f"{AWKWARD}\n\nEbrahim Raisi met with Ismail Haniyeh. {AWKWARD}.\n")
    out = tmp_path / f"odd{suffix}"
    run = kgloader("extract", str(tmp_path / "in"), "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert list(ox.parse(path=str(out), format=ox.RdfFormat.from_extension(suffix[1:])))
    ds = Dataset(default_union=True)
    ds.parse(out, format=fmt)
    assert {str(h) for h in ds.objects(None, SCHEMA.headline)} == {AWKWARD}
    sentences = {str(s) for s in ds.objects(None, KG.sentence)}
    assert "Ebrahim Raisi met with Ismail Haniyeh." in sentences


def test_output_is_identical_across_jobs_and_runs(tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2", "2"):
        out = tmp_path / f"run{len(outputs)}.nq"
        assert kgloader("extract", str(EXAMPLES), str(SEEDS), "-o", str(out), "--jobs", jobs).returncode == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_dataset_conforms_to_the_shipped_shapes(seeds_trig: Path, tmp_path: Path) -> None:
    from pyshacl import validate

    out = tmp_path / "examples.nq"
    assert kgloader("extract", str(EXAMPLES), "-o", str(out)).returncode == 0
    shapes = Graph().parse(data=shapes_turtle(load_rules().kinds), format="turtle")
    for path, fmt in ((seeds_trig, "trig"), (out, "nquads")):
        ds = Dataset()
        ds.parse(path, format=fmt)
        union = Graph()
        for quad in ds.quads((None, None, None, None)):
            union.add(quad[:3])
        conforms, _, text = validate(union, shacl_graph=shapes, inference="none")
        assert conforms, text


def test_unknown_output_format_is_a_usage_error(tmp_path: Path) -> None:
    run = kgloader("extract", str(EXAMPLES), "-o", str(tmp_path / "out.xml"))
    assert run.returncode == 2
    assert "unknown output format" in run.stderr
    assert not (tmp_path / "out.xml").exists()


def test_installed_build_extracts_what_the_source_tree_does(tmp_path: Path) -> None:
    """`make` installs a build compiled with mypyc; the source tree runs as plain Python. Both must
    write the same dataset (compiled classes check types at run time and may not cache as Python does)."""
    installed, source = tmp_path / "installed.nq", tmp_path / "source.nq"
    run = kgloader("extract", str(SEEDS), str(EXAMPLES), "-o", str(installed), "--jobs", "1")
    assert run.returncode == 0, run.stderr
    tree = subprocess.run([sys.executable, "-m", "loader", "extract", str(SEEDS), str(EXAMPLES), "-o", str(source),
                           "--jobs", "1"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert tree.returncode == 0, tree.stderr
    probe = "import loader, sys; sys.stdout.write(loader.build())"
    builds = [subprocess.run([sys.executable, *flags, "-c", probe], cwd=ROOT, capture_output=True, text=True).stdout
              for flags in (["-P"], [])]
    assert builds[1] == "pure Python", builds
    lines = [set(path.read_text(encoding="utf-8").splitlines()) for path in (installed, source)]
    assert len(lines[0]) > 1000
    assert lines[0] == lines[1], f"{builds[0]} and {builds[1]} builds differ"
