"""`kgloader view` draws what a prepared query finds: the page is opened in headless Chromium and read.

Playwright drives Debian's Chromium (no browser download). The tests look at what is drawn at the
opening zoom, as a newcomer sees it: the names are there as text, large enough, inside the window and
not on top of each other; the legend lists the kinds drawn in Browser's colours; clicking an event
shows its date, place, articles and the sentence and rule it came from.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import EXAMPLES, SEEDS, Graph, kgloader
from PIL import Image
from playwright.sync_api import Page, sync_playwright

from loader.browser import browser_script
from loader.graph.mapping import load_mapping
from loader.load import Loader, LoadOptions
from loader.queries import load_queries
from loader.rules import load_rules
from loader.view import D3_FILE, build_graph, load_style, load_views

PERSON_BLUE = (0x4C, 0x8E, 0xDA)
MEETING_YELLOW = (0xFF, 0xC4, 0x54)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
SHOTS = Path("/tmp/kgloader-view-shots")  # the screenshots, for a person to look at after a run


@pytest.fixture()
def loaded(graph: Graph) -> Graph:
    report = Loader(graph.store, LoadOptions()).load([str(SEEDS), str(EXAMPLES)])
    assert len(report.new) == 11
    return graph


def histogram(png: bytes) -> list[tuple[int, tuple[int, int, int]]]:
    return Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 24) or []


def pixels_near(colours: list[tuple[int, tuple[int, int, int]]], colour: tuple[int, int, int]) -> int:
    return sum(count for count, pixel in colours if all(abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=True)))


@contextmanager
def opened(page_file: Path) -> Iterator[Page]:
    """The page in Chromium, once it says it has drawn; script errors fail the test."""
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser_path, "Debian's chromium is needed for this test (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(page_file.as_uri())
            page.wait_for_selector("body[data-drawn='true'], #message:not([hidden])", timeout=30_000)
            yield page
            assert not errors, errors
        finally:
            browser.close()


def shown_captions(page: Page) -> list[dict]:
    """Every node caption drawn at this moment: its text and its box on the screen."""
    return page.evaluate("""() => [...document.querySelectorAll('svg text.caption')]
        .filter(t => getComputedStyle(t).display !== 'none')
        .map(t => { const r = t.getBoundingClientRect();
                    return {text: t.textContent, x: r.x, y: r.y, width: r.width, height: r.height}; })""")


def assert_readable(page: Page, names: set[str]) -> list[dict]:
    """The names are drawn as text at the opening zoom: inside the graph's area, at least 11 px high,
    and no caption drawn over another."""
    captions = shown_captions(page)
    drawn = {c["text"]: c for c in captions}
    assert names <= set(drawn), f"not drawn: {sorted(names - set(drawn))}"
    area = page.locator("#graph").bounding_box()
    assert area
    for name in names:
        box = drawn[name]
        assert box["height"] >= 11, (name, box)
        assert area["x"] <= box["x"] and box["x"] + box["width"] <= area["x"] + area["width"] + 1, (name, box)
        assert area["y"] <= box["y"] and box["y"] + box["height"] <= area["y"] + area["height"] + 1, (name, box)
    for i, a in enumerate(captions):
        for b in captions[i + 1:]:
            overlap_x = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
            assert overlap_x <= 1 or overlap_y <= 2, f"{a['text']!r} is drawn over {b['text']!r}"
    return captions


def assert_legend(page: Page, expected: set[str]) -> dict[str, str]:
    """The legend names the kinds drawn (and only those), each in browser.grass's colour."""
    entries = page.evaluate("""() => [...document.querySelectorAll('#legend li[data-label]')]
        .map(li => [li.dataset.label, li.querySelector('svg [fill]').getAttribute('fill')])""")
    legend = dict(entries)
    drawn = set(page.evaluate("() => [...new Set([...document.querySelectorAll('g.node')].map(g => g.dataset.label))]"))
    assert set(legend) == drawn and expected <= drawn, (legend, drawn)
    style = load_style()
    for label, colour in legend.items():
        if label in style:
            assert colour.lower() == style[label].colour.lower(), label
    return legend


def click_caption(page: Page, caption: str) -> str:
    """Click the node drawn with this caption; the details panel's text."""
    node_id = page.evaluate("""(caption) => [...document.querySelectorAll('svg text.caption')]
        .find(t => t.textContent === caption).dataset.id""", caption)
    page.locator(f'g.node[data-id="{node_id}"] .shape').click(force=True)
    page.wait_for_selector(f'#details[data-selected="{node_id}"]')
    return page.locator("#details").inner_text()


def view(graph: Graph, tmp_path: Path, name: str, *params: str) -> tuple[Path, str]:
    page = tmp_path / f"{name}.html"
    args = [a for p in params for a in ("--param", p)]
    run = kgloader("view", name, *args, "-o", str(page), *graph.cli, env=graph.env)
    assert run.returncode == 0, run.stderr
    return page, run.stdout


def screenshot(page: Page, name: str) -> bytes:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_who_met_whom_is_readable_at_first_sight(loaded: Graph, tmp_path: Path) -> None:
    page_file, out = view(loaded, tmp_path, "who-met-whom", "person=Haniyeh")
    assert "nodes" in out and (tmp_path / D3_FILE).is_file()
    html = page_file.read_text(encoding="utf-8")
    assert html.count("<!doctype html>") == 1 and html.startswith("<!doctype html>")
    sentence = loaded.store.read(
        "MATCH (m:Meeting)-[:ATTENDEE]->(:Person {name: 'Hossein Salami'}) MATCH (m)-[:EVIDENCE]->(e:Evidence) "
        "RETURN e.sentence AS s, e.rule AS rule ORDER BY e.beginIndex")[0]
    with opened(page_file) as page:
        assert page.locator("#title").inner_text() == "who-met-whom"
        assert "person" in page.locator("#params").inner_text() and '"Haniyeh"' in page.locator("#params").inner_text()
        assert_readable(page, {"Ismail Haniyeh", "Ebrahim Raisi", "Hossein Salami", "Ali Khamenei", "Tehran",
                               "2023-06-19", "2023-06-21"})
        legend = assert_legend(page, {"Person", "Meeting"})
        assert "Message" not in legend, "letters are not meetings"
        colours = histogram(screenshot(page, "who-met-whom"))
        assert pixels_near(colours, PERSON_BLUE) > 1_000 and pixels_near(colours, MEETING_YELLOW) > 300
        # the meeting with Salami: the only one of Haniyeh's meetings linked to Salami
        salami_meeting = page.evaluate("""() => {
            const data = JSON.parse(document.getElementById('kg-data').textContent);
            const salami = data.nodes.find(n => n.full === 'Hossein Salami').id;
            return data.rels.find(r => r.target === salami).source; }""")
        page.locator(f'g.node[data-id="{salami_meeting}"] .shape').click(force=True)
        page.wait_for_selector(f'#details[data-selected="{salami_meeting}"]')
        details = page.locator("#details").inner_text()
        assert "2023-06-20" in details and "Tehran" in details and sentence["s"] in details
        assert sentence["rule"] in details and "004_bd28ea4c74592fc1.txt" in details
        screenshot(page, "who-met-whom-details")


def test_person_profile_draws_positions_events_and_articles(loaded: Graph, tmp_path: Path) -> None:
    page_file, _ = view(loaded, tmp_path, "person-profile", "name=Haniyeh")
    with opened(page_file) as page:
        assert_readable(page, {"Ismail Haniyeh", "Ali Khamenei", "Hamas", "head of the political bureau"})
        assert_legend(page, {"Person", "Meeting", "Message", "Membership", "NewsArticle", "Organization"})
        headlines = [c["text"] for c in shown_captions(page) if c["text"].startswith("Hamas")]
        assert headlines, "article headlines are captions"
        details = click_caption(page, "2021-05-22")  # Haniyeh's letter to Khamenei
        assert "2021-05-22" in details and "letters-2021.txt" in details and "message." in details
        screenshot(page, "person-profile")


def test_timeline_places_events_in_date_order(loaded: Graph, tmp_path: Path) -> None:
    page_file, out = view(loaded, tmp_path, "timeline")
    assert "0 nodes" not in out
    with opened(page_file) as page:
        captions = assert_readable(page, {"2021-05-22", "2023-06-19", "2024-03-03", "Ismail Haniyeh", "Samir Haddad"})
        assert_legend(page, {"Meeting", "Message", "Person"})
        assert captions
        # each dated event's node (its caption may sit beside it), by the date it is captioned with
        nodes = page.evaluate("""() => [...document.querySelectorAll('svg text.caption')]
            .filter(t => t.textContent.startsWith('20'))
            .map(t => { const r = document.querySelector(`g.node[data-id="${t.dataset.id}"]`).getBoundingClientRect();
                        return [t.textContent, r.x + r.width / 2]; })""")
        where: dict[str, list[float]] = {}
        for text, x in nodes:
            where.setdefault(text, []).append(x)
        by_date = [sum(xs) / len(xs) for _, xs in sorted(where.items())]
        assert len(by_date) >= 6 and by_date == sorted(by_date), sorted(where.items())
        details = click_caption(page, "2024-03-03")
        assert "Amman" in details and "met with his Iraqi counterpart Karim al-Jabouri" in details
        screenshot(page, "timeline")


def test_explain_draws_a_fact_its_sentences_and_articles(loaded: Graph, tmp_path: Path) -> None:
    page_file, _ = view(loaded, tmp_path, "explain", "fact=Meeting of Hossein Salami")
    with opened(page_file) as page:
        assert_readable(page, {"meeting.met-with", "meeting.held-talks", "Hossein Salami", "Ismail Haniyeh",
                               "2023-06-20"})
        assert_legend(page, {"Evidence", "Meeting", "NewsArticle", "Person"})
        details = click_caption(page, "meeting.held-talks")
        assert "held talks" in details and "004_bd28ea4c74592fc1.txt" in details
        screenshot(page, "explain")


def test_every_caption_stays_readable_on_a_large_result(loaded: Graph, tmp_path: Path) -> None:
    """Explain everything: about 170 nodes. Captions that would collide are left out, never piled up."""
    page_file, out = view(loaded, tmp_path, "explain")
    assert int(out.split(": ")[1].split()[0]) > 150
    with opened(page_file) as page:
        # which of two colliding captions stays depends on the engine's row order (the layout's input):
        # the most connected entity is drawn on both engines, and most captions are
        captions = assert_readable(page, {"Ali Khamenei"})
        assert len(captions) > 60
        screenshot(page, "explain-all")


def test_an_empty_result_says_so(graph: Graph, tmp_path: Path) -> None:
    page_file, out = view(graph, tmp_path, "who-met-whom", "person=nobody at all")
    assert "0 nodes, 0 relationships" in out and "nothing to draw" in out
    assert page_file.read_text(encoding="utf-8").startswith("<!doctype html>")
    with opened(page_file) as page:
        assert "Nothing to draw" in page.locator("#message").inner_text()
        assert "nobody at all" in page.locator("#params").inner_text()


def test_standalone_page_holds_d3_and_hostile_text_stays_text(loaded: Graph, tmp_path: Path) -> None:
    page_file = tmp_path / "alone" / "page.html"
    hostile = "</script><script>document.title='owned'</script>{{DATA}}"
    run = kgloader("view", "who-met-whom", "--param", f"person={hostile}", "-o", str(page_file), "--standalone",
                   *loaded.cli, env=loaded.env)
    assert run.returncode == 0, run.stderr
    assert not (page_file.parent / D3_FILE).exists()
    with opened(page_file) as page:
        assert page.title() != "owned" and hostile in page.locator("#params").inner_text()


def test_every_prepared_query_draws_its_own_result(loaded: Graph) -> None:
    """Each query has a view with its parameters; on the sample articles each draws nodes joined by
    relationships, and the meeting network draws meetings, never letters."""
    queries = load_queries()
    views = load_views(queries)
    assert set(views) == set(queries)
    kinds = load_rules().kinds
    for name, query in queries.items():
        drawing = build_graph(loaded.store, views[name], query, query.bind({}), kinds)
        ids = {n["id"] for n in drawing.nodes}
        assert drawing.nodes and drawing.rels, name
        assert all(r["source"] in ids and r["target"] in ids for r in drawing.rels), name
        assert all(n["caption"] for n in drawing.nodes), name
    meetings = build_graph(loaded.store, views["who-met-whom"], queries["who-met-whom"],
                           queries["who-met-whom"].bind({}), kinds)
    assert {n["label"] for n in meetings.nodes} <= {"Meeting", "Person", "Organization", "City", "Country", "Place"}


def test_browser_style_is_in_step_with_the_labels() -> None:
    """browser.grass styles every label the mapping and the declared event kinds give (kinds in their
    declared colours), and every relationship type the prepared queries draw."""
    style = load_style()
    rules = load_rules()
    mapping = load_mapping(rules=rules)
    for label in set(mapping.labels.values()) - {"Event"}:
        assert label in style, f"browser.grass has no node.{label}"
    for spec in rules.kinds.values():
        assert style[spec.kind.label].colour.lower() == spec.kind.colour.lower(), spec.kind.label
    # captions read from the file as Browser reads them: `caption: "{name}"` names the property
    assert {style[label].caption for label in ("Person", "Organization", "City", "Country")} == {"name"}
    assert style["NewsArticle"].caption == "headline" and style[""].caption == "uri"
    for rel_type in ("ATTENDEE", "SENDER", "RECIPIENT", "LOCATION", "AUTHOR", "MEMBER", "ORGANIZATION",
                     "MENTIONS", "EVIDENCE", "IN_ARTICLE", "IN_REPLY_TO", "REFERS_TO"):
        assert f"<{rel_type}>" in style, rel_type


def test_neo4j_browser_file_is_in_step_with_the_queries() -> None:
    """cypher/browser/explore.cypher holds, for every prepared query, its :params and its view."""
    shipped = (Path(__file__).parent.parent / "cypher" / "browser" / "explore.cypher").read_text(encoding="utf-8")
    assert shipped == browser_script(), "regenerate: python -m loader.browser > cypher/browser/explore.cypher"
    for name, query in load_queries().items():
        assert query.browser_params() + ";" in shipped and f"// {name}: " in shipped
