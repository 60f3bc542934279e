"""Runs read → rules (→ a finishing stage) over many files, in order, optionally across processes.

Workers share the rules the parent compiled (fork), or, for a parent that holds a graph client, start
fresh and load them from the cache (spawn). A `finish` step (the
RDF stage's N-Quads, or the map stage's rows) runs in the worker too, so the main process
only writes; output order is the sorted input order whatever `jobs` is, so results are identical.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from loader.documents import read_article
from loader.errors import DocumentError
from loader.extract import Extractor
from loader.model import Facts
from loader.rdf import article_nquads, write_articles
from loader.rules import load_kinds, load_rules, release_rules, rules_cached
from loader.rules.compiled import KindSpec

log = logging.getLogger("kgloader")
WINDOW_PER_JOB = 32


# the RDF stage's N-Quads, or the map stage's rows, with the kinds of event the rules declare
Finish = Callable[[Facts, Mapping[str, KindSpec]], tuple[Any, int]]


@dataclass(frozen=True)
class FactStats:
    """What an article yielded, for summaries (small enough to send back from a worker)."""

    entities: tuple[str, ...]
    events: tuple[tuple[str, int], ...]
    memberships: int

    @classmethod
    def of(cls, facts: Facts) -> FactStats:
        return cls(tuple(facts.entities), tuple(Counter(e.kind for e in facts.events).items()),
                   len(facts.memberships))


@dataclass(frozen=True)
class Outcome:
    """One input file: its facts (or, with a finish step, its finished result and triple count),
    or why it was skipped (unreadable) or failed (an error at run time)."""

    path: Path
    facts: Facts | None
    problem: str | None = None
    failed: bool = False
    result: Any = None
    triples: int = 0
    stats: FactStats | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class Summary:
    read: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    entities: set[str] = field(default_factory=set)
    events: Counter[str] = field(default_factory=Counter)
    memberships: int = 0
    triples: int = 0

    def add(self, stats: FactStats, triples: int) -> None:
        self.read += 1
        self.entities.update(stats.entities)
        self.events.update(dict(stats.events))
        self.memberships += stats.memberships
        self.triples += triples

    def skip(self, path: Path, problem: str) -> None:
        self.skipped.append((str(path), problem))
        log.warning("skipped %s", problem)


_worker: tuple[Extractor, Finish | None] | str | None = None  # or why this worker cannot extract


def _init_worker(rules_dir: Path | None, finish: Finish | None) -> None:
    """Workers die on SIGTERM (Pool.terminate) and leave Ctrl-C to the parent (they start with SIGINT blocked:
    see _pool). A worker whose rules fail to load (edited into an error since the parent checked them) reports
    that for each of its articles: an initializer that raises would be restarted by the pool forever."""
    global _worker
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        _worker = (Extractor(load_rules(rules_dir)), finish)
    except Exception as exc:
        _worker = f"the rules could not be loaded: {' '.join(str(exc).split())}"


def _extract_one(path: Path) -> Outcome:
    assert _worker is not None
    if isinstance(_worker, str):
        return Outcome(path, None, f"{path}: not extracted, {_worker}", failed=True)
    return extract_file(_worker[0], path, _worker[1])


@contextlib.contextmanager
def _pool(context: multiprocessing.context.BaseContext, jobs: int, rules_dir: Path | None,
          finish: Finish | None) -> Iterator[Any]:
    """A pool whose workers start with SIGINT blocked (a mask survives fork and exec), so that a Ctrl-C while
    they start, before _init_worker ignores it, neither kills them nor prints their tracebacks; a Ctrl-C the
    parent gets meanwhile waits until the pool is made, and is then delivered. A spawned worker gets its
    arguments pickled: they are read back here first, since a worker that fails to read them dies at start and
    the pool would start it again forever."""
    if context.get_start_method() == "spawn":
        pickle.loads(pickle.dumps((rules_dir, finish)))
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = context.Pool(jobs, initializer=_init_worker, initargs=(rules_dir, finish))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    with pool:
        yield pool


def extract_file(extractor: Extractor, path: Path, finish: Finish | None = None) -> Outcome:
    """Read, extract (and finish) one file; a bad document is an Outcome with a problem, never an exception."""
    try:
        facts = extractor.extract(read_article(path, extractor.rules))
        if finish is None:
            return Outcome(path, facts, stats=FactStats.of(facts))
        result, triples = finish(facts, extractor.rules.kinds)
        return Outcome(path, None, result=result, triples=triples, stats=FactStats.of(facts))
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


def extract_paths(paths: list[Path], rules_dir: Path | None, jobs: int, finish: Finish | None = None,
                  fresh_workers: bool = False) -> Generator[Outcome, None, None]:
    """Outcomes in input order; `jobs` > 1 spreads the work over processes. These are forked from this one
    after it compiled the rules, which they then share; with `fresh_workers`, they start from a new
    interpreter (multiprocessing's spawn) and load the rules themselves (from the cache, a second or two of
    CPU each), for a process that holds more than the rules (a graph client, write buffers) and should
    neither lend it to its workers nor hold the rules beside it. Without a rules cache (KGLOADER_CACHE_DIR=off,
    a read-only home) each would compile the YAML again: they are forked as before."""
    if jobs <= 1 or len(paths) < 2:
        extractor = Extractor(load_rules(rules_dir))  # fails fast on bad rules
        for path in paths:
            yield extract_file(extractor, path, finish)
        return
    context: multiprocessing.context.BaseContext
    if fresh_workers and not rules_cached(rules_dir):
        load_kinds(rules_dir)  # fail fast on bad rules, before any worker starts; cached for them, then let go
        fresh_workers = rules_cached(rules_dir)  # else (no cache): the workers share this process's copy
    if fresh_workers and _cwd_gone():  # spawn passes the current folder on: a long-running service may lose it
        fresh_workers = False
    if fresh_workers:
        context = multiprocessing.get_context("spawn")
    else:
        load_rules(rules_dir).compile_patterns()  # fails fast; compiled once here, inherited by every worker
        context = multiprocessing.get_context("fork")
    window = jobs * WINDOW_PER_JOB
    with _pool(context, jobs, rules_dir, finish) as pool:
        if not fresh_workers:
            release_rules()
        # a bounded window of files in flight: workers never run ahead of a slow consumer
        # (a graph write), so memory stays flat however large the corpus
        pending: Iterator[Outcome] = pool.imap(_extract_one, paths[:window], chunksize=4)
        for start in range(window, len(paths) + window, window):
            following = pool.imap(_extract_one, paths[start:start + window], chunksize=4) \
                if start < len(paths) else iter(())
            yield from pending
            pending = following


def _cwd_gone() -> bool:
    try:
        os.getcwd()
    except FileNotFoundError:
        return True
    return False


def write_extraction(files: list[Path], output: BinaryIO, fmt: ox.RdfFormat, rules_dir: Path | None,
                     jobs: int) -> Summary:
    """The extract command: articles → one dataset, the RDF stage running in the workers."""
    summary = Summary()

    def chunks() -> Iterator[bytes]:
        for outcome in extract_paths(files, rules_dir, jobs, finish=article_nquads):
            if not outcome.ok:
                summary.skip(outcome.path, outcome.problem or "unknown problem")
                continue
            assert outcome.stats is not None
            summary.add(outcome.stats, outcome.triples)
            yield outcome.result

    write_articles(chunks(), output, fmt, load_rules(rules_dir).kinds)
    return summary
