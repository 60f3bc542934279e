"""Load stage: articles → graph, incrementally, in whole-article batches.

The graph's own manifest (each NewsArticle's load stamp: content hash + rules hash) decides
what to do with each file: unchanged articles are skipped without being read by the rules,
changed ones are replaced, new ones added; with `prune`, articles whose files are gone are
retracted. A batch that fails is retried, then reported, and the run goes on.
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from loader import sources
from loader.documents import find_files, log_passed_over
from loader.errors import DocumentError, KgError, LoadFailed, PruneRefused, UsageError
from loader.graph import cypher
from loader.graph.mapping import ArticleRows, Mapping, load_mapping
from loader.graph.store import GraphStore, GraphWriter
from loader.model import Facts
from loader.pipeline import extract_paths
from loader.rdf import KindMap, article_terms
from loader.resources import default_rules_dir
from loader.rules import cache as rules_cache
from loader.rules import load_kinds
from loader.sources import is_rdf_file

log = logging.getLogger("kgloader")
DEFAULT_HOME = Path(".kgloader")
RUN_IRI = "https://w3id.org/kgloader/id/run/"
RDF_CHUNK_FACTOR = 4  # quads per RDF chunk (one transaction) = --batch-size x this
PRUNE_SHARE = 0.5  # --prune refuses to retract more than this share of the graph's articles (--prune-all may)


class Cancelled(BaseException):
    """Raised by the stop signal while articles are being extracted (never while writing): what was extracted
    and not yet written is dropped, whole articles only. A BaseException, so that no per-article handler
    takes it for one article's failure."""


Cancellable = Callable[[], contextlib.AbstractContextManager[None]]


@dataclass
class LoadOptions:
    rules_dir: Path | None = None
    jobs: int = 1
    batch_size: int = 10_000
    force: bool = False
    prune: bool = False
    prune_all: bool = False  # prune even what the guard refuses (every article, or more than PRUNE_SHARE)
    naming: str | None = None
    mapping_file: Path | None = None
    retries: int = 3


@dataclass
class LoadReport:
    """What one load did; also the JSON run report."""

    seen: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    triples: int = 0
    seconds: float = 0.0
    rules_hash: str = ""
    interrupted: bool = False
    graph: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def embedded_home(home: Path | None = None) -> Path:
    """The embedded graph's folder: `home`, else $KGLOADER_HOME, else ./.kgloader (its store and its lock agree)."""
    return home or Path(os.environ.get("KGLOADER_HOME", DEFAULT_HOME))


def open_store(uri: str | None, user: str | None = None, password: str | None = None, database: str | None = None,
               home: Path | None = None) -> GraphStore:
    """The Neo4j server at `uri`, or the embedded graph under `home` (see embedded_home)."""
    if not uri:
        from loader.graph.falkordb_store import FalkorDBStore  # each client imported where chosen

        return FalkorDBStore(embedded_home(home), database or "kgloader")
    if not uri.startswith(("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")):
        _, sep, rest = uri.partition("://")
        example = f"bolt://{rest if sep else uri}"
        raise UsageError(f"--uri takes a bolt:// or neo4j:// URI such as {example}, not {uri!r}")
    from loader.graph.neo4j_store import Neo4jStore

    # no password: no authentication (a Neo4j with NEO4J_AUTH=none); a server that wants one says so

    # the database is always named: the driver then needs no round trip to resolve the home database
    return Neo4jStore(uri, user or "neo4j", password, database or "neo4j")


@dataclass(frozen=True)
class MapArticle:
    """The RDF and map stages for one article, run in the extraction worker: facts → rows."""

    mapping: Mapping

    def __call__(self, facts: Facts, kinds: KindMap) -> tuple[ArticleRows, int]:
        rows = self.mapping.rows_of(article_terms(facts, kinds))
        rows.identifier = facts.article.identifier
        return rows, rows.triples


def graph_counts(store: GraphStore, mapping: Mapping) -> dict[str, int]:
    """Nodes and relationships, not counting the provenance relationships (ASSERTS)."""
    total = store.read(cypher.COUNT_RELATIONSHIPS)[0]["n"]
    provenance = store.read(cypher.count_typed(mapping.asserts))[0]["n"]
    return {"nodes": store.read(cypher.COUNT_NODES)[0]["n"], "relationships": total - provenance}


class PruneScope:
    """Where a run's paths reach: its folders, files and glob patterns, as absolute paths. --prune retracts
    only articles whose recorded source lies there; a source recorded relative (by earlier versions) is
    read against the current folder."""

    def __init__(self, specs: list[str]):
        self.folders: list[Path] = []
        self.files: set[Path] = set()
        self.patterns: list[tuple[str, ...]] = []
        for spec in specs:
            path = Path(spec)
            if path.is_dir():
                self.folders.append(path.resolve())
            elif path.exists():
                self.files.add(path.resolve())
            else:
                parts = Path(os.path.abspath(spec)).parts
                fixed = next(i for i, part in enumerate(parts) if glob.has_magic(part))
                self.patterns.append(Path(*parts[:fixed]).resolve().parts + parts[fixed:])

    def holds(self, source: object) -> bool:
        if not isinstance(source, str) or not source:
            return False  # no recorded source: never pruned by a path
        path = Path(os.path.abspath(source))
        path = path.parent.resolve() / path.name
        return (path in self.files or any(path.is_relative_to(folder) for folder in self.folders)
                or any(_glob_match(pattern, path.parts) for pattern in self.patterns))


def _glob_match(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Whether a path's parts match a glob's parts as glob.glob(recursive=True) reads them (`**`: any depth)."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_glob_match(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) and _glob_match(pattern[1:], parts[1:])


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def article_stamp(path: Path, rules_hash: str) -> str:
    """An article's stamp: its content and the rules that read it (changed rules re-extract)."""
    return f"sha256:{file_hash(path)}|rules:{rules_hash[:16]}"


def rdf_stamp(path: Path) -> str:
    """An RDF file's stamp: its content only (the rules do not read it)."""
    return f"sha256:{sources.stream_hash(path)}|rdf"


class Loader:
    def __init__(self, store: GraphStore, options: LoadOptions, mapping: Mapping | None = None):
        self.store = store
        self.options = options
        # the rules' hash is read from their files; they are compiled (seconds, and most of a run's memory)
        # only once there is an article to extract: a run with nothing new never loads them
        self.rules_hash = rules_cache.content_hash((options.rules_dir or default_rules_dir()).resolve())
        self.mapping = mapping or load_mapping(options.mapping_file, naming=options.naming)
        self._kinds_adopted = False
        self.writer = GraphWriter(store, self.mapping, options.batch_size)

    def _adopt_kinds(self) -> None:
        """The event kinds' labels, from the rules (the writer shares this mapping). Only the kinds: the
        gazetteer and the patterns are the extraction workers' (see _rows)."""
        if not self._kinds_adopted:
            self.mapping.adopt_kinds(*load_kinds(self.options.rules_dir))
            self._kinds_adopted = True

    def load(self, paths: list[str], on_article: Callable[[], None] | None = None,
             should_stop: Callable[[], bool] | None = None, cancellable: Cancellable | None = None) -> LoadReport:
        """Load what is new or changed; `should_stop` is asked between articles (the batch in flight is written).
        Inside `cancellable()` a stop request may raise Cancelled: it is entered only around extraction, so a
        long article is dropped at once instead of being finished, and a write is never cut."""
        started = time.perf_counter()
        report = LoadReport(rules_hash=self.rules_hash)
        self.writer.ensure_schema()
        found = find_files(paths)
        files = found.files
        pruning = self.options.prune or self.options.prune_all  # needs every source the graph holds
        manifest = self.writer.manifest(None if pruning else [path.name for path in files])
        log_passed_over(found, log)
        if not files:
            log.warning("no article or RDF file under %s: nothing to read", ", ".join(paths))
        gone = self._prune_plan(paths, files, manifest) if pruning else []
        rdf_files = [path for path in files if is_rdf_file(path)]  # RDF files are sources too (loader/sources.py)
        stamps: dict[str, dict[str, str]] = {}
        todo = self._plan([path for path in files if not is_rdf_file(path)], manifest, report, stamps,
                          self._article_stamp)
        rdf_todo = self._plan(rdf_files, manifest, report, stamps, self._rdf_stamp)
        batch: list[ArticleRows] = []
        rows_in_batch = 0
        try:
            for rows in self._rows(todo, report, on_article, cancellable or contextlib.nullcontext):
                if should_stop and should_stop():
                    report.interrupted = True
                    break
                batch.append(rows)
                rows_in_batch += len(rows.nodes) + len(rows.rels)
                if rows_in_batch >= self.options.batch_size:
                    self._write(batch, manifest, stamps, report)
                    batch, rows_in_batch = [], 0
        except Cancelled:
            report.interrupted = True  # the articles being extracted are dropped; what was extracted is written
        if batch:
            self._write(batch, manifest, stamps, report)
        if not report.interrupted:
            self._load_rdf(rdf_todo, manifest, stamps, report, on_article, should_stop)
        if gone and not report.interrupted:
            self.writer.delete(gone)
            report.pruned = gone
        self.store.checkpoint()
        report.graph = graph_counts(self.store, self.mapping)
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    def _plan(self, files: list[Path], manifest: dict[str, dict[str, object]], report: LoadReport,
              stamps: dict[str, dict[str, str]], stamp_of: Callable[[Path], str]) -> list[Path]:
        """The files to (re)load: those whose stamp (`stamp_of`, from their content) differs from the
        manifest's. A second file of one name is skipped; `stamps` collects the stamps read."""
        todo: list[Path] = []
        for path in files:
            report.seen += 1
            if path.name in stamps:
                report.skipped.append({"path": str(path), "reason": f"same file name as {stamps[path.name]['source']}"})
                continue
            try:
                stamp = stamp_of(path)
            except OSError as exc:
                report.skipped.append({"path": str(path), "reason": f"cannot read: {exc.strerror or exc}"})
                continue
            stamps[path.name] = {"stamp": stamp, "source": str(path.resolve())}  # absolute: --prune's scope
            known = manifest.get(path.name)
            if known and known.get("stamp") == stamp and not self.options.force:
                report.unchanged += 1
                continue
            todo.append(path)
        return todo

    def _article_stamp(self, path: Path) -> str:
        return article_stamp(path, self.rules_hash)

    @staticmethod
    def _rdf_stamp(path: Path) -> str:
        return rdf_stamp(path)

    def _load_rdf(self, todo: list[Path], manifest: dict[str, dict[str, object]], stamps: dict[str, dict[str, str]],
                  report: LoadReport, on_article: Callable[[], None] | None,
                  should_stop: Callable[[], bool] | None) -> None:
        """Each RDF file: checked whole, then written in chunks of quads, one transaction each; its manifest
        entry is stamped last. A file cut short (Ctrl-C, a crash) stays unstamped and is replaced by the
        next run; a file whose write fails is withdrawn whole, retried, then reported."""
        for path in todo:
            if should_stop and should_stop():
                report.interrupted = True
                return
            if on_article:
                on_article()
            if not sources.readable(path, report.skipped):
                continue
            identifier = path.name
            for attempt in range(1, self.options.retries + 1):
                try:
                    triples = self._write_rdf(path, identifier, identifier in manifest, stamps[identifier],
                                              should_stop)
                except (LoadFailed, DocumentError) as exc:
                    with contextlib.suppress(KgError):
                        self.writer.delete([identifier])  # nothing of it half written
                    manifest.pop(identifier, None)
                    if isinstance(exc, DocumentError) or attempt == self.options.retries:
                        log.error("%s; RDF file not loaded: %s", exc, path)
                        entry = {"path": str(path), "reason": str(exc)}
                        (report.skipped if isinstance(exc, DocumentError) else report.failed).append(entry)
                        break
                    time.sleep(min(0.2 * 2 ** attempt, 5))
                    continue
                if triples is None:
                    report.interrupted = True
                    return
                (report.changed if identifier in manifest else report.new).append(identifier)
                report.triples += triples
                break

    def _write_rdf(self, path: Path, identifier: str, replacing: bool, stamp: dict[str, str],
                   should_stop: Callable[[], bool] | None) -> int | None:
        """One RDF file's chunks; the number of triples, or None if asked to stop (the file stays unstamped)."""
        self._adopt_kinds()
        scope = sources.blank_scope(identifier)
        mark: dict[str, str | None] = {"uri": sources.source_uri(identifier), "stamp": None, "source": stamp["source"]}
        triples = 0
        for chunk in sources.chunks(path, self.options.batch_size * RDF_CHUNK_FACTOR):
            # the file's RdfSource node records what it asserts
            rows = self.mapping.rows(chunk, blank_scope=scope).as_file(identifier, str(mark["uri"]))
            self.writer.write([rows], [identifier] if replacing else [], {}, {identifier: mark})
            replacing = False
            triples += rows.triples
            if should_stop and should_stop():
                return None
        self.writer.write([], [], {}, {identifier: {**mark, "stamp": stamp["stamp"]}})
        return triples

    def _rows(self, todo: list[Path], report: LoadReport, on_article: Callable[[], None] | None,
              cancellable: Cancellable) -> Iterator[ArticleRows]:
        if not todo:
            return
        self._adopt_kinds()
        # workers that start fresh: this process holds a graph client, a connection and write buffers that
        # forked workers would carry beside the rules; with the rules cached, it reads only their kinds
        outcomes = extract_paths(todo, self.options.rules_dir, self.options.jobs, MapArticle(self.mapping),
                                 fresh_workers=True)
        try:
            while True:
                with cancellable():  # a stop request while extracting cancels it (the workers are terminated)
                    outcome = next(outcomes, None)
                if outcome is None:
                    return
                if on_article:
                    on_article()
                if not outcome.ok:
                    entry = {"path": str(outcome.path), "reason": outcome.problem or "unreadable"}
                    (report.failed if outcome.failed else report.skipped).append(entry)
                    log.warning("%s %s", "failed" if outcome.failed else "skipped", outcome.problem)
                    continue
                yield outcome.result
        finally:
            outcomes.close()  # a pool still running is terminated

    def _write(self, batch: list[ArticleRows], manifest: dict[str, dict[str, object]],
               stamps: dict[str, dict[str, str]], report: LoadReport) -> None:
        identifiers = [rows.identifier for rows in batch]
        replacing = [i for i in identifiers if i in manifest]
        try:
            for attempt in Retrying(stop=stop_after_attempt(self.options.retries), reraise=True,
                                    wait=wait_exponential(multiplier=0.2, max=5),
                                    retry=retry_if_exception_type(LoadFailed)):
                with attempt:
                    self.writer.write(batch, replacing, stamps)
        except LoadFailed as exc:
            log.error("%s (after %d attempts); articles not loaded: %s", exc, self.options.retries,
                      ", ".join(identifiers))
            report.failed += [{"path": stamps[i]["source"], "reason": str(exc)} for i in identifiers]
            return
        for rows in batch:
            (report.changed if rows.identifier in manifest else report.new).append(rows.identifier)
            report.triples += rows.triples

    def _prune_plan(self, paths: list[str], files: list[Path], manifest: dict[str, dict[str, object]]) -> list[str]:
        """The articles to retract: those whose source lies under `paths` and is no longer there. Refused
        (exit 2, before anything is written) when that is every article of the graph or more than PRUNE_SHARE
        of them, unless --prune-all."""
        scope = PruneScope(paths)
        present = {path.name for path in files}
        # gone: no file of this run has its name, its recorded source lies in the run's scope, and that file is
        # really not there (a file still there but not read, a .md passed over in a folder, is kept)
        gone = sorted(identifier for identifier, entry in manifest.items()
                      if identifier not in present and scope.holds(entry.get("source"))
                      and not os.path.lexists(str(entry.get("source"))))
        if gone and not self.options.prune_all and (len(gone) == len(manifest)
                                                    or len(gone) > PRUNE_SHARE * len(manifest)):
            share = "all" if len(gone) == len(manifest) else f"{len(gone) / len(manifest):.0%}"
            raise PruneRefused(f"--prune would retract {len(gone)} of the graph's {len(manifest)} articles ({share}; "
                             f"the limit is {PRUNE_SHARE:.0%}): their files under {', '.join(paths)} are gone. "
                             "Refused, nothing written; check the paths, or pass --prune-all to retract them")
        return gone

    def record_run(self, report: LoadReport, started: datetime, ended: datetime, version: str) -> None:
        """The graph keeps a record of every run: when, what it did, with which kgloader and rules."""
        props = {"startedAt": started.isoformat(), "endedAt": ended.isoformat(), "seen": report.seen,
                 "new": len(report.new), "changed": len(report.changed), "unchanged": report.unchanged,
                 "skipped": len(report.skipped), "failed": len(report.failed), "pruned": len(report.pruned),
                 "triples": report.triples, "seconds": report.seconds, "interrupted": report.interrupted,
                 "kgloaderVersion": version, "rulesHash": report.rules_hash}
        uri = f"{RUN_IRI}{started.strftime('%Y%m%dT%H%M%S.%fZ')}"
        self.store.write([(cypher.record_run(self.mapping.resource_label), {"uri": uri, "props": props})])

    def delete(self, identifiers: list[str]) -> list[str]:
        """Retract articles by identifier (file name); returns those that were in the graph."""
        manifest = self.writer.manifest(identifiers)
        known = [i for i in identifiers if i in manifest]
        if known:
            self.writer.delete(known)
            self.store.checkpoint()
        return known
