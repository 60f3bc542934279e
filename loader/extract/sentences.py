"""Split an article's headline and paragraphs into sentences, keeping offsets."""

from __future__ import annotations

import regex

from loader.model import Article, Sentence

_BOUNDARY = regex.compile(r"[.!?]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
_INITIAL = regex.compile(r"[A-Z]\.")


def split_sentences(article: Article, abbreviations: frozenset[str]) -> list[Sentence]:
    """The headline, then every paragraph cut at sentence ends (abbreviations and initials excepted)."""
    text = article.text
    head = article.headline
    sentences = [Sentence(head.start, head.end, head.text, is_headline=True)]
    for para in article.paragraphs:
        start = para.start
        for match in _BOUNDARY.finditer(text, para.start, para.end):
            stop = match.start() + 1
            token = text[max(text.rfind(" ", start, stop), text.rfind("\n", start, stop), start - 1) + 1:stop]
            if token in abbreviations or _INITIAL.fullmatch(token):
                continue
            end = match.end() - (len(match.group()) - len(match.group().rstrip()))
            sentences.append(Sentence(start, end, text[start:end]))
            start = match.end()
        if start < para.end:
            sentences.append(Sentence(start, para.end, text[start:para.end]))
    return sentences
