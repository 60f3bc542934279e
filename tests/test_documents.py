"""Reading: headline, date lines, datelines, boilerplate, and bad files skipped with a warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES, kgloader

from loader.documents import expand_paths, parse_article
from loader.errors import DocumentError, UsageError
from loader.pipeline import extract_paths

PAGE = """Ministers meet in Cairo

Sunday 3 March 2024 - 08:15

CAIRO (MENA) – Egyptian Foreign Minister Ahmed Saleh met with his Jordanian counterpart in Cairo.

Read more: Another story that should not be read

The two sides discussed trade.

Related Articles
Nothing here should be read: Iran met with Israel.
Leave a Reply
"""


def test_page_furniture_is_recognised(rules) -> None:
    article = parse_article("page.txt", "page.txt", PAGE.encode(), rules)
    assert article.headline.text == "Ministers meet in Cairo"
    assert article.published == "2024-03-03T08:15:00"
    assert article.publisher and article.publisher.text == "MENA"
    assert article.dateline_place and article.dateline_place.text == "CAIRO"
    body = [article.text[p.start:p.end] for p in article.paragraphs]
    assert body == ["Egyptian Foreign Minister Ahmed Saleh met with his Jordanian counterpart in Cairo.",
                    "The two sides discussed trade."]


def test_offsets_point_into_the_text(rules) -> None:
    article = parse_article("page.txt", "page.txt", ("\ufeff" + PAGE.replace("\n", "\r\n")).encode(), rules)
    first = article.paragraphs[0]
    assert article.text[first.start:first.end].startswith("Egyptian Foreign Minister")


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty file"),
    (b"  \n\n ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
    ("Titre accentu\u00e9\n\nCorps".encode("latin-1"), "not UTF-8 (byte 0xe9"),
])
def test_unreadable_documents_are_refused_by_name(rules, data: bytes, words: str) -> None:
    with pytest.raises(DocumentError) as info:
        parse_article("bad.txt", "/some/where/bad.txt", data, rules)
    assert "/some/where/bad.txt" in str(info.value)
    assert words in str(info.value)


def test_bad_files_are_skipped_and_the_run_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Raisi meets Haniyeh\n\nEbrahim Raisi met with Ismail Haniyeh.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("Caf\u00e9\n\nx".encode("latin-1"))
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / "README.md").write_text("# Inbox\n\nArticles go here.\n")  # not an article: passed over, said so
    outcomes = list(extract_paths(expand_paths([str(folder)]), None, jobs=1))
    assert [o.path.name for o in outcomes if o.facts] == ["good.txt"]
    assert sorted(o.path.name for o in outcomes if o.problem) == ["empty.txt", "image.txt", "latin1.txt"]
    out = tmp_path / "out.nq"
    run = kgloader("extract", str(folder), "-o", str(out))
    assert run.returncode == 0, run.stderr
    for name in ("empty.txt", "latin1.txt", "image.txt"):
        assert f"skipped {folder / name}" in run.stderr
    assert "articles read 1, skipped 3" in run.stderr
    assert f"passed over 1 files that are neither articles (.txt .text) nor RDF: {folder / 'README.md'}" in run.stderr
    assert "README.md" not in out.read_text(encoding="utf-8")
    named = kgloader("extract", str(folder / "README.md"), "-o", str(out))  # named one by one, it is read
    assert named.returncode == 0 and "articles read 1" in named.stderr, named.stderr


def test_paths_files_folders_and_globs(tmp_path: Path) -> None:
    assert [p.name for p in expand_paths([str(EXAMPLES / "letters-2021.txt")])] == ["letters-2021.txt"]
    by_glob = expand_paths([str(EXAMPLES / "*-2024.txt")])
    assert {p.name for p in by_glob} == {"amman-talks-2024.txt", "beirut-letter-2024.txt", "doha-mediation-2024.txt"}
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    assert [p.name for p in expand_paths([str(tmp_path)])] == ["a.txt"]
    with pytest.raises(UsageError):
        expand_paths([str(tmp_path / "nothing-*.txt")])


@pytest.mark.parametrize(("line", "published"), [
    ("Published: Monday, June 22, 2023 8:22 PM", "2023-06-22T20:22:00"),
    ("Posted on 22 June 2023 - 20:22", "2023-06-22T20:22:00"),
    ("2023/06/22 20:22", "2023-06-22T20:22:00"),
    ("2023-06-22", "2023-06-22"),
    # forms other outlets use, read by dateparser
    ("Wed, 14 Mar 2018 - 09:05 GMT", "2018-03-14T09:05:00"),
    ("11/July/2019 07:45 PM", "2019-07-11T19:45:00"),
    ("10:02, March 5, 2023", "2023-03-05T10:02:00"),
    ("2021-09-30 | 16:40", "2021-09-30T16:40:00"),
    ("2021-09-30 16:40:12 +03:00", "2021-09-30T16:40:12"),
    ("(October 3, 2022 / Petra)", "2022-10-03"),
    ("05/02/2020", "2020-02-05"),
])
def test_date_line_forms(rules, line: str, published: str) -> None:
    article = parse_article("a.txt", "a.txt", f"Headline\n\n{line}\n\nBody text.\n".encode(), rules)
    assert article.published == published


@pytest.mark.parametrize("line", [
    "March 5, 10:02 UTC+3 AMMAN",      # no year: never guessed, least of all from today
    "June 2021",                       # no day
    "Talks resume in Amman 2021",      # words that are no date
])
def test_a_line_without_a_whole_date_gives_none(rules, line: str) -> None:
    article = parse_article("a.txt", "a.txt", f"Headline\n\n{line}\n\nBody text.\n".encode(), rules)
    assert article.published is None


def test_dateline_place_comma_agency(rules) -> None:
    article = parse_article("a.txt", "a.txt", b"Headline\n\nTehran, IRNA -- Iran said so.\n", rules)
    assert (article.dateline_place.text, article.publisher.text) == ("Tehran", "IRNA")
    assert article.text[article.paragraphs[0].start:article.paragraphs[0].end] == "Iran said so."


@pytest.mark.parametrize(("line", "place", "agency"), [
    ("LIMA, March 3 (Reuters) - Peru said so.", "LIMA", "Reuters"),
    ("OSLO, 4 June (NTB) -- Norway said so.", "OSLO", "NTB"),
    ("NEW DELHI, Jan. 5, 2025 (Xinhua) -- India said so.", "NEW DELHI", "Xinhua"),
    ("DHAKA, Jun 20 (UNB) Bangladesh said so.", "DHAKA", "UNB"),
    ("MUSCAT, 3rd March (ONA) -- Oman said so.", "MUSCAT", "ONA"),
])
def test_dateline_place_date_agency(rules, line: str, place: str, agency: str) -> None:
    article = parse_article("a.txt", "a.txt", f"Headline\n\n{line}\n".encode(), rules)
    assert (article.dateline_place.text, article.publisher.text) == (place, agency)
    assert article.text[article.paragraphs[0].start:article.paragraphs[0].end].endswith("said so.")


def test_dateline_place_date_year_agency_gives_the_date(rules) -> None:
    article = parse_article("a.txt", "a.txt", b"Headline\n\nQUITO, Feb 26, 2025 (AFP) - Ecuador said so.\n", rules)
    assert (article.dateline_place.text, article.publisher.text, article.published) == ("QUITO", "AFP", "2025-02-26")


def test_dateline_place_dmy_agency_gives_the_date(rules) -> None:
    article = parse_article("a.txt", "a.txt", b"Headline\n\nMUSCAT, 5th May, 2024 (ONA) -- Oman said so.\n", rules)
    assert (article.dateline_place.text, article.publisher.text, article.published) == ("MUSCAT", "ONA", "2024-05-05")


@pytest.mark.parametrize("line", ["Amman, PNA- Jordan said so.", "Amman, PNA - Jordan said so."])
def test_dateline_place_comma_acronym(rules, line: str) -> None:
    article = parse_article("a.txt", "a.txt", f"Headline\n\n{line}\n".encode(), rules)
    assert (article.dateline_place.text, article.publisher.text) == ("Amman", "PNA")


@pytest.mark.parametrize("line", ["Tamale - 14 October 2024", "Tamale, 14 October 2024"])
def test_a_line_of_place_and_date(rules, line: str) -> None:
    article = parse_article("a.txt", "a.txt", f"Headline\n\n{line}\n\nGhana said so.\n".encode(), rules)
    assert (article.dateline_place.text, article.published) == ("Tamale", "2024-10-14")
    assert [article.text[p.start:p.end] for p in article.paragraphs] == ["Ghana said so."]


def test_dateline_place_dash_date(rules) -> None:
    article = parse_article("a.txt", "a.txt", b"Headline\n\nACCRA \xe2\x80\x93 6 March 2024: Ghana said so.\n", rules)
    assert (article.dateline_place.text, article.published) == ("ACCRA", "2024-03-06")
    assert article.text[article.paragraphs[0].start:article.paragraphs[0].end] == "Ghana said so."


def test_dateline_place_dot_agency(rules) -> None:
    article = parse_article("a.txt", "a.txt", b"Headline\n\nNAIROBI. KENYANEWS - The talks began.\n", rules)
    assert (article.dateline_place.text, article.publisher.text) == ("NAIROBI", "KENYANEWS")


@pytest.mark.parametrize(("line", "outlet"), [
    ("By Gulf Daily", "Gulf Daily"),
    ("By Lima Herald", "Lima Herald"),
    ("By Amina Mwangi, Daily Nation", "Daily Nation"),
    ("By Staff Writer, The Standard", "Standard"),
])
def test_a_byline_naming_an_outlet_is_the_publisher(rules, line: str, outlet: str) -> None:
    article = parse_article("a.txt", "a.txt", f"Headline\n\n2024-02-10\n\n{line}\n\nThe talks began.\n".encode(), rules)
    assert article.publisher and article.publisher.text == outlet


@pytest.mark.parametrize("line", ["By Amina Mwangi", "By Staff, Agencies"])
def test_a_byline_naming_a_reporter_or_agencies_is_no_publisher(rules, line: str) -> None:
    article = parse_article("a.txt", "a.txt", f"Headline\n\n{line}\n\nThe talks began.\n".encode(), rules)
    assert article.publisher is None


@pytest.mark.parametrize(("line", "place", "outlet"), [
    ("NAIROBI – The talks began.", "NAIROBI", None),      # an agency-only shape, but the word is a city
    ("NAIROBI - The talks began.", "NAIROBI", None),      # a plain hyphen
    ("AFP - The talks began.", None, "AFP"),              # an outlet stays an outlet
    ("KAMPALA: The talks began.", "KAMPALA", None),       # capitals and a colon
    ("UPDATE: The talks began.", None, None),             # a label is no dateline
    ("KEY POINTS: The talks began.", None, None),         # nor is a word the gazetteer does not know
    ("KAMPALA – 3 March 2024: The talks began.", "KAMPALA", None),
])
def test_datelines_of_a_city_in_capitals(rules, line: str, place: str | None, outlet: str | None) -> None:
    article = parse_article("a.txt", "a.txt", f"Headline\n\n{line}\n".encode(), rules)
    assert (article.dateline_place and article.dateline_place.text) == place
    assert (article.publisher and article.publisher.text) == outlet
