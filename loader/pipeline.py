"""Runs read → rules over many files, in order, optionally across processes.

Workers each compile the rules once (fork shares the parent's copy) and send back plain
Facts; output order is the sorted input order whatever `jobs` is, so results are identical.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loader.documents import read_article
from loader.errors import DocumentError
from loader.extract import Extractor
from loader.model import Facts
from loader.rules import load_rules

log = logging.getLogger("kgloader")
WINDOW_PER_JOB = 32


@dataclass(frozen=True)
class Outcome:
    """One input file: its facts, or why it was skipped (unreadable) or failed (an error at run time)."""

    path: Path
    facts: Facts | None
    problem: str | None = None
    failed: bool = False


@dataclass
class Summary:
    read: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    entities: set[str] = field(default_factory=set)
    meetings: int = 0
    messages: int = 0
    memberships: int = 0
    triples: int = 0

    def add(self, facts: Facts, triples: int) -> None:
        self.read += 1
        self.entities.update(facts.entities)
        self.meetings += len(facts.meetings)
        self.messages += len(facts.messages)
        self.memberships += len(facts.memberships)
        self.triples += triples

    def skip(self, path: Path, problem: str) -> None:
        self.skipped.append((str(path), problem))
        log.warning("skipped %s", problem)


_worker: Extractor | None = None


def _init_worker(rules_dir: Path | None) -> None:
    """Workers die on SIGTERM (Pool.terminate) and leave Ctrl-C to the parent, whose handlers fork copied."""
    global _worker
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = Extractor(load_rules(rules_dir))


def _extract_one(path: Path) -> Outcome:
    assert _worker is not None
    return extract_file(_worker, path)


def extract_file(extractor: Extractor, path: Path) -> Outcome:
    """Read and extract one file; a bad document is an Outcome with a problem, never an exception."""
    try:
        return Outcome(path, extractor.extract(read_article(path, extractor.rules)))
    except DocumentError as exc:
        return Outcome(path, None, str(exc))
    except TimeoutError as exc:  # before OSError, of which it is a subclass
        return Outcome(path, None, f"{path}: a rule took too long on this text ({exc})", failed=True)
    except OSError as exc:
        return Outcome(path, None, f"{path}: cannot read: {exc.strerror or exc}")
    except Exception as exc:  # one article's failure must not stop the run; it is reported
        log.debug("extraction failed on %s", path, exc_info=True)
        return Outcome(path, None, f"{path}: extraction failed: {type(exc).__name__}: {exc}", failed=True)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def extract_paths(paths: list[Path], rules_dir: Path | None, jobs: int) -> Iterator[Outcome]:
    """Outcomes in input order; `jobs` > 1 spreads the work over processes."""
    rules = load_rules(rules_dir)  # fail fast on bad rules, before any worker starts
    if jobs <= 1 or len(paths) < 2:
        extractor = Extractor(rules)
        for path in paths:
            yield extract_file(extractor, path)
        return
    context = multiprocessing.get_context("fork")
    window = jobs * WINDOW_PER_JOB
    with context.Pool(jobs, initializer=_init_worker, initargs=(rules_dir,)) as pool:
        # a bounded window of files in flight: workers never run ahead of a slow consumer
        # (a graph write), so memory stays flat however large the corpus
        pending = pool.imap(_extract_one, paths[:window], chunksize=4)
        for start in range(window, len(paths) + window, window):
            following = pool.imap(_extract_one, paths[start:start + window], chunksize=4) \
                if start < len(paths) else iter(())
            yield from pending
            pending = following
