"""RDF files as sources: N-Quads, TriG, N-Triples, Turtle and JSON-LD, gzip-compressed or not.

An RDF file is loaded the way an article is: it is one source in the graph's manifest, keyed by its file
name and stamped with its content hash, and that RdfSource node is the provenance record of everything
it asserts (ASSERTS, see loader/graph/cypher.py), so reloads, `--prune` and `kgloader delete` work per
file. Its quads are parsed as a stream (pyoxigraph) and mapped by the same Mapping in bounded chunks, so
memory stays flat however large the file. A file is checked whole before anything of it is written: a
malformed one is skipped with one line naming the file and the line, and its earlier version stays.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import pyoxigraph as ox

from loader.errors import DocumentError
from loader.namespaces import ID

log = logging.getLogger("kgloader")

RDF_SUFFIXES = {".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES,
                ".ttl": ox.RdfFormat.TURTLE, ".jsonld": ox.RdfFormat.JSON_LD}


def rdf_format(path: Path) -> ox.RdfFormat | None:
    """The RDF format a file name says (`.nq`, `.trig`, `.nt`, `.ttl`, `.jsonld`, each also `.gz`), else None."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return RDF_SUFFIXES.get(suffixes[-1]) if suffixes else None


def is_rdf_file(path: Path) -> bool:
    return rdf_format(path) is not None


def source_uri(identifier: str) -> str:
    """The IRI of an RDF file's manifest node (label RdfSource)."""
    return f"{ID}source/{quote(identifier, safe='')}"


def blank_scope(identifier: str) -> str:
    """A prefix that keeps a file's blank nodes its own: two files' `_:b0` are two nodes."""
    return hashlib.sha256(identifier.encode()).hexdigest()[:12] + "_"


def stream_hash(path: Path) -> str:
    """sha256 of a file, read in blocks (an RDF file may be far larger than memory should hold)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as handle:
            yield handle  # type: ignore[misc]
    else:
        with path.open("rb") as handle:
            yield handle


def quads(path: Path) -> Iterator[ox.Quad]:
    """The file's quads, streamed; any problem is a DocumentError naming the file (and line, where known)."""
    fmt = rdf_format(path)
    if fmt is None:
        raise DocumentError(f"{path}: not an RDF file (.nq, .trig, .nt, .ttl, .jsonld, optionally .gz)")
    try:
        with _opened(path) as handle:
            # relative IRIs resolve against the file's own location, as rdflib and n10s do
            yield from ox.parse(handle, format=fmt, base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        where = f"{path}:{exc.lineno}" if exc.lineno else str(path)
        raise DocumentError(f"{where}: not valid {fmt.name}: {_message(exc)}") from exc
    except (OSError, EOFError, ValueError) as exc:  # gzip.BadGzipFile is an OSError; a cut gzip an EOFError
        raise DocumentError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from exc


def _message(exc: SyntaxError) -> str:
    text = exc.msg or str(exc)
    # pyoxigraph says "Parser error at line 2 between columns 23 and 27: what"; the line is already named
    head, sep, rest = text.partition(": ")
    return rest if sep and head.startswith("Parser error") else text


def check(path: Path) -> int:
    """Parse the whole file without keeping it: the number of quads, or a DocumentError. Run before a file's
    first write, so that a malformed file leaves the graph as it was."""
    return sum(1 for _ in quads(path))


def chunks(path: Path, size: int) -> Iterator[list[ox.Quad]]:
    """The file's quads in lists of at most `size`."""
    stream = quads(path)
    while chunk := list(itertools.islice(stream, size)):
        yield chunk


def readable(path: Path, skipped: list[dict[str, str]]) -> bool:
    """Whether an RDF file can be loaded (see `check`); if not, it is logged and added to `skipped` with why."""
    try:
        check(path)
    except DocumentError as exc:
        skipped.append({"path": str(path), "reason": str(exc)})
        log.warning("skipped %s", exc)
        return False
    return True
