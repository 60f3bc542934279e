"""Neo4j 5 through the official driver: managed transactions, the driver's retries, database_ always given.

A batch of statements runs inside one `session.execute_write` transaction function, so it
commits completely or not at all; the driver retries it on transient errors and routing
changes (neo4j:// cluster URIs). Reads go through `driver.execute_query` routed to readers.
A server still unreachable after the driver's retries is GraphUnavailable: the run stops
there (exit 3) instead of failing batch after batch; what was committed stays, and the next
run loads the rest. The server sends no notifications: the driver would log each as a
multi-line INFO record, and kgloader's statements are fixed and checked by its tests.
"""

from __future__ import annotations

import logging
from typing import Any

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, IncompleteCommit, Neo4jError, ServiceUnavailable, SessionExpired

from loader.errors import GraphUnavailable, LoadFailed, QueryFailed
from loader.graph.cypher import NEO4J
from loader.graph.store import GraphStore, Statement


class _OneLine(logging.Filter):
    """The driver's retry warnings on one line each (its connection errors span several)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = " ".join(record.getMessage().split()), ()
        return True


# The driver's connection internals log a lost server as ERROR records of their own; kgloader reports the
# outcome itself, once (GraphUnavailable, exit 3). Its transaction retries stay visible, one line each.
logging.getLogger("neo4j.io").setLevel(logging.CRITICAL)
logging.getLogger("neo4j.pool").setLevel(logging.CRITICAL)
logging.getLogger("neo4j.session").addFilter(_OneLine())


class Neo4jStore(GraphStore):
    dialect = NEO4J
    rolls_back = True

    def __init__(self, uri: str, user: str, password: str | None, database: str = "neo4j"):
        # the description names the server and database, never the password
        self.description = f"Neo4j at {uri} (database {database})"
        self.database = database
        try:
            auth = (user, password) if password is not None else None  # None: a server without authentication
            self.driver = GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF")
            self.driver.verify_connectivity()
        except AuthError as exc:
            if password is None:
                raise GraphUnavailable(f"{self.description} wants a password: set NEO4J_PASSWORD or pass "
                                       "--password-stdin") from exc
            raise GraphUnavailable(f"cannot log in to {self.description} as {user!r}: {exc.message}") from exc
        except (ServiceUnavailable, SessionExpired, OSError, ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise GraphUnavailable(f"cannot reach {self.description}: {_message(exc)}") from exc

    def close(self) -> None:
        self.driver.close()

    def read(self, query: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.read_table(query, params)[1]

    def read_table(self, query: str, params: dict[str, Any] | None = None) -> tuple[list[str], list[dict[str, Any]]]:
        try:
            records, _, keys = self.driver.execute_query(query, parameters_=params or {}, database_=self.database,
                                                         routing_=RoutingControl.READ)
        except (ServiceUnavailable, SessionExpired) as exc:
            raise GraphUnavailable(f"lost {self.description}: {_message(exc)}") from exc
        except Neo4jError as exc:
            raise QueryFailed(f"{self.description} refused the query: {_message(exc)}") from exc
        return list(keys), [{key: _plain(record[key]) for key in keys} for record in records]

    def write(self, statements: list[Statement]) -> None:
        if not statements:
            return

        def work(tx: neo4j.ManagedTransaction) -> None:
            for query, params in statements:
                tx.run(query, params).consume()

        try:
            # the same bookmark manager as execute_query: a read after this write sees it (causal consistency)
            with self.driver.session(database=self.database,
                                     bookmark_manager=self.driver.execute_query_bookmark_manager) as session:
                session.execute_write(work)
        except (ServiceUnavailable, SessionExpired) as exc:
            raise GraphUnavailable(f"lost {self.description} during a write (the batch in flight was not committed; "
                                   f"the next run loads the rest): {_message(exc)}") from exc
        except IncompleteCommit as exc:
            raise GraphUnavailable(f"lost {self.description} while committing a batch (committed or not, each "
                                   f"article in it is whole; the next run loads the rest): {_message(exc)}") from exc
        except Neo4jError as exc:
            raise LoadFailed(f"write to {self.description} failed (nothing committed): {_message(exc)}") from exc

    def ensure_schema(self, statements: list[str], resource: str) -> None:
        # schema commands may not share a transaction with writes: each runs on its own
        try:
            for statement in statements:
                self.driver.execute_query(statement, database_=self.database)
        except (ServiceUnavailable, SessionExpired) as exc:
            raise GraphUnavailable(f"lost {self.description}: {_message(exc)}") from exc


def _message(exc: Exception) -> str:
    """The driver's message on one line (its connection errors span several)."""
    return " ".join(str(getattr(exc, "message", None) or exc).split())


def _plain(value: Any) -> Any:
    """Driver values → plain Python: temporal as ISO text, nodes and relationships as property maps with
    `_labels` or `_type`, and their element ids (`_id`, `_start`, `_end`), as the embedded store gives them."""
    if isinstance(value, neo4j.time.Date | neo4j.time.DateTime | neo4j.time.Time):
        # via Python's types, as the embedded store does: 2023-06-21T19:15:00, not ...:00.000000000
        return value.to_native().isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, neo4j.graph.Node):
        return {**{k: _plain(v) for k, v in value.items()}, "_labels": sorted(value.labels), "_id": value.element_id}
    if isinstance(value, neo4j.graph.Relationship):
        start, end = value.start_node, value.end_node
        return {**{k: _plain(v) for k, v in value.items()}, "_type": value.type, "_id": value.element_id,
                "_start": start.element_id if start else None, "_end": end.element_id if end else None}
    if isinstance(value, neo4j.graph.Path):
        return [_plain(n) for n in value.nodes]
    return value
