"""Read stage: files, folders and globs → Article (headline, date line, dateline, body).

Everything that recognises page furniture comes from the document rules; this module only
walks lines. Offsets are into the decoded text with line endings normalised to "\\n".
"""

from __future__ import annotations

import glob
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import regex

from loader.errors import DocumentError, UsageError
from loader.model import Article, Located, Paragraph
from loader.rules.compiled import CONCURRENT, Compiled, CompiledRules
from loader.sources import is_rdf_file

_LINE = regex.compile(r"[^\n]*")


# what a folder's articles are called; files named one by one (or by a glob) are read whatever their name
ARTICLE_SUFFIXES = (".txt", ".text")


@dataclass(frozen=True)
class FoundFiles:
    """The files a run reads, and those its folders hold that are neither articles nor RDF (passed over)."""

    files: list[Path]
    passed_over: list[Path]


def find_files(specs: list[str]) -> FoundFiles:
    """Files, folders (recursively, hidden entries skipped) and glob patterns, sorted, unique. In a folder
    only articles (ARTICLE_SUFFIXES) and RDF files are read: a README.md beside them is passed over."""
    found: dict[str, Path] = {}
    passed_over: dict[str, Path] = {}
    for spec in specs:
        path = Path(spec)
        if path.is_dir():
            for candidate in path.rglob("*"):
                if any(part.startswith(".") for part in candidate.relative_to(path).parts) or not candidate.is_file():
                    continue
                wanted = candidate.suffix.lower() in ARTICLE_SUFFIXES or is_rdf_file(candidate)
                (found if wanted else passed_over).setdefault(str(candidate.resolve()), candidate)
            continue
        if path.exists():
            candidates = [path]
        else:
            candidates = [Path(p) for p in glob.glob(spec, recursive=True)]
            if not candidates:
                raise UsageError(f"{spec}: no such file, folder or matching glob")
        for candidate in candidates:
            if candidate.is_file():
                found.setdefault(str(candidate.resolve()), candidate)
    for key in found:
        passed_over.pop(key, None)
    return FoundFiles([found[key] for key in sorted(found)], [passed_over[key] for key in sorted(passed_over)])


def expand_paths(specs: list[str]) -> list[Path]:
    """The files `find_files` reads."""
    return find_files(specs).files


def log_passed_over(found: FoundFiles, log: logging.Logger) -> None:
    """One line naming the folder files that are not read (a few of them, and how many)."""
    if found.passed_over:
        names = ", ".join(str(p) for p in found.passed_over[:5]) + (", ..." if len(found.passed_over) > 5 else "")
        log.info("passed over %d files that are neither articles (%s) nor RDF: %s", len(found.passed_over),
                 " ".join(ARTICLE_SUFFIXES), names)


def decode(path: Path, data: bytes) -> str:
    """Strict UTF-8 (a BOM is dropped); anything else is a DocumentError naming the file."""
    if not data.strip():
        raise DocumentError(f"{path}: empty file")
    if b"\0" in data[:8192]:
        raise DocumentError(f"{path}: binary file (NUL byte)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_size(source: str, size: int, rules: CompiledRules) -> None:
    limit = rules.ruleset.document.max_bytes
    if size > limit:
        raise DocumentError(f"{source}: too large for a news article ({size / 1e6:.1f} MB; the limit is "
                            f"{limit / 1e6:.1f} MB, document.max_bytes in the rules)")


def read_article(path: Path, rules: CompiledRules) -> Article:
    check_size(str(path), path.stat().st_size, rules)  # refused before it is read into memory
    return parse_article(path.name, str(path), path.read_bytes(), rules)


def parse_article(identifier: str, source: str, data: bytes, rules: CompiledRules) -> Article:
    check_size(source, len(data), rules)
    text = decode(Path(source), data)
    lines = list(_lines(text))
    if not lines:
        raise DocumentError(f"{source}: no text")
    head_start, head_end = lines[0]
    headline = Located(text[head_start:head_end], head_start, head_end, "doc.headline")
    builder = _BodyBuilder(text, headline.text, rules)
    for start, end in lines[1:]:
        if not builder.take(start, end):
            break
    return Article(
        identifier=identifier,
        source=source,
        content_hash=hashlib.sha256(data).hexdigest(),
        text=text,
        headline=headline,
        paragraphs=tuple(builder.paragraphs),
        published=builder.published,
        published_rule=builder.published_rule,
        publisher=builder.publisher,
        dateline_place=builder.place,
    )


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-empty line, surrounding white space excluded."""
    for match in _LINE.finditer(text, None, None, False, CONCURRENT):
        raw = match.group()
        stripped = raw.strip()
        if stripped:
            start = match.start() + (len(raw) - len(raw.lstrip()))
            yield start, start + len(stripped)


class _BodyBuilder:
    """Walks body lines in order, applying the document rules."""

    def __init__(self, text: str, headline: str, rules: CompiledRules):
        self.text = text
        self.headline = headline
        self.rules = rules
        self.max_line = rules.ruleset.document.max_sentence_chars
        self.index = 0
        self.paragraphs: list[Paragraph] = []
        self.published: str | None = None
        self.published_rule: str | None = None
        self.publisher: Located | None = None
        self.place: Located | None = None

    def _first(self, patterns: list[Compiled], line: str) -> tuple[Compiled, regex.Match[str]] | None:
        # a line is matched on its first max_sentence_chars only: the patterns passed the load-time
        # backtracking probes, which are that long, and date lines, datelines and markers are short (a
        # pattern ending in `.*$` still takes the whole line). On a 1 MB line, a pattern scanning ahead
        # from its start cost time quadratic in the line's length, then a timeout and a failed article.
        for compiled in patterns:
            if self.index < compiled.rule.max_paragraph:
                match = compiled.regex.search(line, 0, self.max_line, CONCURRENT)
                if match and getattr(compiled.rule, "known_place", False) \
                        and not self._only_a_place(match.group("place")):
                    continue  # "KEY POINTS: ..." is no dateline
                if match:
                    return compiled, match
        return None

    def take(self, start: int, end: int) -> bool:
        """Consume one line; False once the trailing boilerplate begins."""
        line = self.text[start:end]
        doc = self.rules.ruleset.document
        try:
            if self._first(self.rules.end_markers, line):
                return False
            if doc.skip_repeated_headline and line == self.headline:
                return True
            if self._take_published(line) or self._take_source_line(start, line):
                return True
            if self._first(self.rules.skip_lines, line):
                return True
            start = self._take_dateline(start, line)
        finally:
            self.index += 1
        if start < end:
            self.paragraphs.append(Paragraph(start, end))
        return True

    def _take_published(self, line: str) -> bool:
        if self.published is not None:
            return False
        hit = self._first(self.rules.published, line)
        if hit is None:
            return False
        value = published_value(hit[1], self.rules)
        if value is None:
            return False
        self.published, self.published_rule = value, hit[0].rule.id
        return True

    def _take_source_line(self, start: int, line: str) -> bool:
        if self.publisher is not None:
            return False
        hit = self._first(self.rules.source_lines, line)
        if hit is None:
            return False
        self._record(start, hit)
        return True

    def _only_a_place(self, name: str) -> bool:
        """Whether the gazetteer knows this name as a place and as nothing else."""
        return {e.kind for e in self.rules.named(name)} == {"Place"}

    def _take_dateline(self, start: int, line: str) -> int:
        if self.publisher is not None or self.place is not None:
            return start
        hit = self._first(self.rules.datelines, line)
        if hit is None:
            return start
        self._record(start, hit)
        return start + hit[1].end()

    def _record(self, start: int, hit: tuple[Compiled, regex.Match[str]]) -> None:
        compiled, match = hit
        groups = match.groupdict()
        if groups.get("year") and self.published is None:
            self.published = published_value(match, self.rules)
            self.published_rule = compiled.rule.id if self.published else None
        if groups.get("publisher"):
            located = Located(match.group("publisher").strip(), start + match.start("publisher"),
                              start + match.end("publisher"), compiled.rule.id)
            if not groups.get("place") and self._only_a_place(located.text):
                self.place = located  # "TEHRAN –": a city the agency-only dateline took for an outlet
            else:
                self.publisher = located
        if groups.get("place"):
            self.place = Located(match.group("place").strip(), start + match.start("place"),
                                 start + match.end("place"), compiled.rule.id)


_CLOCK = regex.compile(r"\d{1,2}:\d\d")
_PARSERS: dict[str, Any] = {}


def parse_date_text(text: str, order: str) -> str | None:
    """A date line's text read by dateparser (`Thu, 06 Feb 2020 - 12:47 GMT`, `20/June/2021 06:06 PM`):
    ISO date, or date-time when it gives a time (the wall-clock time as written; a zone is dropped).
    Day, month and year must all be written: nothing is ever resolved against today."""
    parser = _PARSERS.get(order)
    if parser is None:
        from dateparser.date import DateDataParser

        parser = _PARSERS[order] = DateDataParser(languages=["en"], settings={
            "DATE_ORDER": order, "REQUIRE_PARTS": ["day", "month", "year"], "PARSERS": ["absolute-time"],
            "RETURN_AS_TIMEZONE_AWARE": True})
    found = parser.get_date_data(text).date_obj
    if found is None:
        return None
    found = found.replace(tzinfo=None)
    return found.isoformat() if _CLOCK.search(text) else found.date().isoformat()


def published_value(match: regex.Match[str], rules: CompiledRules) -> str | None:
    """ISO date or date-time (no zone: the page gives none) from a date-line match: its day, month and
    year groups, or a `date` group read by dateparser."""
    groups = match.groupdict()
    if groups.get("date"):
        return parse_date_text(groups["date"], rules.ruleset.document.date_order)
    month = rules.months.get((groups.get("month") or "").lower().rstrip("."))
    if month is None and groups.get("month_num"):
        month = int(groups["month_num"])
    try:
        year, day = int(groups["year"]), int(groups["day"])
        if groups.get("hour"):
            hour = int(groups["hour"]) % 12 + (12 if (groups.get("ampm") or "").lower() == "pm" else 0) \
                if groups.get("ampm") else int(groups["hour"])
            return datetime(year, month or 0, day, hour, int(groups["minute"])).isoformat()
        return datetime(year, month or 0, day).date().isoformat()
    except (TypeError, ValueError):
        return None
