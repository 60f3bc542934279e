"""Neo4j Browser, as the test Neo4j serves it (org.neo4j.client:neo4j-browser on its classpath), in
headless Chromium: connect, `:params`, `:style` with cypher/browser.grass, a prepared query file run
unchanged, and a graph drawn with the colours and captions the style promises.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, Neo4jEndpoint
from PIL import Image
from playwright.sync_api import Page, sync_playwright

from loader.graph import cypher
from loader.load import Loader, LoadOptions
from loader.queries import load_queries

GRASS = ROOT / "cypher" / "browser.grass"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GRAPH_QUERY = "MATCH (m:Meeting)-[:ATTENDEE]->(p:Person) RETURN m, p"  # the README's first Browser query
WAIT = 60_000


def grass_rules(text: str) -> dict[str, dict[str, str]]:
    """selector (`node.Person`) → its properties, from a GraSS file."""
    return {selector: dict(re.findall(r"^\s*([\w-]+):\s*(.+?);\s*$", body, re.M))
            for selector, body in re.findall(r"^([\w.]+)\s*\{$(.*?)^\}", text, re.M | re.S)}


def run(page: Page, text: str) -> None:
    """Type a command or query into Browser's editor (newlines as text, not Enter) and run it."""
    page.click(".monaco-editor")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)
    page.keyboard.press("Control+Enter")


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.strip().lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def pixels_near(png: bytes, colour: tuple[int, int, int]) -> int:
    colours = Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 24) or []
    return sum(n for n, pixel in colours if all(abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=True)))


def test_browser_runs_a_prepared_query_and_draws_with_the_shipped_style(neo4j_endpoint: Neo4jEndpoint,
                                                                        tmp_path: Path) -> None:
    if not neo4j_endpoint.http:
        pytest.skip("NEO4J_URI names a server of its own: its Browser address is not known here")
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser_path, "Debian's chromium is needed for this test (make test installs it)"
    style = grass_rules(GRASS.read_text(encoding="utf-8"))
    query = load_queries()["who-met-whom"]
    with neo4j_endpoint.open() as store:
        store.write([(cypher.DELETE_ALL, {})])
        Loader(store, LoadOptions()).load([str(SEEDS)])
        expected = store.read(query.text, query.bind({"person": "Haniyeh"}))
        people = {row["name"] for row in store.read("MATCH (:Meeting)-[:ATTENDEE]->(p:Person) RETURN DISTINCT "
                                                     "p.name AS name")}
        meetings = store.read("MATCH (m:Meeting) WHERE (m)-[:ATTENDEE]->(:Person) RETURN m.startDate AS date")
    assert expected and people and meetings

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{neo4j_endpoint.http}/browser/?dbms={neo4j_endpoint.uri}&db=neo4j",
                      wait_until="networkidle", timeout=WAIT)
            page.select_option("[data-testid=bolt-scheme-select]", neo4j_endpoint.uri.split("//")[0] + "//")
            page.fill("[data-testid=username]", neo4j_endpoint.user)
            page.fill("[data-testid=password]", neo4j_endpoint.password)
            page.click("[data-testid=connect]")
            page.get_by_text(f"You are connected as user {neo4j_endpoint.user}").wait_for(timeout=WAIT)

            run(page, ':params {person: "Haniyeh", from: "", to: ""}')
            page.get_by_text('"person": "Haniyeh"').wait_for(timeout=WAIT)
            # on a line of its own: ":style node {" reads "node" as a sub-command and Browser crashes
            run(page, ":style\n" + GRASS.read_text(encoding="utf-8"))
            run(page, query.path.read_text(encoding="utf-8"))  # the file as shipped, header comments included
            for row in expected:
                page.get_by_role("cell", name=f'"{row["met"]}"', exact=True).first.wait_for(timeout=WAIT)
            assert page.get_by_text("InvalidGrassError").count() == 0, "Browser refused cypher/browser.grass"

            run(page, GRAPH_QUERY)
            nodes = page.locator("svg g.node")
            nodes.nth(len(people) + len(meetings) - 1).wait_for(timeout=WAIT)
            page.wait_for_timeout(2_000)  # the layout settles
            png = page.screenshot(path=str(tmp_path / "browser.png"))
            drawn = [(node.locator("circle.b-outline").get_attribute("fill") or "",
                      " ".join(t.strip() for t in node.locator("text.caption").all_text_contents()))
                     for node in nodes.all()]
        finally:
            chromium.close()

    person, meeting = style["node.Person"], style["node.Meeting"]
    assert person["caption"] == '"{name}"' and meeting["caption"] == '"{startDate}"'
    drawn_people = sorted(caption for fill, caption in drawn if fill.upper() == person["color"].upper())
    assert drawn_people == sorted(people), drawn  # blue discs captioned with the whole name
    # yellow discs captioned with their date (Browser quotes it, and cuts it with … where the disc is small)
    drawn_meetings = sorted(caption for fill, caption in drawn if fill.upper() == meeting["color"].upper())
    dates = sorted(f'"{m["date"]}"' if m["date"] else "" for m in meetings)
    assert len(drawn_meetings) == len(dates) and all(
        date == caption or (caption.endswith("…") and date.startswith(caption[:-1]) and len(caption) > 4)
        for caption, date in zip(drawn_meetings, dates, strict=True)), drawn
    assert pixels_near(png, rgb(person["color"])) > 2_000 and pixels_near(png, rgb(meeting["color"])) > 1_000
