"""No cliffs: the time an article takes grows with its length, not faster (ratios, never times)."""

from __future__ import annotations

import time
from collections.abc import Callable

from loader.documents import parse_article
from loader.extract import Extractor
from loader.rdf import article_nquads

FACT = "Foreign Minister Samir Haddad met with President Karim Nasser in Amman on Monday. "


def long_article(size: int, headline: bool = True) -> bytes:
    body = FACT * (size // len(FACT))
    return (f"Talks in Amman\n\n{body}\n" if headline else body).encode("utf-8")


def cpu_seconds(work: Callable[[], object], repeat: int = 2) -> float:
    """The least CPU time of `repeat` runs (CPU time: other work on the machine does not count)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def test_extraction_time_grows_linearly_with_an_articles_length(extractor: Extractor) -> None:
    rules = extractor.rules

    def run(size: int) -> Callable[[], object]:
        data = long_article(size)
        return lambda: article_nquads(extractor.extract(parse_article("long.txt", "long.txt", data, rules)),
                                      rules.kinds)

    facts = extractor.extract(parse_article("long.txt", "long.txt", long_article(60_000), rules))
    # every sentence names three entities and a meeting (one meeting per article, with its evidence)
    assert len(facts.mentions) > 2000 and facts.of_kind("meeting")
    small, large = cpu_seconds(run(60_000)), cpu_seconds(run(240_000))
    assert large / small < 6.0, f"4x the text took {large / small:.1f}x the time ({small:.2f} s → {large:.2f} s)"


def test_a_one_megabyte_line_is_read_in_linear_time_and_not_timed_out(extractor: Extractor) -> None:
    rules = extractor.rules

    def read(size: int, headline: bool) -> Callable[[], object]:
        data = long_article(size, headline)
        return lambda: [parse_article("l.txt", "l.txt", data, rules) for _ in range(5)]

    for headline in (True, False):  # the line as the article's body, and as its headline
        small, large = cpu_seconds(read(250_000, headline), 3), cpu_seconds(read(1_000_000, headline), 3)
        assert large / small < 6.0, f"4x the line took {large / small:.1f}x the time"
    article = parse_article("l.txt", "l.txt", long_article(1_000_000), rules)
    assert len(article.paragraphs) == 1 and article.paragraphs[0].end - article.paragraphs[0].start > 990_000
