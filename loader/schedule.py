"""Runs of the load: one at a time per graph, interruptible, reported; and the schedule loop.

A file lock per graph makes overlapping loads impossible (a second one waits or exits, as
the user chooses). SIGTERM and SIGINT let the batch in flight finish, then stop cleanly.
Each run writes a JSON report and a `LoadRun` record into the graph itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

from croniter import croniter
from filelock import FileLock, Timeout

from loader import __version__
from loader.errors import GraphUnavailable, PruneRefused, UsageError, os_problem
from loader.graph.store import GraphStore
from loader.load import Cancelled, Loader, LoadOptions, LoadReport, embedded_home

log = logging.getLogger("kgloader")
_EVERY = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


class GraphBusy(GraphUnavailable):
    """Another kgloader load holds this graph's lock."""


class StopSignal:
    """The first SIGTERM/SIGINT stops the run promptly: articles being extracted are dropped (inside
    `cancellable()`), a batch being written is finished, so every article is loaded whole or not at all.
    A second one ends it at once."""

    def __init__(self) -> None:
        self.requested = False
        self._cancellable = False
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            signal.signal(signum, signal.SIG_DFL)
            raise KeyboardInterrupt
        self.requested = True
        log.warning("%s received: stopping; what is written stays whole, the rest waits for the next run "
                    "(%s again to stop now)", signal.Signals(signum).name,
                    "Ctrl-C" if signum == signal.SIGINT else "the signal")
        if self._cancellable:
            raise Cancelled

    @contextmanager
    def cancellable(self) -> Iterator[None]:
        """While inside, a stop request raises Cancelled (around extraction, never around a write)."""
        if self.requested:
            raise Cancelled
        self._cancellable = True
        try:
            yield
        finally:
            self._cancellable = False

    def __enter__(self) -> StopSignal:
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def lock_path(uri: str | None, database: str | None, home: Path | None) -> Path:
    """The embedded graph's lock lives in its folder; a server's in a machine-wide folder, one per URI and database."""
    if not uri:
        folder = embedded_home(home).resolve()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot make the embedded graph's folder {folder}: {os_problem(exc)}") from exc
        return folder / f"load-{database or 'kgloader'}.lock"
    folder = Path(tempfile.gettempdir()) / "kgloader-locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (hashlib.sha256(f"{uri}|{database or ''}".encode()).hexdigest()[:24] + ".lock")


@contextmanager
def exclusive(path: Path, wait: bool) -> Iterator[None]:
    lock = FileLock(str(path), timeout=-1 if wait else 0)
    try:
        if wait and path.exists():
            log.debug("waiting for %s", path)
        lock.acquire()
    except Timeout as exc:
        raise GraphBusy(f"another kgloader load is running on this graph (lock {path}); use --wait to wait for it") \
            from exc
    try:
        yield
    finally:
        lock.release()


@dataclass
class RunSettings:
    paths: list[str]
    options: LoadOptions
    report_dir: Path | None = None
    wait: bool = False


def run_load(open_graph: Callable[[], GraphStore], lock: Path, settings: RunSettings, stop: StopSignal,
             on_article: Callable[[], None] | None = None) -> LoadReport:
    """One load under the graph's lock; its report goes to the report folder and into the graph."""
    with exclusive(lock, settings.wait), open_graph() as store:
        started = datetime.now(UTC)  # once the graph is ours: waiting for the lock is not part of the run
        loader = Loader(store, settings.options)
        report = loader.load(settings.paths, on_article=on_article, should_stop=lambda: stop.requested,
                             cancellable=stop.cancellable)
        ended = datetime.now(UTC)
        loader.record_run(report, started, ended, __version__)
    if settings.report_dir:
        write_report(settings.report_dir, report, started, ended, store.description)
    return report


def check_report_dir(folder: Path | None) -> None:
    """--report-dir, made before the run: a folder that cannot be is exit 2 with nothing loaded."""
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--report-dir {folder}: {os_problem(exc)}") from exc
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--report-dir {folder}: not writable")


def write_report(folder: Path, report: LoadReport, started: datetime, ended: datetime, graph: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = {"started": started.isoformat(), "ended": ended.isoformat(), "graph": graph,
            "kgloader": __version__, **report.as_dict(),
            "counts": {"seen": report.seen, "new": len(report.new), "changed": len(report.changed),
                       "unchanged": report.unchanged, "skipped": len(report.skipped), "failed": len(report.failed),
                       "pruned": len(report.pruned)}}
    path = folder / f"run-{started.strftime('%Y%m%dT%H%M%S.%fZ')}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def log_report(report: LoadReport) -> None:
    log.info("articles seen %d: new %d, changed %d, unchanged %d, skipped %d, failed %d, pruned %d; triples %d; "
             "graph now %d nodes, %d relationships; %.2f s%s", report.seen, len(report.new), len(report.changed),
             report.unchanged, len(report.skipped), len(report.failed), len(report.pruned), report.triples,
             report.graph.get("nodes", 0), report.graph.get("relationships", 0), report.seconds,
             " (interrupted: the rest waits for the next run)" if report.interrupted else "")


def parse_every(text: str) -> timedelta:
    """`15m`, `1h30m`, `30s`, `1d` → an interval."""
    match = _EVERY.match(text.strip())
    if not text.strip() or not match or not any(match.groups()):
        raise UsageError(f"--every takes a duration such as 30s, 15m, 1h30m or 1d, not {text!r}")
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    interval = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if interval <= timedelta(0):
        raise UsageError("--every must be longer than zero")
    return interval


class Timing:
    """When the next run is due: a fixed interval from the last start, or a cron expression."""

    def __init__(self, every: str | None, cron: str | None):
        if bool(every) == bool(cron):
            raise UsageError("give one of --every or --cron")
        self.interval = parse_every(every) if every else None
        if cron and not croniter.is_valid(cron):
            raise UsageError(f"--cron: not a cron expression: {cron!r}")
        self.cron = cron

    def next_after(self, moment: datetime) -> datetime:
        if self.interval is not None:
            return moment + self.interval
        return croniter(self.cron, moment).get_next(datetime)


def schedule_loop(open_graph: Callable[[], GraphStore], lock: Path, settings: RunSettings, timing: Timing,
                  max_runs: int | None = None) -> int:
    """Load on the schedule until stopped (or `max_runs` runs); the exit status tells whether any run failed."""
    failures = 0
    runs = 0
    with StopSignal() as stop:
        due = datetime.now(UTC) if timing.interval is not None else timing.next_after(datetime.now(UTC))
        while not stop.requested:
            _sleep_until(due, stop)
            if stop.requested:
                break
            started = datetime.now(UTC)
            try:
                report = run_load(open_graph, lock, settings, stop)
                failures += bool(report.failed)
                log_report(report)
            except PruneRefused as exc:  # the inbox may be empty for a moment: the next run tries again
                failures += 1
                log.error("run refused: %s", exc)
            except GraphUnavailable as exc:
                failures += 1
                log.error("run failed: %s", exc)
                if isinstance(exc, GraphBusy):
                    raise
            runs += 1
            if max_runs is not None and runs >= max_runs:
                break
            due = timing.next_after(started)
            while due <= datetime.now(UTC):  # a run longer than the interval: skip the missed slots
                due = timing.next_after(due)
            log.info("next run at %s", due.isoformat(timespec="seconds"))
    return 3 if failures else 0


def _sleep_until(moment: datetime, stop: StopSignal) -> None:
    while not stop.requested:
        left = (moment - datetime.now(UTC)).total_seconds()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))
