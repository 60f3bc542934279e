"""Dates resolve against the article's own date, and stay unresolved without one."""

from __future__ import annotations

from datetime import date

import pytest

from loader.extract.dates import find_dates

ANCHOR = date(2023, 6, 22)  # a Thursday


@pytest.mark.parametrize(("text", "anchor", "value", "precision"), [
    ("On June 20, they met.", ANCHOR, "2023-06-20", "day"),
    ("They met on 22 June 2023 in Tehran.", None, "2023-06-22", "day"),
    ("They met on June 22, 2023.", None, "2023-06-22", "day"),
    ("It happened on 2021-05-10.", None, "2021-05-10", "day"),
    ("a meeting back in July", date(2023, 9, 3), "2023-07", "month"),
    ("a meeting back in July", date(2023, 3, 3), "2022-07", "month"),
    ("They talked on December 28.", date(2024, 1, 3), "2023-12-28", "day"),
    ("The letter was published on Sunday.", ANCHOR, "2023-06-18", "day"),
    ("He spoke on Thursday.", ANCHOR, "2023-06-22", "day"),
    ("They met in March 2022.", None, "2022-03", "month"),
    ("They met late Tuesday.", ANCHOR, "2023-06-20", "day"),
    ("They met yesterday.", ANCHOR, "2023-06-21", "day"),
    ("They met today in Accra.", ANCHOR, "2023-06-22", "day"),
    ("They met last month.", ANCHOR, "2023-05", "month"),
    ("They met last month.", date(2024, 1, 9), "2023-12", "month"),
    ("They met earlier this month.", ANCHOR, "2023-06", "month"),
])
def test_resolved(rules, text: str, anchor: date | None, value: str, precision: str) -> None:
    found = [v for _, _, v in find_dates(text, anchor, rules)]
    assert found and found[0] is not None
    assert (found[0].value, found[0].precision) == (value, precision)


@pytest.mark.parametrize("text", ["back in July", "on Monday", "On June 20, they met.", "yesterday", "last month"])
def test_partial_and_relative_dates_need_the_article_date(rules, text: str) -> None:
    found = [v for _, _, v in find_dates(text, None, rules)]
    assert found == [None]


def test_may_the_verb_is_no_date(rules) -> None:
    assert find_dates("They may meet again, officials said.", ANCHOR, rules) == []
