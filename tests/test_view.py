"""`kgloader view` draws a query's graph: the page is opened in headless Chromium and looked at.

Playwright drives Debian's Chromium (no browser download); the test waits until the page has
drawn, then checks the picture: people as blue discs, meetings as yellow ones.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from conftest import SEEDS, Graph, kgloader
from PIL import Image
from playwright.sync_api import sync_playwright

from loader.load import Loader, LoadOptions

PERSON_BLUE = (0x4C, 0x8E, 0xDA)
MEETING_YELLOW = (0xFF, 0xC4, 0x54)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def histogram(png: bytes) -> list[tuple[int, tuple[int, int, int]]]:
    return Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 24) or []


def pixels_near(colours: list[tuple[int, tuple[int, int, int]]], colour: tuple[int, int, int]) -> int:
    return sum(count for count, pixel in colours if all(abs(a - b) <= 12 for a, b in zip(pixel, colour, strict=True)))


def screenshot_when_drawn(page_file: Path, seconds: float = 30) -> bytes:
    """Open the page and take screenshots until people are drawn (or time runs out)."""
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser_path, "Debian's chromium is needed for this test (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(page_file.as_uri())
            for _ in range(int(seconds * 4)):
                png = page.screenshot()
                if pixels_near(histogram(png), PERSON_BLUE) > 2_000:
                    break
                page.wait_for_timeout(250)
            return png
        finally:
            browser.close()


def test_view_page_draws_the_meeting_network(graph: Graph, tmp_path: Path) -> None:
    Loader(graph.store, LoadOptions()).load([str(SEEDS)])
    page = tmp_path / "graph.html"
    run = kgloader("view", "who-met-whom", "--param", "person=Haniyeh", "-o", str(page), *graph.cli, env=graph.env)
    assert run.returncode == 0, run.stderr
    assert "nodes" in run.stdout and page.stat().st_size > 10_000
    html = page.read_text(encoding="utf-8")
    assert "Ismail Haniyeh" in html and "Ebrahim Raisi" in html and "Meeting of" in html

    colours = histogram(screenshot_when_drawn(page))
    assert len(colours) > 50, "the screenshot is blank"
    assert pixels_near(colours, PERSON_BLUE) > 2_000
    assert pixels_near(colours, MEETING_YELLOW) > 300


def test_view_of_an_empty_result_is_a_valid_page(graph: Graph, tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    run = kgloader("view", "who-met-whom", "--param", "person=nobody at all", "-o", str(page), *graph.cli,
                   env=graph.env)
    assert run.returncode == 0, run.stderr
    assert "0 nodes, 0 relationships" in run.stdout and page.read_text(encoding="utf-8").startswith("<!doctype html>")
