"""Masked sentences: entity mentions (or longer spans) replaced by placeholders.

Relation patterns run on the masked text; `MaskedSentence` maps everything a match
captures back to mentions and to offsets in the article.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

import regex

from loader.model import Sentence
from loader.rules.compiled import CONCURRENT, MARK_CLOSE, MARK_OPEN, placeholder

_PLACEHOLDER = regex.compile(f"{MARK_OPEN}[A-Z](\\d+){MARK_CLOSE}")


@dataclass(slots=True)
class Replacement:
    """Article span [start, end) shown as one placeholder standing for `entity_id`."""

    start: int
    end: int
    code: str
    entity_id: str


class MaskedSentence:
    """A sentence with placeholders for its replacements; `folded` is the same text folded (same
    length, same offsets), for word lookups, built from the sentence's folded text (`fold(sentence.text)`)."""

    def __init__(self, sentence: Sentence, replacements: list[Replacement], folded: str):
        self.sentence = sentence
        self.replacements = replacements
        parts: list[str] = []
        folded_parts: list[str] = []
        self._masked_starts: list[int] = []
        self._abs_starts: list[int] = []
        pos, length = sentence.start, 0
        for index, rep in enumerate(replacements):
            if rep.start > pos:
                self._segment(length, pos)
                parts.append(sentence.text[pos - sentence.start:rep.start - sentence.start])
                folded_parts.append(folded[pos - sentence.start:rep.start - sentence.start])
                length += rep.start - pos
            self._segment(length, rep.start)
            token = placeholder(rep.code, index)
            parts.append(token)
            folded_parts.append(placeholder(rep.code.lower(), index))
            length += len(token)
            pos = rep.end
        if pos < sentence.end:
            self._segment(length, pos)
            parts.append(sentence.text[pos - sentence.start:])
            folded_parts.append(folded[pos - sentence.start:])
        self.text = "".join(parts)
        self.folded = "".join(folded_parts)

    def _segment(self, masked: int, absolute: int) -> None:
        self._masked_starts.append(masked)
        self._abs_starts.append(absolute)

    def to_abs(self, masked: int) -> int:
        """Article offset of a masked offset (a placeholder maps to its span's start)."""
        i = bisect_right(self._masked_starts, masked) - 1
        if i < 0:
            return self.sentence.start
        if self._is_token(i):
            return self._abs_starts[i]
        return self._abs_starts[i] + (masked - self._masked_starts[i])

    def _is_token(self, i: int) -> bool:
        return self.text.startswith(MARK_OPEN, self._masked_starts[i])

    def abs_span(self, start: int, end: int) -> tuple[int, int]:
        """Article span of a masked span; placeholders at either edge count whole."""
        inner = list(self.placeholders(start, end))
        abs_start = self.to_abs(start)
        abs_end = self.to_abs(end) if end < len(self.text) else self.sentence.end
        if inner:
            abs_start = min(abs_start, self.replacements[inner[0]].start)
            abs_end = max(abs_end, self.replacements[inner[-1]].end)
        return abs_start, abs_end

    def placeholders(self, start: int, end: int) -> list[int]:
        """Indexes of the replacements whose placeholders lie in masked [start, end)."""
        return [int(m.group(1)) for m in _PLACEHOLDER.finditer(self.text, start, end, False, CONCURRENT)]

    def entities(self, start: int, end: int) -> list[str]:
        return [self.replacements[i].entity_id for i in self.placeholders(start, end)]

    def plain(self, start: int, end: int) -> str:
        """Original article text behind a masked span."""
        return self.sentence.text[slice(*(x - self.sentence.start for x in self.abs_span(start, end)))]


def build_views(sentences: list[Sentence], replacements: list[Replacement], folded: str,
                wanted: Callable[[Sentence], int | None] | None = None) -> list[tuple[Sentence, MaskedSentence]]:
    """Each wanted sentence masked by the replacements inside it: `wanted` says how many replacements a
    sentence must hold to be worth a view (None: not wanted). Overlaps keep the earliest, longest.
    `folded` is the article's text folded."""
    ordered = sorted(replacements, key=lambda r: (r.start, r.start - r.end))
    views = []
    i = 0
    for sentence in sentences:
        while i < len(ordered) and ordered[i].start < sentence.start:
            i += 1
        least = 0 if wanted is None else wanted(sentence)
        if least is None:
            continue
        inside: list[Replacement] = []
        j = i
        while j < len(ordered) and ordered[j].start < sentence.end:
            rep = ordered[j]
            if rep.end <= sentence.end and (not inside or rep.start >= inside[-1].end):
                inside.append(rep)
            j += 1
        if len(inside) >= least:
            views.append((sentence, MaskedSentence(sentence, inside, folded[sentence.start:sentence.end])))
    return views
