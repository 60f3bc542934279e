"""Split an article's headline and paragraphs into sentences, keeping offsets."""

from __future__ import annotations

import regex

from loader.model import Article, Sentence
from loader.rules.compiled import CONCURRENT

_BOUNDARY = regex.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_INITIAL = regex.compile(r"[A-Z]\.")


def split_sentences(article: Article, abbreviations: frozenset[str], max_chars: int) -> list[Sentence]:
    """The headline, then every paragraph cut at sentence ends (abbreviations and initials excepted);
    a sentence longer than `max_chars` is cut again at clause boundaries, so rules see bounded text."""
    text = article.text
    head = article.headline
    pieces = _bounded(text, head.start, head.end, max_chars)
    sentences = [Sentence(s, e, text[s:e], is_headline=True) for s, e in pieces]
    for start, end in _sentence_spans(article, abbreviations):
        sentences += [Sentence(s, e, text[s:e]) for s, e in _bounded(text, start, end, max_chars)]
    return sentences


def _bounded(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut [start, end) into pieces of at most `max_chars`: after a clause mark in the second half of
    the window if there is one, else after the last space, else hard."""
    out = []
    while end - start > max_chars:
        window = start + max_chars
        cut = max(text.rfind(mark, start + max_chars // 2, window) for mark in (", ", "; ", ": "))
        if cut < 0:
            cut = text.rfind(" ", start + 1, window)
        cut = cut + 1 if cut > start else window
        out.append((start, cut))
        start = cut
        while start < end and text[start] == " ":
            start += 1
    if start < end:
        out.append((start, end))
    return out


def _sentence_spans(article: Article, abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    text = article.text
    spans: list[tuple[int, int]] = []
    for para in article.paragraphs:
        start = para.start
        for match in _BOUNDARY.finditer(text, para.start, para.end, False, CONCURRENT):
            stop = match.start() + 1
            token = text[max(text.rfind(" ", start, stop), text.rfind("\n", start, stop), start - 1) + 1:stop]
            if token in abbreviations or _INITIAL.fullmatch(token):
                continue
            end = match.end() - (len(match.group()) - len(match.group().rstrip()))
            spans.append((start, end))
            start = match.end()
        if start < para.end:
            spans.append((start, para.end))
    return spans
