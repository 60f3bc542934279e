"""Dates inside sentences, resolved against the article's own date, never against today."""

from __future__ import annotations

from datetime import date, timedelta

import regex
from dateutil.relativedelta import relativedelta, weekday

from loader.model import DateValue
from loader.rules.compiled import CONCURRENT, CompiledRules


def article_date(published: str | None) -> date | None:
    return date.fromisoformat(published[:10]) if published else None


def find_dates(text: str, anchor: date | None, rules: CompiledRules,
               present: frozenset[str] | None = None) -> list[tuple[int, int, DateValue | None]]:
    """Every date expression in `text` as (start, end, value); value None when unresolvable.

    Expressions are taken leftmost-longest across all date patterns, so `22 June 2023` is one
    date, not also `22 June` and `June 2023`. With `present`, the trigger words the text holds,
    only the patterns those words allow are tried.
    """
    hits: list[tuple[int, int, str, regex.Match[str]]] = []
    for compiled in rules.date_patterns if present is None else rules.applicable("date_patterns", present):
        for match in compiled.regex.finditer(text, None, None, False, CONCURRENT):
            hits.append((match.start(), match.end(), compiled.rule.id, match))
    hits.sort(key=lambda h: (h[0], h[0] - h[1]))
    out: list[tuple[int, int, DateValue | None]] = []
    pos = -1
    for start, end, rule_id, match in hits:
        if start < pos:
            continue
        out.append((start, end, resolve(match, rule_id, anchor, rules)))
        pos = end
    return out


def resolve(match: regex.Match[str], rule_id: str, anchor: date | None, rules: CompiledRules) -> DateValue | None:
    groups = {k: v for k, v in match.groupdict().items() if v}
    text = match.group()
    if "relative" in groups:
        return _relative(" ".join(groups["relative"].lower().split()), text, rule_id, anchor, rules)
    if "weekday" in groups:
        if anchor is None:
            return None
        day = anchor + relativedelta(weekday=weekday(rules.weekdays[groups["weekday"].lower()])(-1))
        return DateValue(day.isoformat(), "day", text, rule_id)
    month = rules.months.get(groups.get("month", "").lower().rstrip(".")) or int(groups.get("month_num", 0))
    if not month:
        return None
    year = int(groups["year"]) if "year" in groups else None
    day_of_month = int(groups["day"]) if "day" in groups else None
    if year is None:
        if anchor is None:
            return None
        year = anchor.year
        if (month, day_of_month or 1) > (anchor.month, anchor.day):
            year -= 1
    if day_of_month is None:
        return DateValue(f"{year:04d}-{month:02d}", "month", text, rule_id)
    try:
        return DateValue(date(year, month, day_of_month).isoformat(), "day", text, rule_id)
    except ValueError:
        return None


def _relative(word: str, text: str, rule_id: str, anchor: date | None, rules: CompiledRules) -> DateValue | None:
    """`yesterday`, `last month`: the article's date moved by the rules' offset (dates.relative)."""
    meaning = rules.relative_dates.get(word)
    if meaning is None or anchor is None:
        return None
    if meaning.unit == "day":
        return DateValue((anchor + timedelta(days=meaning.offset)).isoformat(), "day", text, rule_id)
    month = anchor + relativedelta(months=meaning.offset)
    return DateValue(f"{month.year:04d}-{month.month:02d}", "month", text, rule_id)
